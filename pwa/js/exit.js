// Quick exit: the control on every member screen, Esc, or Shift pressed three
// times hides the page at once and puts the organisation's harmless site in
// its place in the history, so Back does not lead to Sova. A classic script
// loaded before the page's body: it runs before anything shows, so a page
// brought back from history can leave before it is seen.
(function () {
  const script = document.currentScript;
  const to = (script && script.dataset.exit) || 'https://www.wikipedia.org/';
  const FLAG = 'sova-exit'; // this tab left: pages coming back from history leave too
  const root = document.documentElement;

  function exit() {
    root.classList.add('gone'); // the inline stylesheet hides everything
    for (const m of document.querySelectorAll('audio,video')) m.pause();
    dispatchEvent(new Event('sova-exit')); // voice.js stops talking
    try { sessionStorage.setItem(FLAG, '1'); } catch { /* private mode: Back may show the page */ }
    location.replace(to);
  }
  self.sovaExit = exit;

  // A page shown again by Back or Forward after an exit leaves at once; any
  // other visit means the member came back on purpose.
  const nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  let left = false;
  try { left = sessionStorage.getItem(FLAG) === '1'; } catch { /* no storage */ }
  if (left && nav && nav.type === 'back_forward') exit();
  else if (left) sessionStorage.removeItem(FLAG);
  addEventListener('pageshow', (e) => {
    let again = false;
    try { again = sessionStorage.getItem(FLAG) === '1'; } catch { /* no storage */ }
    if (e.persisted && again) exit();
  });

  // Shift counts only pressed alone, three times in a row: typing capitals
  // or switching keyboard layouts must not throw a survey away.
  let shifts = [];
  addEventListener('keydown', (e) => {
    if (e.isComposing) return; // an input method is at work
    if (e.key === 'Escape') return exit();
    if (e.key !== 'Shift' || e.repeat || e.altKey || e.ctrlKey || e.metaKey) {
      shifts = [];
      return;
    }
    const now = Date.now();
    shifts = shifts.filter((t) => now - t < 1500).concat(now);
    if (shifts.length >= 3) exit();
  }, true);
  // Capture, and on pointerdown: the page is gone before the finger lifts.
  addEventListener('pointerdown', (e) => {
    if (e.target.closest && e.target.closest('.exit')) exit();
  }, true);
  addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('.exit')) exit();
  }, true);
})();

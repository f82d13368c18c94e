// Quick exit, inlined in each member page's head (see server/web/site.go):
// it acts before anything shows, and a slow line cannot delay the page.
(function () {
  var to = document.currentScript.dataset.exit, FLAG = 'sova-exit', shifts = [];
  function exit() {
    document.documentElement.classList.add('gone'); // the inline style hides all
    for (var m of document.querySelectorAll('audio,video')) m.pause();
    dispatchEvent(new Event('sova-exit')); // voice.js stops talking
    try { sessionStorage.setItem(FLAG, '1'); } catch (e) { /* private mode */ }
    location.replace(to);
  }
  self.sovaExit = exit;
  // A page shown again by Back or Forward after an exit leaves at once; any
  // other visit means she came back on purpose.
  function left() { try { return sessionStorage.getItem(FLAG) === '1'; } catch (e) { return false; } }
  var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  if (left() && nav && nav.type === 'back_forward') exit();
  else if (left()) sessionStorage.removeItem(FLAG);
  addEventListener('pageshow', function (e) { if (e.persisted && left()) exit(); });
  // Esc, or Shift three times alone (not while typing capitals or with an
  // input method at work).
  addEventListener('keydown', function (e) {
    if (e.isComposing) return;
    if (e.key === 'Escape') return exit();
    if (e.key !== 'Shift' || e.repeat || e.altKey || e.ctrlKey || e.metaKey) { shifts = []; return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; }).concat(now);
    if (shifts.length >= 3) exit();
  }, true);
  // The control: on pointerdown, gone before the finger lifts.
  function tap(e) { if (e.target.closest && e.target.closest('.exit')) exit(); }
  addEventListener('pointerdown', tap, true);
  addEventListener('click', tap, true);
})();

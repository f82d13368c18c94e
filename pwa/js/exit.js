// Quick exit; inlined in every member page (why: server/web/member/site.go, README "Safety on the phone").
(function () {
  var to = document.currentScript.dataset.exit, FLAG = 'sova-exit', shifts = [];
  var bc = self.BroadcastChannel && new BroadcastChannel(FLAG);
  function exit() {
    document.documentElement.classList.add('gone');
    for (var m of document.querySelectorAll('audio,video')) m.pause();
    dispatchEvent(new Event('sova-exit'));
    try { sessionStorage.setItem(FLAG, '1'); } catch (e) {}
    if (bc) bc.postMessage(1);
    location.replace(to);
  }
  self.sovaExit = exit;
  function left() { try { return sessionStorage.getItem(FLAG) === '1'; } catch (e) { return false; } }
  var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  if (left() && nav && nav.type === 'back_forward') exit();
  else if (left()) sessionStorage.removeItem(FLAG);
  addEventListener('pageshow', function (e) { if (e.persisted && left()) exit(); });
  addEventListener('keydown', function (e) {
    if (e.isComposing) return;
    if (e.key === 'Escape') return exit();
    if (e.key !== 'Shift' || e.repeat || e.altKey || e.ctrlKey || e.metaKey) { shifts = []; return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; }).concat(now);
    if (shifts.length >= 3) exit();
  }, true);
  function tap(e) { if (e.target.closest && e.target.closest('.exit')) exit(); }
  addEventListener('pointerdown', tap, true);
  addEventListener('click', tap, true);
})();

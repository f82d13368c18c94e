// The home page: its tiles, where her answers are (said on arrival after
// the greeting), keeping the language's voice offline, and wipe.
/* global sovaOutbox, sovaExit */
import { codec, say } from './voice.js';
import { main, lang, withTimeout, wipes } from './util.js';
import { speakState } from './state.js';

speakState().then((state) => say(main.dataset.prompt, state));

// The badge on the outbox tile: how many wait or were refused.
const badge = main.querySelector('.badge[data-count]');
async function count() {
  const { queued, rejected } = await sovaOutbox.counts();
  badge.hidden = queued + rejected.length === 0;
  badge.textContent = (queued + rejected.length).toLocaleString(lang);
}
addEventListener('sova-outbox', count);
if ('BroadcastChannel' in self) new BroadcastChannel(sovaOutbox.channel).addEventListener('message', count);
count();

// --- The language's voice, kept offline ----------------------------------------
// Every page's own voice is kept as she opens it (app.js); this tile keeps
// all of the language's at once, its size shown first: data is prepaid.
const dl = main.querySelector('.voice-dl');
if (dl && 'serviceWorker' in navigator) {
  const keep = async () => {
    dl.dataset.state = 'busy';
    const reg = await navigator.serviceWorker.ready;
    // None active: the worker is being wiped away (home.js, below).
    if (reg.active) reg.active.postMessage({ type: 'offline', lang, codec, voice: true });
  };
  navigator.serviceWorker.ready.then(() => {
    dl.hidden = false;
    dl.addEventListener('click', () => {
      if (dl.dataset.state !== 'ready' && dl.dataset.state !== 'busy') keep();
    });
  });
  // A new version that takes over while the voice downloads, or after,
  // must keep it too: its install may have copied the choice before the
  // download finished, and the old cache is gone with the old worker.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (dl.dataset.state === 'busy' || dl.dataset.state === 'ready') keep();
  });
  addEventListener('sova-worker', (e) => {
    const m = e.detail;
    if (m.lang !== lang) return;
    if (m.type === 'offline-ready' && m.voice) dl.dataset.state = 'ready';
    if (m.type === 'offline-failed' && m.voice) dl.dataset.state = 'failed';
    if (m.type === 'offline-progress') dl.querySelector('.size').textContent = Math.floor((100 * m.done) / m.total) + '%';
    if (m.type === 'offline-ready' || m.type === 'offline-failed') showSize();
  });
  showSize();
}

// The voice's size for this phone's codec, in the member's language's
// digits and unit.
function showSize() {
  const kb = Math.ceil(Number(dl.dataset[codec]) / 1000);
  let text = kb + ' KB';
  try { text = new Intl.NumberFormat(lang, { style: 'unit', unit: 'kilobyte' }).format(kb); } catch { /* old browser */ }
  dl.querySelector('.size').textContent = dl.dataset.state === 'ready' ? '' : text;
}

// --- Wipe ------------------------------------------------------------------
// One control erases everything Sova keeps on this phone: the worker, every
// cache, the outbox (unsent answers too) and any push subscription. The
// first tap arms it: it turns red and the voice says what will be lost,
// unsent answers first. Only a second tap erases, then leaves like quick
// exit.
const wipeBtn = main.querySelector('.wipe');
async function wipeAll() {
  const reg = 'serviceWorker' in navigator && (await navigator.serviceWorker.getRegistration().catch(() => null));
  if (reg) {
    await sovaOutbox.stopPush(reg);
    await reg.unregister().catch(() => {});
  }
  for (const name of await caches.keys()) await caches.delete(name);
  await sovaOutbox.wipe().catch(() => {});
  try { localStorage.clear(); sessionStorage.clear(); } catch { /* none to clear */ }
  // Online, the browser itself is told to erase the site's storage, files
  // on disk included (see the server's /wipe).
  await fetch('/wipe', { method: 'POST', headers: { 'X-Sova-Wipe': '1' }, signal: withTimeout(5000) }).catch(() => {});
  sovaExit();
}
let armedAt = 0;
wipeBtn.addEventListener('click', async () => {
  if (wipeBtn.classList.contains('armed')) {
    // A double tap, or a tremor, must not skip the warning.
    if (Date.now() - armedAt < 1500) return;
    wipeBtn.disabled = true;
    if (wipes) wipes.postMessage('wipe');
    return wipeAll();
  }
  armedAt = Date.now();
  wipeBtn.classList.add('armed');
  const { queued, rejected } = await sovaOutbox.counts();
  const unsent = queued + rejected.length;
  const unsentBadge = wipeBtn.querySelector('[data-unsent]');
  unsentBadge.hidden = unsent === 0;
  unsentBadge.textContent = unsent.toLocaleString(lang);
  say(unsent && wipeBtn.dataset.unsent, wipeBtn.dataset.confirm);
});
// A tap anywhere else disarms it.
document.addEventListener('click', (e) => {
  if (!wipeBtn.contains(e.target)) wipeBtn.classList.remove('armed');
});

// What every member page runs, beside its own entry script (home.js,
// survey-page.js, …: an error in one page's script cannot stop this, nor
// another page's): the service worker, keeping the page and its voice
// offline, keeping the outbox moving, and outreach and kiosk modes.
/* global sovaOutbox, sovaExit */
import { codec, speaking, stems, then } from './voice.js';
import { page, lang, wipes } from './util.js';

// --- Keeping the outbox moving -------------------------------------------
// Sync on load, on `online`, when the page comes back to view, after each
// submit (survey-page.js asks with 'sova-sync'), and with backoff while
// anything waits. The worker also syncs on Background Sync (Chromium) and
// whenever it starts.
let delay = 0, timer = 0;
async function sync() {
  clearTimeout(timer);
  try {
    await sovaOutbox.sync();
    delay = 0;
    delete document.body.dataset.signal;
  } catch {
    document.body.dataset.signal = 'none';
    delay = Math.min(delay ? delay * 2 : 5000, 5 * 60000);
  }
  const { queued } = await sovaOutbox.counts();
  if (queued && delay) timer = setTimeout(sync, delay);
  dispatchEvent(new Event('sova-signal'));
}
addEventListener('online', sync);
addEventListener('sova-sync', sync);
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && sync());

// --- Sent, heard ---------------------------------------------------------------
// When answers waiting here reach the organisation while Sova is open (sent
// by this page or by the worker), a short chime and the word "sent" say so,
// after whatever is being said: she always knows where her answers are.
let before = null;
async function noticeSent() {
  const { queued, rejected, wiped } = await sovaOutbox.counts();
  // Items that left the queue without being refused were sent; a wipe
  // sends nothing.
  const sent = !wiped && before && before.queued - queued - (rejected.length - before.rejected);
  if (sent > 0 && page !== 'preview') {
    chime();
    then(document.body.dataset.sent);
  }
  before = { queued, rejected: rejected.length };
}
addEventListener('sova-outbox', noticeSent);
if ('BroadcastChannel' in self) new BroadcastChannel(sovaOutbox.channel).addEventListener('message', noticeSent);
noticeSent();

// chime is two short rising notes, made here: no file to download or keep.
function chime() {
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    [660, 880].forEach((f, i) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      const t = ctx.currentTime + i * 0.15;
      gain.gain.setValueAtTime(0.2, t);
      o.start(t);
      o.stop(t + 0.14);
    });
    setTimeout(() => ctx.close(), 1000);
  } catch { /* no Web Audio: the word alone */ }
}

// --- Offline ---------------------------------------------------------------
// Pages and scripts are kept offline at once, and so is the voice of every
// page she opens (a survey opened once online speaks offline later); the
// whole language's voice when she taps its download tile (home.js).

// hurry asks a new version that waits to take over, once. It asked for that
// itself as it installed (skipWaiting), but Chromium swaps versions only once
// the old worker is idle, and may miss that moment: she would keep the old
// version for minutes (seen on Chromium 156: up to its five-minute limit).
// Chromium looks again at a new request, and only at the first, so it is
// made while the old worker is surely running (it just answered this page):
// Chromium then stops that one as soon as it is idle, and swaps.
let hurried = false;
function hurry(reg) {
  if (hurried || !reg.waiting) return;
  hurried = true;
  reg.waiting.postMessage({ type: 'take-over' });
}
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').then(async (reg) => {
    let answered = false;
    navigator.serviceWorker.addEventListener('message', () => { answered = true; hurry(reg); });
    const installed = () => reg.installing && reg.installing.addEventListener('statechange', () => answered && hurry(reg));
    installed(); // the browser may have found it before this page ran
    reg.addEventListener('updatefound', installed);
    const { active } = await navigator.serviceWorker.ready;
    if (!active) return; // being wiped
    // The picker keeps the shell offline (with each language saying its own
    // name); every other page keeps its language.
    active.postMessage({ type: 'offline', lang: page === 'picker' ? '' : lang, codec });
    active.postMessage({ type: 'voice', urls: stems().map((s) => s + '.' + codec) });
  }).catch(() => {});
  navigator.serviceWorker.addEventListener('message', (e) => {
    const m = e.data || {};
    if (m.type === 'offline-ready') document.body.dataset.offline = m.version;
    dispatchEvent(new CustomEvent('sova-worker', { detail: m }));
  });
}
sync();

// --- Wipe, from another tab ------------------------------------------------------
// Another tab that wipes (home.js) tells this one to go too, before it could
// make anything again.
if (wipes) wipes.onmessage = () => sovaOutbox.wipe().catch(() => {}).then(() => sovaExit());

// --- Outreach and kiosk modes -------------------------------------------------
// Outreach: a field worker's phone (set up from the console) shows her site,
// which she can change between places.
(async () => {
  const device = await sovaOutbox.getMeta('outreach');
  const bar = document.querySelector('.outreach-bar');
  if (!device || !bar) return;
  const select = bar.querySelector('select');
  for (const site of device.sites) {
    const o = new Option(site.code + (site.name ? ' · ' + site.name : ''), site.code, false, site.code === device.site);
    select.append(o);
  }
  select.addEventListener('change', () => sovaOutbox.setMeta('outreach', Object.assign({}, device, { site: select.value })));
  bar.hidden = false;
})();

// Kiosk: a shared tablet. Staff turn it on once with ?kiosk=on (off with
// ?kiosk=off). After each person, and after three idle minutes, it goes back
// to the start, with replace() so Back leads nowhere.
const kioskParam = new URLSearchParams(location.search).get('kiosk');
if (kioskParam) {
  sovaOutbox.setMeta('kiosk', kioskParam === 'on' ? true : undefined)
    .then(() => location.replace(location.pathname));
} else {
  sovaOutbox.getMeta('kiosk').then((kiosk) => {
    if (!kiosk) return;
    document.body.classList.add('kiosk');
    const restart = () => location.replace('/');
    let idle = setTimeout(restart, 180000);
    for (const ev of ['pointerdown', 'keydown', 'input']) {
      addEventListener(ev, () => { clearTimeout(idle); idle = setTimeout(restart, 180000); }, true);
    }
    // The next person's turn, once the thank-you page has said its words.
    const later = () => (speaking() ? setTimeout(later, 1000) : restart());
    if (page === 'thanks') setTimeout(later, 10000);
  });
}

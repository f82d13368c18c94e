// The member app's entry point: registers the service worker, keeps the
// outbox moving, and runs whichever page this is. Pages are rendered by the
// server and work as plain HTML; this adds voice, the one-question-at-a-time
// survey, sealing, and live outbox counts.
/* global sovaOutbox */
import { b64u, seal } from './hpke.js';
import { codec, say } from './voice.js';
import { runSurvey } from './survey.js';

const { page, lang, home } = document.body.dataset;
const te = new TextEncoder();
const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

// --- Keeping the outbox moving -------------------------------------------
// Sync on load, on `online`, when the page comes back to view, after each
// submit, and with backoff while anything waits. The worker also syncs on
// Background Sync (Chromium) and whenever it starts.
let delay = 0, timer = 0;
async function sync() {
  clearTimeout(timer);
  try {
    await sovaOutbox.sync();
    delay = 0;
    document.body.classList.remove('offline');
  } catch {
    document.body.classList.add('offline');
    delay = Math.min(delay ? delay * 2 : 5000, 5 * 60000);
  }
  const { queued } = await sovaOutbox.counts();
  if (queued && delay) timer = setTimeout(sync, delay);
  updateCounts();
}
addEventListener('online', sync);
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && sync());

async function askBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register('sova-outbox');
  } catch { /* not in this browser: the other triggers cover it */ }
}

// --- Offline ---------------------------------------------------------------
// Pages and scripts are kept offline at once; a language's voice only when
// the member taps its download tile, which shows the size first.
const dl = document.querySelector('.voice-dl');
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').then(async () => {
    const reg = await navigator.serviceWorker.ready;
    // The picker keeps the shell offline (with each language saying its own
    // name); every other page keeps its language.
    reg.active.postMessage({ type: 'offline', lang: page === 'picker' ? '' : lang, codec });
    if (dl) {
      dl.hidden = false;
      dl.addEventListener('click', () => {
        if (dl.dataset.state === 'ready' || dl.dataset.state === 'busy') return;
        dl.dataset.state = 'busy';
        reg.active.postMessage({ type: 'offline', lang, codec, voice: true });
      });
    }
  }).catch(() => {});
  // A new version that takes over while the voice downloads, or after,
  // must keep it too: its install may have copied the choice before the
  // download finished, and the old cache is gone with the old worker.
  navigator.serviceWorker.addEventListener('controllerchange', async () => {
    if (!dl || (dl.dataset.state !== 'busy' && dl.dataset.state !== 'ready')) return;
    dl.dataset.state = 'busy';
    const reg = await navigator.serviceWorker.ready;
    reg.active.postMessage({ type: 'offline', lang, codec, voice: true });
  });
  navigator.serviceWorker.addEventListener('message', (e) => {
    const m = e.data || {};
    if (m.type === 'offline-ready') document.body.dataset.offline = m.version;
    if (!dl || m.lang !== lang) return;
    if (m.type === 'offline-ready' && m.voice) dl.dataset.state = 'ready';
    if (m.type === 'offline-failed' && m.voice) dl.dataset.state = 'failed';
    if (m.type === 'offline-progress') dl.querySelector('.size').textContent = Math.floor((100 * m.done) / m.total) + '%';
    if (m.type === 'offline-ready' || m.type === 'offline-failed') showSize();
  });
}

// The voice's size for this phone's codec, in the member's language's
// digits and unit.
function showSize() {
  const kb = Math.ceil(Number(dl.dataset[codec]) / 1000);
  let text = kb + ' KB';
  try { text = new Intl.NumberFormat(lang, { style: 'unit', unit: 'kilobyte' }).format(kb); } catch { /* old browser */ }
  dl.querySelector('.size').textContent = dl.dataset.state === 'ready' ? '' : text;
}
if (dl) showSize();

// --- Wipe ------------------------------------------------------------------
// One control erases everything Sova keeps on this phone: the worker, every
// cache, the outbox (unsent answers too) and any push subscription. The
// first tap arms it: it turns red and the voice says what will be lost,
// unsent answers first. Only a second tap erases, then leaves like quick
// exit.
const wipeBtn = document.querySelector('.wipe');
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
// Another tab that wipes tells this one to go too, before it could make
// anything again.
const wipes = 'BroadcastChannel' in self ? new BroadcastChannel('sova-wipe') : null;
if (wipes) {
  wipes.onmessage = () => sovaOutbox.wipe().catch(() => {}).then(() => sovaExit());
}
let armedAt = 0;
if (wipeBtn) {
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
    const badge = wipeBtn.querySelector('[data-unsent]');
    badge.hidden = unsent === 0;
    badge.textContent = String(unsent);
    if (unsent && !(await say(wipeBtn.dataset.unsent))) return;
    say(wipeBtn.dataset.confirm);
  });
  // A tap anywhere else disarms it.
  document.addEventListener('click', (e) => {
    if (!wipeBtn.contains(e.target)) wipeBtn.classList.remove('armed');
  });
}

// --- Warnings ------------------------------------------------------------------
// The feed hides warnings that expired while the phone stayed offline, shows
// dates in the member's language, and filters by area. The chosen area is
// not kept: where a member works is nothing to leave on her phone.
if (page === 'warnings') {
  const today = new Date().toISOString().slice(0, 10);
  const cards = [...main.querySelectorAll('article.warning')];
  const fmt = (() => { try { return new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long' }); } catch { return null; } })();
  for (const t of main.querySelectorAll('time[datetime]')) {
    if (fmt) t.textContent = fmt.format(new Date(t.dateTime + 'T12:00:00Z'));
  }
  const select = main.querySelector('.area-filter select');
  const show = () => {
    const area = select ? select.value : '';
    let n = 0;
    for (const c of cards) {
      c.hidden = c.dataset.expires < today || (area !== '' && c.dataset.area !== '' && c.dataset.area !== area);
      if (!c.hidden) n++;
    }
    main.querySelector('.none').hidden = n > 0;
  };
  if (select) select.addEventListener('change', show);
  show();
}

// --- Counts on the home and outbox pages ------------------------------------
const badge = document.querySelector('.badge[data-count]');
const box = document.querySelector('main.outbox');
async function updateCounts() {
  const { queued, rejected } = await sovaOutbox.counts();
  if (badge) {
    badge.hidden = queued + rejected.length === 0;
    badge.textContent = String(queued + rejected.length);
  }
  if (box) renderOutbox(queued, rejected);
}
const onChange = () => updateCounts();
addEventListener('sova-outbox', onChange);
if ('BroadcastChannel' in self) new BroadcastChannel(sovaOutbox.channel).onmessage = onChange;

// armed holds the refused items whose bin was tapped once; it outlives the
// list being redrawn when counts change.
const armed = new Set();

let shown = '', listed = '';
function renderOutbox(queued, rejected) {
  // Redraw only on a real change, and the list of refused items only when
  // it changed: a redraw between a finger's press and release would swallow
  // the tap on a bin.
  const state = JSON.stringify([queued, rejected, document.body.classList.contains('offline')]);
  if (state === shown) return;
  shown = state;
  const forms = JSON.parse(box.dataset.waiting);
  const errors = JSON.parse(box.dataset.errors);
  const form = forms[new Intl.PluralRules(lang).select(queued)] || forms.other;
  box.querySelector('.count').textContent = form.replace('{n}', String(queued));
  box.querySelector('.count').hidden = queued === 0;
  box.querySelector('.empty').hidden = queued + rejected.length > 0;
  box.querySelector('.offline').hidden = !(queued && document.body.classList.contains('offline'));
  box.querySelector('.send-now').hidden = queued === 0;
  const section = box.querySelector('.rejected');
  section.hidden = rejected.length === 0;
  const list = JSON.stringify(rejected.map((r) => [r.n, r.error]));
  if (list === listed) return;
  listed = list;
  const tpl = section.querySelector('template');
  replaceAll(section.querySelector('ul'), rejected.map((r) => {
    const li = tpl.content.firstElementChild.cloneNode(true);
    const why = errors[r.error] || errors.network;
    li.querySelector('.why').textContent = why.t;
    if (why.v) li.querySelector('.why').dataset.say = why.v;
    const rm = li.querySelector('.remove');
    rm.dataset.n = r.n;
    rm.classList.toggle('armed', armed.has(r.n));
    return li;
  }));
}

// replaceAll is Element.replaceChildren, which Chrome < 86 and iOS < 14 lack.
function replaceAll(el, nodes) {
  el.textContent = '';
  el.append(...nodes);
}

if (box) {
  box.addEventListener('click', async (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    if (b.classList.contains('send-now')) sync();
    if (b.classList.contains('remove')) {
      // Two taps: the first arms the button (it turns red and speaks), the
      // second removes. No words to read, no accidental loss.
      const n = Number(b.dataset.n);
      if (!armed.has(n)) { armed.add(n); b.classList.add('armed'); return; }
      armed.delete(n);
      await sovaOutbox.remove(n);
    }
  });
}

// --- Submitting a survey -----------------------------------------------------
// The key is fetched when the survey opens, not at "send": by then the
// signal may be gone, and the worker serves its cached copy anyway.
const withTimeout = (ms) => {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
};
let keyP = null;
const responseKey = () => keyP || (keyP = fetch('/api/v1/keys/response', { signal: withTimeout(20000) })
  .then((r) => { if (!r.ok) throw new Error('key: HTTP ' + r.status); return r.json(); })
  .catch((err) => { keyP = null; throw err; }));

// uuid4 is crypto.randomUUID where the browser has it (Chrome 92, Safari
// 15.4), else the same from getRandomValues.
const uuid4 = () => (crypto.randomUUID ? crypto.randomUUID()
  : ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

async function submit(survey, version, answers) {
  const key = await responseKey();
  const id = uuid4();
  const plaintext = te.encode(JSON.stringify({ lang, answers }));
  const sealed = await seal(unb64u(key.publicKey), te.encode('sova response v1'), te.encode(id), plaintext);
  const item = { id, survey, version, kid: key.kid, sealed: b64u(sealed) };
  // On a field worker's phone every item is marked assisted: her id and
  // the site, nothing about the person who answered.
  const device = await sovaOutbox.getMeta('outreach');
  if (device) item.assisted = { worker: device.worker, site: device.site };
  await sovaOutbox.add(item);
  // Now there is something to keep: ask that the browser not evict it.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  askBackgroundSync();
  sync();
  // replace(): Back must not lead into an emptied survey.
  location.replace(home + 'thanks');
}

const main = document.querySelector('main');
if (page === 'preview') {
  // A staff preview: the same screens, but nothing is sealed or queued.
  runSurvey(main, async () => location.assign('/staff/surveys'));
} else if (page === 'survey') {
  responseKey().catch(() => {});
  runSurvey(main, (answers) => submit(main.dataset.survey, Number(main.dataset.version), answers));
  // Back from another page may restore this one, answers and all, from the
  // browser's page cache: start afresh instead, so nobody finds them there.
  addEventListener('pageshow', (e) => e.persisted && location.reload());
} else if (page === 'picker') {
  runPicker();
} else if (page === 'notify') {
  import('./notify.js');
  say(main.dataset.prompt);
} else {
  say(main.dataset.prompt);
}
sync();

// --- The language picker --------------------------------------------------------
// Each tile says its language's name in that language. On arrival the tiles
// speak in turn, each lit while it speaks; a tap on a tile says its name and
// lights it, and a second tap on the lit tile opens that language. A member
// who cannot read finds hers by ear.
function runPicker() {
  const tiles = [...main.querySelectorAll('a.tile[data-say]')];
  let lit = null, touring = false;
  const light = (a) => {
    if (lit) lit.classList.remove('chosen');
    lit = a;
    if (a) a.classList.add('chosen');
  };
  async function tour() {
    touring = true;
    for (const a of tiles) {
      light(a);
      if (!touring || !(await say(a.dataset.say)) || !touring) break;
    }
    if (touring) light(null);
    touring = false;
  }
  main.addEventListener('click', (e) => {
    const a = e.target.closest('a.tile');
    if (!a || (a === lit && !touring)) return; // the second tap follows the link
    e.preventDefault();
    touring = false;
    light(a);
    say(a.dataset.say);
  });
  // Sound refused until a first tap: the speaker button starts the tour.
  document.querySelector('button.sound').addEventListener('click', () => setTimeout(tour));
  tour();
}

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
    if (page === 'thanks') setTimeout(restart, 10000);
  });
}

// The check: is anything known about a client? What she types (or shares
// from another app) is hashed here, the way the moderators' confirmations
// were (screen.js), and looked up in the offline list, check.json, which
// holds hashes only. Nothing she types is stored, put in the address or
// sent anywhere; leaving the page forgets it.
import { say, then } from './voice.js';
import { main, plural, replaceAll, localDay, utcDays } from './util.js';
import { normalizePhone, normalizePlate, normalizeHandle, hash, pickPhone } from './screen.js';
import { echoDigits, pickSite, handleOf, clearFields } from './fields.js';

const data = (k) => JSON.parse(main.dataset[k]);
const kinds = data('kinds'), areas = data('areas'), ago = data('ago'), counts = data('counts'), found = data('found');
const tel = main.querySelector('input.tel'), plate = main.querySelector('input.plate');
const sites = main.querySelector('.sites');
const result = main.querySelector('.result');
const hits = result.querySelector('.hits');
const row = main.querySelector('template');
// A country whose numbers the phone cannot read: only numbers with + match.
const noRules = { cc: '', intl: '(?!)', npp: '', lengths: [] };

echoDigits(tel);
sites.addEventListener('click', (e) => {
  const b = e.target.closest('button.site');
  if (b) pickSite(sites, b);
});

let list = null;
async function load() {
  if (!list) {
    const r = await fetch('/check.json');
    if (!r.ok) throw new Error('check.json: HTTP ' + r.status);
    list = await r.json();
  }
  return list;
}

// ids are the identifiers she entered, as the list's kinds; null for a
// number that cannot be read.
function ids(l) {
  const out = [];
  if (tel.value.trim()) {
    const p = normalizePhone(tel.value, l.rules || noRules);
    if (!p) return null;
    out.push(['phone', p]);
  }
  const pl = normalizePlate(plate.value);
  if (pl) out.push(['plate', pl]);
  const [site, ...name] = handleOf(main).split('/');
  const h = site && normalizeHandle(name.join('/'), site);
  if (h) out.push(['handle', h]);
  return out;
}

const b64u = (a) => btoa(String.fromCharCode(...a)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// matches are the live warnings any of the identifiers is in, by the
// phone's own date: a phone offline for weeks drops what has expired.
async function matches(l, entered) {
  if (!l.salt) return [];
  const p = { salt: Uint8Array.from(atob(l.salt), (c) => c.charCodeAt(0)), iterations: l.iter, bytes: l.bytes };
  const today = localDay(new Date());
  const out = new Set();
  for (const [kind, id] of entered) {
    for (const i of l.h[b64u(await hash(p, kind, id))] || []) if (l.w[i][3] >= today) out.add(i);
  }
  return [...out].map((i) => l.w[i]);
}

function show(cls) {
  for (const p of result.querySelectorAll('p')) p.hidden = !p.classList.contains(cls);
  if (cls !== 'found') replaceAll(hits, []);
  return result.querySelector('p.' + cls);
}

function since(day) {
  const d = utcDays(localDay(new Date())) - utcDays(day);
  return ago[d < 7 ? 'week' : d < 31 ? 'month' : 'earlier'];
}

let busy = false;
// check says "checking" at once (in the tap, so the button keeps quiet:
// nothing Sova says is cut by Sova), and what it found after it.
async function check(first) {
  if (busy) return;
  busy = true;
  first(show('busy').dataset.say);
  try {
    let l;
    try { l = await load(); } catch { return then(show('unknown').dataset.say); }
    const entered = ids(l);
    if (entered === null) return then(show('bad').dataset.say);
    if (!entered.length) return then(show('empty').dataset.say);
    const ws = await matches(l, entered);
    if (!ws.length) return then(show('none').dataset.say);
    const p = show('found');
    const n = ws.length;
    p.querySelector('.t').textContent = plural(found, n);
    const words = [n <= Number(main.dataset.max) ? counts[n] : main.dataset.many];
    replaceAll(hits, ws.map(([kind, area, day]) => {
      const li = row.content.firstElementChild.cloneNode(true);
      const k = kinds[kind] || kinds.other, a = areas[area], when = since(day);
      const put = (cls, s) => {
        const el = li.querySelector('.' + cls);
        if (!s) return el.remove();
        if (s.i) el.querySelector('img').src = s.i;
        el.querySelector('span').textContent = s.t;
        if (s.v) words.push({ stem: s.v, el: li });
      };
      put('kind', k);
      put('area', a);
      put('ago', when);
      return li;
    }));
    then(...words);
  } finally {
    busy = false;
  }
}

main.querySelector('button.go').addEventListener('click', () => check(say));
main.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target.matches('input')) check(say); });

// Shared from another app: the worker kept the words for this page alone
// (sw.js) and gives them once; the number is picked out of them.
if ('serviceWorker' in navigator && navigator.serviceWorker.controller) {
  navigator.serviceWorker.addEventListener('message', (e) => {
    const m = e.data || {};
    if (m.type !== 'shared') return;
    const n = pickPhone(m.text);
    if (n) { tel.value = n; check(then); }
  });
  navigator.serviceWorker.controller.postMessage({ type: 'take-shared' });
}

// Gone from the page, gone from the phone: nothing typed waits in a page
// the browser keeps for Back.
addEventListener('pagehide', () => { clearFields(main); show(''); });
say(main.dataset.prompt);

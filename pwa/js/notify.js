// The notifications page: turning push on and off, and choosing what to
// hear about. The subscription lives in the browser and on the server, and
// nowhere else: the topics are read back from the server, so the phone
// keeps no list of the areas a member follows.
/* global sovaOutbox */
import { say, then } from './voice.js';

const main = document.querySelector('main.notify');
const { lang } = document.body.dataset;
const onBtn = main.querySelector('.turn-on');
const stopBtn = main.querySelector('.stop');
const pressed = (el) => el.getAttribute('aria-pressed') === 'true';
const buttons = (sel) => [...main.querySelectorAll(sel)];

// status shows and says how things stand; on arrival, after the page's
// explanation, never over it.
function status(name, arriving) {
  for (const p of buttons('.status')) p.hidden = p.dataset.status !== name;
  const p = main.querySelector(`.status[data-status="${name}"]`);
  if (p) (arriving ? then : say)(p.dataset.say);
}

function showOn(on) {
  onBtn.hidden = on;
  stopBtn.hidden = !on;
}

function topics() {
  return {
    warnings: pressed(main.querySelector('[data-topic=warnings]')),
    surveys: pressed(main.querySelector('[data-topic=surveys]')),
    areas: buttons('[data-area]').filter(pressed).map((b) => b.dataset.area),
  };
}

const timeout = (ms) => new Promise((resolve, reject) => setTimeout(() => reject(new Error('timeout')), ms));
const supported = 'serviceWorker' in navigator && 'PushManager' in self && 'Notification' in self;
// ready never settles if the worker could not install (its precache cut off
// on a bad line): the page must not wait for it for ever.
const registration = () => Promise.race([navigator.serviceWorker.ready, timeout(10000)]);
const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const key = unb64u(main.dataset.key);
const sameKey = (sub) => {
  const k = sub.options && sub.options.applicationServerKey;
  if (!k) return true;
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((b, i) => b === key[i]);
};

// known: the server's copy of her choices was read (or written) on this
// page, so changing them cannot overwrite it with the page's defaults.
let known = false;

async function save(sub) {
  await sovaOutbox.savePush(sub, lang, topics());
  known = true;
}

async function turnOn() {
  if (!supported) return status('unsupported');
  // Asked first, in the tap itself: Safari asks only from a tap.
  if ((await Notification.requestPermission()) !== 'granted') return status('denied');
  try {
    const reg = await registration();
    // One made with another key (the server's data was started afresh)
    // can never be used, and blocks a new one.
    const old = await reg.pushManager.getSubscription();
    if (old && !sameKey(old)) await old.unsubscribe();
    // The browser asks its push service, which may never answer on a bad
    // line: after 15 s the member hears that it failed, and may try again.
    const sub = await Promise.race([reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), timeout(15000)]);
    await save(sub);
    showOn(true);
    status('is_on');
  } catch {
    status('failed');
  }
}

// Stopping needs no signal: the browser drops the subscription at once, and
// the push service then tells the server it is gone if the server was not
// told here.
async function stop() {
  try {
    await sovaOutbox.stopPush(await registration());
  } catch { /* no worker, so no subscription */ }
  showOn(false);
  status('is_off');
}

onBtn.addEventListener('click', turnOn);
stopBtn.addEventListener('click', stop);

// Topics toggle. Off, they go with "turn on". On, each change is saved at
// once, and turning the last topic off stops notifications; but only once
// her choices were read from the server, or an offline page's defaults
// would overwrite them.
let saving = Promise.resolve();
main.addEventListener('click', (e) => {
  const b = e.target.closest('[data-topic],[data-area]');
  if (!b) return;
  const on = onBtn.hidden;
  if (on && !known) return status('failed');
  b.setAttribute('aria-pressed', String(!pressed(b)));
  const t = topics();
  onBtn.disabled = !t.warnings && !t.surveys;
  if (!on) return;
  saving = saving.then(async () => {
    if (!t.warnings && !t.surveys) return stop();
    const sub = await (await registration()).pushManager.getSubscription();
    if (sub) await save(sub);
  }).catch(() => status('failed'));
});

// On arrival: the explanation, then on or off, with the choices the server
// holds.
say(main.dataset.prompt);
(async () => {
  if (!supported) return status('unsupported', true);
  if (Notification.permission === 'denied') status('denied', true);
  try {
    const sub = await (await registration()).pushManager.getSubscription();
    if (!sub) return showOn(false);
    showOn(true);
    const res = await fetch(await sovaOutbox.subscriptionURL(sub), { cache: 'no-store' });
    if (res.status === 404) return showOn(false); // the server dropped it: subscribe again
    if (!res.ok) return;
    const { topics: t } = await res.json();
    main.querySelector('[data-topic=warnings]').setAttribute('aria-pressed', String(t.warnings));
    main.querySelector('[data-topic=surveys]').setAttribute('aria-pressed', String(t.surveys));
    for (const b of buttons('[data-area]')) b.setAttribute('aria-pressed', String((t.areas || []).includes(b.dataset.area)));
    known = true;
  } catch { /* offline: shown as on, her choices untouched */ }
})();

// The notifications page: turning push on and off, and choosing what to
// hear about. The subscription lives in the browser and on the server, and
// nowhere else: the topics are read back from the server, so the phone
// keeps no list of the areas a member follows.
/* global sovaOutbox */
import { say } from './voice.js';

const main = document.querySelector('main.notify');
const { lang } = document.body.dataset;
const onBtn = main.querySelector('.turn-on');
const stopBtn = main.querySelector('.stop');
const pressed = (el) => el.getAttribute('aria-pressed') === 'true';
const buttons = (sel) => [...main.querySelectorAll(sel)];

function status(name) {
  for (const p of buttons('.status')) p.hidden = p.dataset.status !== name;
  const p = main.querySelector(`.status[data-status="${name}"]`);
  if (p) say(p.dataset.say);
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

async function registration() {
  if (!('serviceWorker' in navigator) || !('PushManager' in self) || !('Notification' in self)) return null;
  return navigator.serviceWorker.ready;
}

async function save(sub) {
  const { endpoint, keys } = sub.toJSON();
  const res = await fetch(await sovaOutbox.subscriptionURL(endpoint), {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ endpoint, keys, lang, topics: topics() }),
  });
  if (!res.ok) throw new Error('subscribe: ' + res.status);
}

const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

async function turnOn() {
  const reg = await registration();
  if (!reg) return status('unsupported');
  if ((await Notification.requestPermission()) !== 'granted') return status('denied');
  try {
    // The browser asks its push service, which may never answer on a bad
    // line: after 15 s the member hears that it failed, and may try again.
    const sub = await Promise.race([
      reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: unb64u(main.dataset.key) }),
      new Promise((resolve, reject) => setTimeout(() => reject(new Error('no answer')), 15000)),
    ]);
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
  await sovaOutbox.stopPush(await registration());
  showOn(false);
  status('is_off');
}

onBtn.addEventListener('click', turnOn);
stopBtn.addEventListener('click', stop);

// Topics toggle; while on, each change is saved at once, and turning the
// last topic off stops notifications.
let saving = Promise.resolve();
main.addEventListener('click', (e) => {
  const b = e.target.closest('[data-topic],[data-area]');
  if (!b) return;
  b.setAttribute('aria-pressed', String(!pressed(b)));
  const t = topics();
  onBtn.disabled = !t.warnings && !t.surveys;
  if (onBtn.hidden) {
    saving = saving.then(async () => {
      const reg = await registration();
      const sub = reg && (await reg.pushManager.getSubscription());
      if (!sub) return;
      if (!t.warnings && !t.surveys) return stop();
      await save(sub).catch(() => status('failed'));
    });
  }
});

// On arrival: on or off, with the topics the server holds.
(async () => {
  const reg = await registration();
  if (!reg) return status('unsupported');
  if (Notification.permission === 'denied') status('denied');
  const sub = await reg.pushManager.getSubscription();
  if (!sub) return showOn(false);
  showOn(true);
  try {
    const res = await fetch(await sovaOutbox.subscriptionURL(sub.endpoint), { cache: 'no-store' });
    if (res.status === 404) return showOn(false); // the server dropped it: subscribe again
    const { topics: t } = await res.json();
    main.querySelector('[data-topic=warnings]').setAttribute('aria-pressed', String(t.warnings));
    main.querySelector('[data-topic=surveys]').setAttribute('aria-pressed', String(t.surveys));
    for (const b of buttons('[data-area]')) b.setAttribute('aria-pressed', String((t.areas || []).includes(b.dataset.area)));
  } catch { /* offline: the defaults show */ }
})();

// The outbox page: how many answers wait (state.js), whether there is
// signal, and the ones the organisation refused, each with its reason and a
// bin that takes two taps. Never what they say: sealed, they cannot be read
// here anyway.
/* global sovaOutbox */
import { say } from './voice.js';
import { main, replaceAll } from './util.js';
import { speakState } from './state.js';

// armed holds the refused items whose bin was tapped once; it outlives the
// list being redrawn when counts change.
const armed = new Set();
const errors = JSON.parse(main.dataset.errors);
const section = main.querySelector('.rejected');
const nosignal = main.querySelector('.nosignal');

let shown = '', listed = '';
async function render() {
  const { queued, rejected } = await sovaOutbox.counts();
  // Redraw only on a real change, and the list of refused items only when
  // it changed: a redraw between a finger's press and release would swallow
  // the tap on a bin.
  const state = JSON.stringify([queued, rejected, document.body.dataset.signal]);
  if (state === shown) return;
  shown = state;
  nosignal.hidden = !(queued && document.body.dataset.signal === 'none');
  main.querySelector('.send-now').hidden = queued === 0;
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
addEventListener('sova-outbox', render);
addEventListener('sova-signal', render);
if ('BroadcastChannel' in self) new BroadcastChannel(sovaOutbox.channel).addEventListener('message', render);
render();

main.addEventListener('click', async (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  if (b.classList.contains('send-now')) dispatchEvent(new Event('sova-sync'));
  if (b.classList.contains('remove')) {
    // Two taps: the first arms the button (it turns red and speaks), the
    // second removes. No words to read, no accidental loss.
    const n = Number(b.dataset.n);
    if (!armed.has(n)) { armed.add(n); b.classList.add('armed'); return; }
    armed.delete(n);
    await sovaOutbox.remove(n);
  }
});

speakState().then((state) => say(main.dataset.prompt, state));

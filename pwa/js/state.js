// Where her answers are, on the home, thank-you and outbox pages: how many
// wait on this phone, or that all were sent, each with its own icon, kept
// current as they go. speakState() is what the page says of it on arrival.
/* global sovaOutbox */
import { plural } from './util.js';

const box = document.querySelector('.state');

// render shows the state and returns its voice.
async function render() {
  const { queued } = await sovaOutbox.counts();
  const waiting = box.querySelector('.waiting');
  const empty = box.querySelector('.empty');
  waiting.hidden = queued === 0;
  empty.hidden = queued > 0;
  if (queued === 0) return empty.dataset.say;
  const many = queued > Number(box.dataset.max);
  waiting.querySelector('.t').textContent = many ? box.dataset.manyText : plural(JSON.parse(box.dataset.waiting), queued);
  return many ? box.dataset.many : JSON.parse(box.dataset.counts)[queued];
}

// speakState resolves with the state's voice, once shown.
export const speakState = () => (box ? render() : Promise.resolve(''));

if (box) {
  addEventListener('sova-outbox', render);
  if ('BroadcastChannel' in self) new BroadcastChannel(sovaOutbox.channel).addEventListener('message', render);
}

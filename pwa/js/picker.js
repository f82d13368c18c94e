// The language picker. Each tile says its language's name in that language.
// On arrival the tiles speak in turn, each lit while it speaks; a tap on a
// tile says its name and lights it, and a second tap on the lit tile opens
// that language. A member who cannot read finds hers by ear.
import { say } from './voice.js';
import { main } from './util.js';

const tiles = [...main.querySelectorAll('a.tile[data-say]')];
let chosen = null;
main.addEventListener('click', (e) => {
  const a = e.target.closest('a.tile');
  if (!a || a === chosen) return; // the second tap follows the link
  e.preventDefault();
  if (chosen) chosen.classList.remove('chosen');
  chosen = a;
  a.classList.add('chosen');
  say(a.dataset.say);
});
say(...tiles.map((a) => ({ stem: a.dataset.say, el: a })));

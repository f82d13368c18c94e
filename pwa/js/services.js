// The friendly-services directory: each service's opening days are seven
// marks with today's lit, and its speaker says its name, then whether it is
// open today.
import { say } from './voice.js';
import { main } from './util.js';

const weekday = (new Date().getDay() + 6) % 7; // 0 is Monday, as the marks
for (const svc of main.querySelectorAll('article.svc')) {
  const marks = svc.querySelectorAll('.days b');
  if (!marks.length) continue;
  marks[weekday].classList.add('today');
  const open = marks[weekday].classList.contains('open');
  const line = svc.querySelector(open ? '.today-open' : '.today-closed');
  line.hidden = false;
  const spk = svc.querySelector('h3 .spk');
  if (spk) spk.dataset.then = line.dataset.say;
}
// A service's speaker says its name and words, then today's opening.
main.addEventListener('click', (e) => {
  const spk = e.target.closest('.spk[data-then]');
  if (spk) say(spk.dataset.say, spk.dataset.then);
});
say(main.dataset.prompt);

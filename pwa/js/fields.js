// A client's identifiers as a member enters them, in the reporting form
// (survey.js) and the check (check.js): a number on the dial pad, each
// digit said back; a plate; a site picked by its tile, and a name.
import { say } from './voice.js';
import { asciiDigits } from './screen.js';

// echoDigits says each digit as it is typed (in any script's digits), so
// that she hears what she dialled.
export function echoDigits(input) {
  const stems = JSON.parse(input.dataset.digits || '[]');
  let before = '';
  input.addEventListener('input', () => {
    const now = asciiDigits(input.value);
    if (now.length === before.length + 1) {
      let i = 0;
      while (i < before.length && now[i] === before[i]) i++;
      if (stems[now[i]]) say(stems[now[i]]);
    }
    before = now;
  });
}

// pickSite lights the tapped site tile alone (or none, tapped again).
export function pickSite(box, tile) {
  const on = tile.getAttribute('aria-pressed') !== 'true';
  for (const b of box.querySelectorAll('button.site')) b.setAttribute('aria-pressed', String(on && b === tile));
}

// handleOf is "<site>/<name>" as the reporting form takes it, or ''.
export function handleOf(box) {
  const tile = box.querySelector('button.site[aria-pressed=true]');
  const name = box.querySelector('input.handle').value.trim();
  return tile && name ? tile.dataset.site + '/' + name : '';
}

// clearFields empties what she typed and chose.
export function clearFields(box) {
  for (const i of box.querySelectorAll('input.tel,input.plate,input.handle')) i.value = '';
  for (const b of box.querySelectorAll('button.site')) b.setAttribute('aria-pressed', 'false');
}

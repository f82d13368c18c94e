// Voice: every prompt, choice and control has a phrase, played from the
// service worker's cache. Phrases are URL stems; the phone's codec decides
// the extension (Opus in WebM where it plays, MP3 elsewhere: older iPhones).
export const codec = new Audio().canPlayType('audio/webm; codecs="opus"') ? 'webm' : 'mp3';

const player = new Audio();
player.preload = 'auto';
const soundBtn = document.querySelector('button.sound');
let pending = '';

// say plays a phrase now. Browsers refuse sound before the first tap; then
// the big speaker button shows, and tapping it plays what was refused.
export function say(stem) {
  if (!stem) return;
  player.pause();
  player.src = stem + '.' + codec;
  player.play().then(() => { soundBtn.hidden = true; }, (err) => {
    if (err && err.name === 'NotAllowedError') {
      pending = stem;
      soundBtn.hidden = false;
    }
  });
}

soundBtn.addEventListener('click', () => say(pending || soundBtn.dataset.say));

// Any control with a voice speaks when tapped (buttons and tiles alike);
// speaker buttons replay the prompt they sit in.
document.addEventListener('click', (e) => {
  const el = e.target.closest('[data-say]');
  if (el && el !== soundBtn && !el.matches('a')) say(el.dataset.say);
});

// Voice: every prompt, choice and control has a phrase, played from the
// service worker's cache. Phrases are URL stems; the phone's codec decides
// the extension (Opus in WebM where it plays, MP3 elsewhere: older iPhones).
export const codec = new Audio().canPlayType('audio/webm; codecs="opus"') ? 'webm' : 'mp3';

const player = new Audio();
player.preload = 'auto';
const soundBtn = document.querySelector('button.sound');
let pending = '';
let finish = null; // settles the promise of the phrase playing now

// say plays a phrase now, and resolves true when it has played to its end
// (false when cut short or refused). Browsers refuse sound before the first
// tap; then the big speaker button shows, and tapping it plays what was
// refused.
export function say(stem) {
  if (!stem) return Promise.resolve(false);
  player.pause();
  if (finish) finish(false);
  player.src = stem + '.' + codec;
  return new Promise((resolve) => {
    finish = (ended) => { finish = null; resolve(ended); };
    player.play().then(() => { soundBtn.hidden = true; }, (err) => {
      if (err && err.name === 'NotAllowedError') {
        pending = stem;
        soundBtn.hidden = false;
      }
      if (finish) finish(false);
    });
  });
}
player.addEventListener('ended', () => finish && finish(true));
addEventListener('sova-exit', () => player.pause()); // quick exit: silence at once
player.addEventListener('error', () => finish && finish(false));

soundBtn.addEventListener('click', () => say(pending || soundBtn.dataset.say));

// Any control with a voice speaks when tapped (buttons and tiles alike);
// speaker buttons replay the prompt they sit in.
document.addEventListener('click', (e) => {
  const el = e.target.closest('[data-say]');
  if (el && el !== soundBtn && !el.matches('a')) say(el.dataset.say);
});

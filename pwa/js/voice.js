// Voice: every prompt, choice and control has a phrase, played from the
// service worker's cache. Phrases are URL stems; the phone's codec decides
// the extension (Opus in WebM where it plays, MP3 elsewhere: older iPhones).
//
// A member who cannot read relies on her ears, so Sova never cuts its own
// words: a screen's words play in turn to their end, news (a send that went
// through) waits for them, and only her own tap cuts them.
export const codec = new Audio().canPlayType('audio/webm; codecs="opus"') ? 'webm' : 'mp3';

// Two players: one speaks while the other loads the next phrase, so that a
// slow phone says a screen's words without a gap between them.
let player = new Audio(), next = new Audio();
player.preload = next.preload = 'auto';
const url = (stem) => stem + '.' + codec;
const root = document.documentElement;
const soundBtn = document.querySelector('button.sound');
const muteSign = document.querySelector('.mute');

// line is what is still to be said: {stem, el, done}. el is lit while its
// phrase plays (an option read out in turn); done settles the say() or
// then() call the phrase belongs to.
let line = [];
let refused = null; // items kept for the sound button after autoplay was refused
let cut = null; // stops the phrase playing now

// spokeInTap is set while a tap's handlers run, once one of them spoke: the
// tapped control then keeps quiet, so "Next" never talks over the prompt of
// the screen it opened, nor over a warning it caused.
let spokeInTap = false;
const markSpoken = () => {
  if (spokeInTap) return;
  spokeInTap = true;
  setTimeout(() => { spokeInTap = false; }); // after this event's dispatch
};

function items(list) {
  return list.filter((it) => it).map((it) => (typeof it === 'string' ? { stem: it } : it));
}

// say cuts whatever plays and says the items in turn (stems, or
// {stem, el} to light el while it speaks). It resolves true once all were
// heard to their end, false when cut or unplayable.
export function say(...list) {
  markSpoken();
  for (const it of line) it.done(false);
  line = [];
  refused = null;
  if (cut) cut();
  return enqueue(items(list));
}

// then says the items after what is being said now, without cutting it.
export function then(...list) {
  return enqueue(items(list));
}

function enqueue(list) {
  if (!list.length) return Promise.resolve(false);
  let resolve;
  const p = new Promise((r) => { resolve = r; });
  const n = list.length;
  let left = n, all = true;
  for (const it of list) {
    it.done = (ok) => { all = all && ok; if (--left === 0) resolve(all); };
    line.push(it);
  }
  pump();
  return p;
}

let pumping = false;
async function pump() {
  if (pumping) return;
  pumping = true;
  root.dataset.voice = 'busy';
  while (line.length) {
    const it = line.shift();
    if (it.el) it.el.classList.add('speaking');
    const ok = await play(it);
    if (it.el) it.el.classList.remove('speaking');
    it.done(ok === true);
    if (ok === 'refused') {
      // Browsers refuse sound before the first tap: the big speaker button
      // shows, and its tap says everything that was refused.
      refused = [it, ...line];
      line = [];
      soundBtn.hidden = false;
    }
  }
  pumping = false;
  root.dataset.voice = 'idle';
}

// play resolves true when the phrase played to its end, false when cut,
// 'missing' when there is no voice for it, 'refused' when autoplay was.
function play(it) {
  if (!it.stem) { missing(true); return Promise.resolve('missing'); }
  if (next.src.endsWith(url(it.stem))) [player, next] = [next, player];
  else player.src = url(it.stem);
  const p = player;
  const after = line[0];
  if (after && after.stem) next.src = url(after.stem);
  return new Promise((resolve) => {
    const off = new AbortController();
    let stall = 0;
    const settle = (v) => {
      if (off.signal.aborted) return;
      off.abort();
      clearTimeout(stall);
      cut = null;
      resolve(v);
    };
    const on = (type, fn) => p.addEventListener(type, fn, { signal: off.signal });
    cut = () => { p.pause(); settle(false); };
    on('ended', () => { missing(false); settle(true); });
    // Not in the cache and no signal, or a damaged file: she sees it.
    on('error', () => { missing(true); settle('missing'); });
    // A phrase whose download stopped with the signal neither plays nor
    // fails: after STALL with no sign of life it counts as missing, so
    // that the rest of the screen's words (and news) still reach her.
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(() => { p.pause(); missing(true); settle('missing'); }, STALL);
    };
    for (const type of ['progress', 'timeupdate', 'playing']) on(type, alive);
    alive();
    p.play().then(() => { soundBtn.hidden = true; }, (err) => {
      if (err && err.name === 'NotAllowedError') settle('refused');
      else if (err && err.name === 'AbortError') settle(false);
      else { missing(true); settle('missing'); }
    });
  });
}

// STALL is how long a phrase may show no sign of life (no data coming, no
// time passing) before it counts as missing: long enough for a slow link's
// next packet, short enough that she is not left in silence.
const STALL = 15000;

// missing shows the "no sound" sign while the screen's voice cannot play.
function missing(on) {
  if (muteSign) muteSign.hidden = !on;
}

// speaking tells whether Sova is saying something now.
export const speaking = () => root.dataset.voice === 'busy';

addEventListener('sova-exit', () => { // quick exit: silence at once
  line = [];
  if (cut) cut();
});

soundBtn.addEventListener('click', () => {
  const again = refused || [{ stem: soundBtn.dataset.say }];
  refused = null;
  say(...again.map(({ stem, el }) => ({ stem, el })));
});

// Any control with a voice speaks when tapped (buttons and tiles alike),
// unless the tap already made Sova speak (a new screen, a warning). Links
// lead to a page that speaks for itself.
document.addEventListener('click', (e) => {
  const el = e.target.closest('[data-say]');
  if (!el || el === soundBtn || el.matches('a') || spokeInTap) return;
  say(el.dataset.say);
});

// Everything this page can say, as the worker's URLs: it keeps them so the
// page speaks offline later (see sw.js, 'voice').
export function stems() {
  return [...new Set(document.documentElement.innerHTML.match(/\/audio\/[^"'&\s\\]+\.[0-9a-f]{8}/g) || [])];
}

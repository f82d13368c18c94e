// The survey: one question per screen, answers held in this module's memory
// only. Nothing is written anywhere until the member taps "send", and then
// only sealed (see app.js). Leaving the page forgets everything.
import { say } from './voice.js';

const parse = (v, type) => {
  if (v === 'null') return null;
  if (type === 'yesno') return v === 'true';
  if (type === 'scale') return Number(v);
  return v;
};

export function runSurvey(main, submit) {
  const screens = [...main.querySelectorAll('section.q[data-q]')];
  const sendScreen = main.querySelector('section.send');
  const dots = document.querySelector('.dots');
  const nav = main.querySelector('footer.nav');
  const [backBtn, skipBtn, nextBtn] = ['back', 'skip', 'next'].map((c) => nav.querySelector('.' + c));
  const answers = {};
  const trail = []; // screens visited, for Back
  let cur = null;

  const q = (el) => ({ id: el.dataset.q, type: el.dataset.type, required: el.hasAttribute('data-required') });

  // shown evaluates a screen's showIf on the answers so far, in order: a
  // condition on a hidden or declined question is false.
  function shown(el, upTo = answers) {
    const cond = el.dataset.showif && JSON.parse(el.dataset.showif);
    if (!cond) return true;
    const got = upTo[cond.question];
    if (got === undefined || got === null) return false;
    return cond.anyOf.some((w) => (Array.isArray(got) ? got.includes(w) : got === w));
  }

  // visibleAnswers keeps only answers to questions still shown, in order, so
  // changing an earlier answer drops what it hid.
  function visibleAnswers() {
    const out = {};
    for (const el of screens) {
      const id = el.dataset.q;
      if (shown(el, out) && id in answers) out[id] = answers[id];
    }
    return out;
  }

  function renderDots() {
    const visible = screens.filter((el) => shown(el, visibleAnswers()));
    dots.textContent = ''; // not replaceChildren: Chrome < 86, iOS < 14
    dots.append(...visible.map((el) => {
      const li = document.createElement('li');
      if (el === cur) li.className = 'now';
      else if (el.dataset.q in answers) li.className = 'done';
      return li;
    }));
  }

  // mark shows what is answered: a chosen button is lit and ticked, a typed
  // number or text gets a green frame.
  function mark(el) {
    const { id, type } = q(el);
    const a = answers[id];
    el.querySelector('.choices').classList.toggle('answered', id in answers && a !== null);
    for (const b of el.querySelectorAll('button.c')) {
      const v = parse(b.dataset.v, type);
      const on = id in answers && (v === null ? a === null : Array.isArray(a) ? a.includes(v) : a === v);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  function show(el) {
    for (const s of [...screens, sendScreen]) s.hidden = s !== el;
    cur = el;
    const isQ = el !== sendScreen;
    backBtn.hidden = trail.length === 0;
    nextBtn.hidden = !isQ;
    skipBtn.hidden = !isQ || q(el).required;
    el.querySelector('.req') && (el.querySelector('.req').hidden = true);
    renderDots();
    window.scrollTo(0, 0);
    say(el.dataset.prompt);
  }

  function nextScreen(from) {
    const i = screens.indexOf(from);
    return screens.slice(i + 1).find((el) => shown(el, visibleAnswers())) || sendScreen;
  }

  function forward(skip) {
    const { id, required } = q(cur);
    if (skip) delete answers[id];
    else if (!(id in answers)) {
      if (required) {
        const req = cur.querySelector('.req');
        req.hidden = false;
        say(req.dataset.say);
        return;
      }
    }
    trail.push(cur);
    show(nextScreen(cur));
  }

  main.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    if (b === nextBtn) return forward(false);
    if (b === skipBtn) return forward(true);
    if (b === backBtn) { if (trail.length) show(trail.pop()); return; }
    if (b.classList.contains('submit')) return send(b);
    const el = b.closest('section.q[data-q]');
    if (!el) return;
    const { id, type } = q(el);
    if (b.classList.contains('c')) {
      const v = parse(b.dataset.v, type);
      if (type === 'multiple' && v !== null) {
        const list = Array.isArray(answers[id]) ? answers[id] : [];
        const next = list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
        if (next.length) answers[id] = next; else delete answers[id];
      } else {
        answers[id] = v;
      }
      const input = el.querySelector('input,textarea');
      if (input && v === null) input.value = '';
      el.querySelector('.req').hidden = true;
      mark(el);
      renderDots();
    } else if (b.classList.contains('minus') || b.classList.contains('plus')) {
      const input = el.querySelector('input');
      const n = (Number(input.value) || 0) + (b.classList.contains('plus') ? 1 : -1);
      input.value = String(Math.min(Number(input.max), Math.max(Number(input.min), n)));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });

  main.addEventListener('input', (e) => {
    const el = e.target.closest('section.q[data-q]');
    if (!el) return;
    const { id, type } = q(el);
    const raw = e.target.value.trim();
    if (type === 'number') {
      const n = Number(raw);
      const ok = raw !== '' && Number.isFinite(n) && n >= Number(e.target.min) && n <= Number(e.target.max);
      if (ok) answers[id] = n; else delete answers[id];
    } else if (raw) {
      answers[id] = raw.slice(0, 500);
    } else {
      delete answers[id];
    }
    mark(el);
  });

  // A typed answer is confirmed by voice once it is done (a choice says its
  // own name when tapped).
  main.addEventListener('change', (e) => {
    const el = e.target.closest('section.q[data-q]');
    if (el && e.target.matches('input,textarea') && answers[q(el).id] != null) say(main.dataset.noted);
  });

  let sending = false;
  async function send(btn) {
    if (sending) return;
    sending = true;
    btn.disabled = true;
    sendScreen.querySelector('.sealing').hidden = false;
    const failed = sendScreen.querySelector('.failed');
    failed.hidden = true;
    try {
      await submit(visibleAnswers());
    } catch (err) {
      // Nothing was kept: say so, in words and voice, and keep the answers
      // here so one more tap can try again.
      sending = false;
      btn.disabled = false;
      sendScreen.querySelector('.sealing').hidden = true;
      failed.hidden = false;
      say(failed.dataset.say);
    }
  }

  const first = screens.find((el) => shown(el));
  show(first || sendScreen);
}

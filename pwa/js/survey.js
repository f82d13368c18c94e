// The survey: one question per screen, answers held in this module's memory
// only. Nothing is written anywhere until the member taps "send", and then
// only sealed (see survey-page.js). Leaving the page forgets everything.
//
// Each screen says its prompt, then reads its options in turn, each lit
// while it speaks: hearing an option never chooses it. A tap stops the
// reading and chooses. A question with many options is shown over several
// screens of at most PAGE, so that she can hear every option on a screen.
import { say } from './voice.js';
import { shown, parseChoice, numberAnswer } from './rules.js';
import { echoDigits, pickSite, handleOf, clearFields } from './fields.js';

export const PAGE = 5;

export function runSurvey(main, submit) {
  const screens = [...main.querySelectorAll('section.q[data-q]')];
  const sendScreen = main.querySelector('section.send');
  const progress = document.querySelector('.progress');
  const nav = main.querySelector('footer.nav');
  const req = nav.querySelector('.req');
  const [backBtn, skipBtn, nextBtn] = ['back', 'skip', 'next'].map((c) => nav.querySelector('.' + c));
  const answers = {};
  const trail = []; // steps visited, for Back
  let cur = null; // the step shown: {el, page}

  for (const t of main.querySelectorAll('input.tel')) echoDigits(t);

  const q = (el) => ({ id: el.dataset.q, type: el.dataset.type, required: el.hasAttribute('data-required') });
  const cond = (el) => el.dataset.showif && JSON.parse(el.dataset.showif);

  // visibleAnswers keeps only answers to questions still shown, in order, so
  // changing an earlier answer drops what it hid.
  function visibleAnswers() {
    const out = {};
    for (const el of screens) {
      const id = el.dataset.q;
      if (shown(cond(el), out) && id in answers) out[id] = answers[id];
    }
    return out;
  }

  // pages splits a question's options (not "prefer not to say", which every
  // page shows: it is always a way on) into even pages of at most PAGE.
  function pages(el) {
    const opts = [...el.querySelectorAll('button.c:not([data-v=null])')];
    const n = Math.max(1, Math.ceil(opts.length / PAGE));
    const per = Math.ceil(opts.length / n);
    return Array.from({ length: n }, (_, i) => opts.slice(i * per, (i + 1) * per));
  }

  // Progress counts questions, not screens: "part 3 of 12".
  function renderProgress() {
    if (!progress) return;
    const visible = screens.filter((el) => shown(cond(el), visibleAnswers()));
    const m = visible.length;
    const n = cur.el === sendScreen ? m : visible.indexOf(cur.el) + 1;
    const bar = progress.querySelector('progress');
    bar.max = m;
    bar.value = n;
    const fmt = (x) => x.toLocaleString(document.documentElement.lang);
    progress.querySelector('span').textContent = progress.dataset.text.replace('{n}', fmt(n)).replace('{m}', fmt(m));
  }

  // mark shows what is answered: a chosen button is lit and ticked, a typed
  // number or text gets a green frame.
  function mark(el) {
    const { id, type } = q(el);
    const a = answers[id];
    el.querySelector('.choices').classList.toggle('answered', id in answers && a !== null);
    for (const b of el.querySelectorAll('button.c')) {
      const v = parseChoice(b.dataset.v, type);
      const on = id in answers && (v === null ? a === null : Array.isArray(a) ? a.includes(v) : a === v);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  // tour is what a screen says on arrival, and its speaker again: the
  // prompt, then each option of the page lit in turn, then, where the
  // options go on, that there are more.
  function tour(step) {
    const { el, page } = step;
    if (el === sendScreen) return [el.dataset.prompt];
    const ps = pages(el);
    const opts = [...ps[page], ...el.querySelectorAll('button.site,button.c[data-v=null]')];
    const out = [el.dataset.prompt, ...opts.map((b) => ({ stem: b.dataset.say, el: b }))];
    if (page < ps.length - 1) out.push(main.dataset.more);
    return out;
  }

  function show(step) {
    const { el, page } = step;
    for (const s of [...screens, sendScreen]) s.hidden = s !== el;
    cur = step;
    const isQ = el !== sendScreen;
    if (isQ) {
      pages(el).forEach((opts, i) => opts.forEach((b) => { b.hidden = i !== page; }));
      mark(el);
    }
    backBtn.hidden = trail.length === 0;
    nextBtn.hidden = !isQ;
    skipBtn.hidden = !isQ || q(el).required;
    hint(false);
    renderProgress();
    window.scrollTo(0, 0);
    say(...tour(step));
  }

  // hint shows (or hides) that a required question needs an answer, in view
  // above the buttons, with "prefer not to say" lit as the way on.
  function hint(on) {
    req.hidden = !on;
    for (const b of main.querySelectorAll('button.c.way')) b.classList.remove('way');
    if (!on) return;
    const way = cur.el.querySelector('button.c[data-v=null]');
    way.classList.add('way');
    way.scrollIntoView({ block: 'center' }); // clear of the buttons at the bottom
    say(req.dataset.say, { stem: way.dataset.say, el: way });
  }

  function nextStep(from) {
    if (from.el !== sendScreen && from.page < pages(from.el).length - 1) return { el: from.el, page: from.page + 1 };
    const i = screens.indexOf(from.el);
    const el = screens.slice(i + 1).find((s) => shown(cond(s), visibleAnswers()));
    return { el: el || sendScreen, page: 0 };
  }

  function forward(skip) {
    const { id, required } = q(cur.el);
    const last = cur.page === pages(cur.el).length - 1;
    if (skip) delete answers[id];
    else if (last && !(id in answers) && required) return hint(true);
    trail.push(cur);
    // Skipping skips the whole question, not one page of its options.
    show(skip ? nextStep({ el: cur.el, page: pages(cur.el).length - 1 }) : nextStep(cur));
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
    if (b.matches('.spk[data-replay]')) return say(...tour(cur));
    const { id, type } = q(el);
    if (b.classList.contains('c')) {
      const v = parseChoice(b.dataset.v, type);
      if (type === 'multiple' && v !== null) {
        const list = Array.isArray(answers[id]) ? answers[id] : [];
        const next = list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
        if (next.length) answers[id] = next; else delete answers[id];
      } else {
        answers[id] = v;
      }
      if (v === null) {
        const input = el.querySelector('input,textarea');
        if (input) input.value = '';
        clearFields(el);
      }
      hint(false);
      mark(el);
      renderProgress();
    } else if (b.classList.contains('site')) {
      pickSite(el, b);
      typed(el, el.querySelector('input.handle'));
    } else if (b.classList.contains('minus') || b.classList.contains('plus')) {
      const input = el.querySelector('input');
      const n = (Number(input.value) || 0) + (b.classList.contains('plus') ? 1 : -1);
      input.value = String(Math.min(Number(input.max), Math.max(Number(input.min), n)));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });

  main.addEventListener('input', (e) => {
    const el = e.target.closest('section.q[data-q]');
    if (el) typed(el, e.target);
  });

  // typed takes what she typed (or the site she picked) as the answer.
  function typed(el, t) {
    const { id, type } = q(el);
    const raw = type === 'handle' ? handleOf(el) : t.value.trim();
    if (type === 'number') {
      const n = numberAnswer(raw, { min: Number(t.min), max: Number(t.max), whole: t.step === '1' });
      if (n !== undefined) answers[id] = n; else delete answers[id];
    } else if (type === 'phone' && !phoneLike(raw)) {
      delete answers[id]; // the server would refuse it, and she would lose the report
    } else if (raw) {
      answers[id] = raw.slice(0, type === 'handle' ? 64 : Number(t.maxLength) > 0 ? Number(t.maxLength) : 500);
    } else {
      delete answers[id];
    }
    if (id in answers) hint(false);
    mark(el);
  }

  // A typed answer is confirmed by voice once it is done (a choice says its
  // own name when tapped).
  main.addEventListener('change', (e) => {
    const el = e.target.closest('section.q[data-q]');
    if (el && e.target.matches('input,textarea') && answers[q(el).id] != null) say(main.dataset.noted);
  });

  // phoneLike is what the server takes as a phone number: digits, spaces,
  // dashes, dots, brackets and +, with 4 to 20 digits.
  const phoneLike = (s) => {
    const n = (s.match(/\p{Nd}/gu) || []).length;
    return /^[\p{Nd}\s+().-]*$/u.test(s) && n >= 4 && n <= 20;
  };

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

  const first = screens.find((el) => shown(cond(el), answers));
  show({ el: first || sendScreen, page: 0 });
}

// The warnings feed. It hides warnings that expired while the phone stayed
// offline, says when each happened relative to today ("3 days ago") in the
// member's language, and filters by area, offline too. The chosen area is
// not kept: where a member works is nothing to leave on her phone.
import { say } from './voice.js';
import { main, lang, localDay, utcDays } from './util.js';

// The feed's days are the organisation's.
const today = localDay(new Date());
const back = { today: 0, yesterday: 1, week: 0 }; // how many days before the report it happened

const rtf = (() => { try { return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }); } catch { return null; } })();
for (const t of main.querySelectorAll('time[datetime]')) {
  const ago = Math.round(utcDays(today) - utcDays(t.dateTime)) + (back[t.dataset.when] || 0);
  if (rtf) t.textContent = rtf.format(-Math.max(0, ago), 'day');
}

const cards = [...main.querySelectorAll('article.warning')];
const select = main.querySelector('.area-filter select');
function show() {
  const area = select ? select.value : '';
  let n = 0;
  for (const c of cards) {
    c.hidden = c.dataset.expires < today || (area !== '' && c.dataset.area !== '' && c.dataset.area !== area);
    if (!c.hidden) n++;
  }
  main.querySelector('.none').hidden = n > 0;
}
if (select) select.addEventListener('change', show);
show();
say(main.dataset.prompt);

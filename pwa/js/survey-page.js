// A survey page: the screens (survey.js), then sealing and queueing the
// answers. A staff preview shows the same screens but seals nothing.
/* global sovaOutbox */
import { b64u, seal } from './hpke.js';
import { runSurvey } from './survey.js';
import { page, lang, home, main, unb64u, withTimeout } from './util.js';

const te = new TextEncoder();

// The key is fetched when the survey opens, not at "send": by then the
// signal may be gone, and the worker serves its cached copy anyway.
let keyP = null;
const responseKey = () => keyP || (keyP = fetch('/api/v1/keys/response', { signal: withTimeout(20000) })
  .then((r) => { if (!r.ok) throw new Error('key: HTTP ' + r.status); return r.json(); })
  .catch((err) => { keyP = null; throw err; }));

// uuid4 is crypto.randomUUID where the browser has it (Chrome 92, Safari
// 15.4), else the same from getRandomValues.
const uuid4 = () => (crypto.randomUUID ? crypto.randomUUID()
  : ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

async function submit(survey, version, answers) {
  const key = await responseKey();
  const id = uuid4();
  const plaintext = te.encode(JSON.stringify({ lang, answers }));
  const sealed = await seal(unb64u(key.publicKey), te.encode(main.dataset.sealInfo), te.encode(id), plaintext);
  const item = { id, survey, version, kid: key.kid, sealed: b64u(sealed) };
  // On a field worker's phone every item is marked assisted: her id and
  // the site, nothing about the person who answered.
  const device = await sovaOutbox.getMeta('outreach');
  if (device) item.assisted = { worker: device.worker, site: device.site };
  await sovaOutbox.add(item);
  // Now there is something to keep: ask that the browser not evict it.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register('sova-outbox')).catch(() => {
    /* no Background Sync in this browser: the other triggers cover it */
  });
  // replace(): Back must not lead into an emptied survey. A report is
  // checked by someone before others see it; the thank-you page says so.
  location.replace(home + 'thanks' + (survey === main.dataset.report ? '?report' : ''));
}

if (page === 'preview') {
  runSurvey(main, async () => location.assign('/staff/surveys'));
} else {
  responseKey().catch(() => {});
  runSurvey(main, (answers) => submit(main.dataset.survey, Number(main.dataset.version), answers));
  // Back from another page may restore this one, answers and all, from the
  // browser's page cache: start afresh instead, so nobody finds them there.
  addEventListener('pageshow', (e) => e.persisted && location.reload());
}

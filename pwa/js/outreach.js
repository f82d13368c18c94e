// Sets a field worker's phone up for outreach: keeps the device token the
// console just made (it never shows it as text) beside the outbox, sends
// again anything a revoked token had been refused for, and opens the app.
/* global sovaOutbox */
const el = document.getElementById('outreach-setup');
const setup = JSON.parse(el.dataset.setup);
await sovaOutbox.setMeta('outreach', setup);
await sovaOutbox.requeue(['unauthorized']);
el.removeAttribute('data-setup');
location.replace('/' + setup.lang + '/');

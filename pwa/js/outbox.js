// The outbox: sealed responses waiting to be sent, kept in IndexedDB until
// the server acknowledges each one. It is a classic script (not a module) so
// the service worker can importScripts() the very same code the page uses.
//
// Shaped after Workbox's background-sync Queue: FIFO, an item leaves only on
// the server's "accepted" or "duplicate", replay on every chance (page load,
// `online`, Background Sync, worker start, backoff). Items the server refuses
// stay, marked with the reason, until the member removes them herself.
//
// The database name and store never change between app versions, and the
// schema only ever grows: an update must never orphan what waits here.
(function (self) {
  'use strict';
  // VERSION 2 added META (outreach and kiosk settings). Upgrades only add.
  const DB = 'sova', STORE = 'outbox', META = 'meta', VERSION = 2, BATCH = 50;
  const channel = 'BroadcastChannel' in self ? new BroadcastChannel('sova-outbox') : null;
  let dbp = null;
  let wiped = false; // after wipe() nothing may make the database again

  function open() {
    if (wiped) return Promise.reject(new Error('sova: wiped'));
    return dbp || (dbp = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: 'n', autoIncrement: true }).createIndex('id', 'id', { unique: true });
        }
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      r.onsuccess = () => {
        const db = r.result;
        // A newer app version wants to upgrade: let it, and reopen later.
        db.onversionchange = () => { db.close(); dbp = null; };
        resolve(db);
      };
      r.onerror = () => { dbp = null; reject(r.error); };
    }));
  }

  // run calls fn(store) in one transaction and resolves with fn's request
  // result once the transaction is durably committed.
  async function run(mode, fn, store) {
    const db = await open();
    return new Promise((resolve, reject) => {
      // 'strict' durability: a queued answer must survive the phone dying.
      const t = db.transaction(store || STORE, mode, { durability: 'strict' });
      const r = fn(t.objectStore(store || STORE));
      t.oncomplete = () => resolve(r && r.result);
      t.onerror = t.onabort = () => reject(t.error);
    });
  }

  function changed() {
    if (channel) channel.postMessage('changed');
    self.dispatchEvent && self.dispatchEvent(new Event('sova-outbox'));
  }

  async function add(item) {
    const it = { id: item.id, survey: item.survey, version: item.version, kid: item.kid, sealed: item.sealed, state: 'queued' };
    if (item.assisted) it.assisted = item.assisted;
    await run('readwrite', (s) => s.add(it));
    changed();
  }

  // After a wipe nothing waits: reads say so rather than fail, so that a
  // tab still open as it leaves (or wiped from another tab) renders and
  // retries quietly. Writes still fail: nothing may be made again.
  const all = () => (wiped ? Promise.resolve([]) : run('readonly', (s) => s.getAll()));

  async function counts() {
    const items = await all();
    return {
      queued: items.filter((i) => i.state === 'queued').length,
      rejected: items.filter((i) => i.state === 'rejected').map(({ n, error }) => ({ n, error })),
      wiped,
    };
  }

  // remove deletes a refused item, only ever at the member's request.
  async function remove(n) {
    await run('readwrite', (s) => s.delete(n));
    changed();
  }

  // Settings kept beside the outbox: the outreach device ('outreach') and
  // kiosk mode ('kiosk'). Never answers.
  const getMeta = (key) => (wiped ? Promise.resolve(undefined) : run('readonly', (s) => s.get(key), META));
  async function setMeta(key, value) {
    await run('readwrite', (s) => (value === undefined ? s.delete(key) : s.put(value, key)), META);
  }

  // requeue sends refused items with one of the codes again, e.g. after a
  // field worker set her phone up anew with a fresh token.
  async function requeue(codes) {
    const items = await all();
    await run('readwrite', (s) => {
      for (const it of items) {
        if (it.state === 'rejected' && codes.includes(it.error)) s.put(Object.assign({}, it, { state: 'queued', error: undefined }));
      }
    });
    changed();
  }

  async function post(items) {
    const json = JSON.stringify({
      responses: items.map(({ id, survey, version, kid, sealed, assisted }) => (
        assisted ? { id, survey, version, kid, sealed, assisted } : { id, survey, version, kid, sealed })),
    });
    const headers = { 'Content-Type': 'application/json' };
    if (items.some((i) => i.assisted)) {
      const device = await getMeta('outreach');
      if (device) headers.Authorization = 'Bearer ' + device.token;
    }
    let body = json;
    if ('CompressionStream' in self) { // prepaid data: gzip what we can
      body = await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
      headers['Content-Encoding'] = 'gzip';
    }
    // A dead mobile link can take many minutes to fail; give up sooner so
    // the next trigger can try again.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 60000);
    try {
      return await fetch('/api/v1/responses', {
        method: 'POST', headers, body, cache: 'no-store', credentials: 'omit', signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  // refuse marks items the server will never take, keeping them visible. Only
  // the code is kept: the server's message may name a question, which says
  // something about the answers.
  function refuse(s, it, code) {
    s.put(Object.assign({}, it, { state: 'rejected', error: code }));
  }

  async function flush() {
    let batch = BATCH, sent = 0;
    for (;;) {
      const items = (await all()).filter((i) => i.state === 'queued').slice(0, batch);
      if (!items.length) return sent;
      const res = await post(items);
      if ((res.status === 413 || res.status === 400) && batch > 1) { batch = Math.ceil(batch / 2); continue; }
      if (res.status === 400) { // this one item is unreadable: set it aside, go on
        await run('readwrite', (s) => refuse(s, items[0], 'malformed'));
        changed();
        continue;
      }
      if (!res.ok) throw new Error('sync: HTTP ' + res.status);
      const out = await res.json();
      const done = new Set([...out.accepted, ...out.duplicate]);
      const refused = new Map(out.rejected.map((r) => [r.id, r]));
      if (!items.some((i) => done.has(i.id) || refused.has(i.id))) throw new Error('sync: reply names no item');
      await run('readwrite', (s) => {
        for (const it of items) {
          if (done.has(it.id)) s.delete(it.n);
          else if (refused.has(it.id)) refuse(s, it, refused.get(it.id).error);
        }
      });
      sent += done.size;
      changed();
    }
  }

  // sync sends everything queued. Calls while one runs share it, and a Web
  // Lock keeps the page and the worker from sending the same items at once
  // (harmless, the server deduplicates, but wasteful on a slow link).
  let running = null;
  function sync() {
    if (!running) {
      const go = () => flush();
      const p = self.navigator && navigator.locks ? navigator.locks.request('sova-outbox', go) : go();
      running = p.finally(() => { running = null; });
    }
    return running;
  }

  // wipe deletes the database, unsent items and all. Other connections (the
  // worker's) close on versionchange, so the deletion waits for them.
  async function wipe() {
    wiped = true;
    const db = dbp && (await dbp.catch(() => null));
    if (db) db.close();
    dbp = null;
    await new Promise((resolve, reject) => {
      const r = indexedDB.deleteDatabase(DB);
      r.onsuccess = resolve;
      r.onerror = () => reject(r.error);
    });
  }

  // Push lives here too, as this is the one script the pages and the worker
  // share. The server names a subscription by the SHA-256 of its auth
  // secret and endpoint: the push service, which knows the endpoint, cannot
  // make the name.
  async function subscriptionURL(sub) {
    const auth = new Uint8Array(sub.getKey('auth'));
    const endpoint = new TextEncoder().encode(sub.endpoint);
    const both = new Uint8Array(auth.length + endpoint.length);
    both.set(auth);
    both.set(endpoint, auth.length);
    const sum = await crypto.subtle.digest('SHA-256', both);
    return '/api/v1/push/subscriptions/' + [...new Uint8Array(sum)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  // savePush tells the server of a subscription, her language and topics.
  async function savePush(sub, lang, topics) {
    const { endpoint, keys } = sub.toJSON();
    const res = await fetch(await subscriptionURL(sub), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ endpoint, keys, lang, topics }),
    });
    if (!res.ok) throw new Error('subscribe: HTTP ' + res.status);
  }

  // stopPush ends notifications: the browser's subscription at once; the
  // server is told with a request that outlives the page (keepalive), and
  // not waited for: without signal, the push service tells the server the
  // subscription is gone at the next notice.
  async function stopPush(reg) {
    const sub = reg && reg.pushManager && (await reg.pushManager.getSubscription().catch(() => null));
    if (!sub) return;
    const url = await subscriptionURL(sub);
    await sub.unsubscribe().catch(() => {});
    fetch(url, { method: 'DELETE', keepalive: true }).catch(() => {});
  }

  self.sovaOutbox = { add, all, counts, remove, sync, getMeta, setMeta, requeue, wipe, subscriptionURL, savePush, stopPush, channel: 'sova-outbox' };
})(self);

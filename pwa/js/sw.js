// The service worker. The server prepends VERSION (a hash of everything a
// phone may cache) and OUTBOX (the outbox script's URL), so a new version
// of anything makes a new worker with a new cache.
//
// It precaches only what the member's language needs, serves it offline,
// answers Range requests for cached voice, and sends the outbox whenever it
// wakes. On update it drops old caches but never touches IndexedDB: queued
// answers outlive every version.
/* global VERSION, OUTBOX, sovaOutbox */
importScripts(OUTBOX);

const CACHE = 'sova-' + VERSION;
// HEARD keeps the voice of the pages she opened, across versions (its URLs
// are content-hashed), so that a survey opened once online speaks offline
// later without her downloading the whole language. Bounded: the oldest go.
const HEARD = 'sova-heard', HEARD_MAX = 600;
// LANGS records which languages (and which audio codec) this phone keeps
// offline, so the next version precaches the same ones.
const LANGS = '/__sova/langs';
const hashed = /^\/(pwa|icons|audio)\//;

// chosenLangs reads LANGS from cache, or from any cache when older is set
// (a new version's install, carrying the choice forward).
async function chosenLangs(cache, older) {
  const r = (await cache.match(LANGS)) || (older && (await caches.match(LANGS)));
  return r ? r.json() : [];
}

// precache stores one offline list in cache, with the voice of codec if
// given. A content-hashed file already cached by an older version is copied,
// not downloaded again. progress(done, total) follows the files.
async function precache(cache, lang, codec, progress) {
  const res = await fetch((lang ? '/' + lang : '') + '/offline.json', { cache: 'no-store' });
  if (!res.ok) throw new Error('offline list: HTTP ' + res.status);
  const list = await res.json();
  const urls = [...list.pages, ...list.static, ...((codec && list.voice[codec]) || [])];
  let done = 0;
  await Promise.all(urls.map(async (url) => {
    if (!(await cache.match(url))) {
      const old = hashed.test(url) && (await caches.match(url));
      await cache.put(url, old || (await fetchWhole(url)));
    }
    if (progress) progress(++done, urls.length);
  }));
}

// fetchWhole fetches a complete 200 response, never a partial one: a media
// element's Range request may have left a 206 for the whole file in the
// HTTP cache, which Firefox then returns to a plain fetch (and Cache.put
// refuses); a 206 wrapped as a 200 would keep a cut-off clip.
async function fetchWhole(url) {
  let r = await fetch(url, { cache: 'no-cache' });
  if (r.status === 206) r = await fetch(url, { cache: 'no-store' });
  if (r.status !== 200) throw new Error(url + ': HTTP ' + r.status);
  return r;
}

// keepHeard keeps voice files in HEARD, those not kept already, then drops
// the oldest beyond HEARD_MAX. Without signal it keeps what it can.
async function keepHeard(urls) {
  const heard = await caches.open(HEARD);
  for (const url of urls) {
    if (self.registration.waiting) return; // a new version takes over; pages ask it next
    if (!/^\/audio\//.test(url) || (await caches.match(url))) continue;
    try { await heard.put(url, await fetchWhole(url)); } catch { return; }
  }
  const keys = await heard.keys();
  for (const req of keys.slice(0, Math.max(0, keys.length - HEARD_MAX))) await heard.delete(req);
}

// keepOffline keeps a language's pages offline, and its voice in codec once
// the member chose to download it (she sees its size first: data is
// prepaid). The shell ('') always keeps its few words: each language's name.
async function keepOffline(lang, codec, voice, progress) {
  const cache = await caches.open(CACHE);
  const kept = await chosenLangs(cache, false);
  const had = kept.find((l) => l.lang === lang && l.codec === codec);
  voice = voice || !lang || Boolean(had && had.voice);
  // Already kept by this version: every page view asks, and prepaid data
  // must not pay for the list again.
  if (had && had.voice === voice) return voice;
  await precache(cache, lang, voice ? codec : '', progress);
  const langs = (await chosenLangs(cache, false)).filter((l) => l.lang !== lang);
  langs.push({ lang, codec, voice });
  await cache.put(LANGS, new Response(JSON.stringify(langs), { headers: { 'Content-Type': 'application/json' } }));
  return voice;
}

self.addEventListener('install', (e) => e.waitUntil((async () => {
  // A half-made cache from an install that failed (no signal) would hold a
  // half list of kept languages: start this one afresh.
  await caches.delete(CACHE);
  const cache = await caches.open(CACHE);
  await precache(cache, '');
  // Entries from before voice was a choice had it kept, so they keep it.
  for (const l of await chosenLangs(cache, true)) await keepOffline(l.lang, l.codec, l.voice !== false);
  await self.skipWaiting();
})()));

self.addEventListener('activate', (e) => e.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith('sova-') && name !== CACHE && name !== HEARD) await caches.delete(name);
  }
  await self.clients.claim();
  sovaOutbox.sync().catch(() => {});
})()));

self.addEventListener('message', (e) => {
  const m = e.data || {};
  if (m.type === 'offline' && typeof m.lang === 'string') {
    const tell = (msg) => e.source && e.source.postMessage(Object.assign({ lang: m.lang }, msg));
    const progress = m.voice ? (done, total) => tell({ type: 'offline-progress', done, total }) : null;
    e.waitUntil(keepOffline(m.lang, m.codec, Boolean(m.voice), progress).then(
      (voice) => tell({ type: 'offline-ready', version: VERSION, voice }),
      () => tell({ type: 'offline-failed', voice: Boolean(m.voice) })));
  } else if (m.type === 'voice' && Array.isArray(m.urls)) {
    // Not waitUntil: a new version waits for this worker's events to end,
    // and keeping a page's voice must never hold an update back. What is
    // not kept now is kept as it is heard, or when the page opens again.
    keepHeard(m.urls.slice(0, HEARD_MAX)).catch(() => {});
  } else if (m.type === 'take-over') {
    e.waitUntil(self.skipWaiting()); // see hurry() in app.js
  } else if (m.type === 'sync') {
    // Not waitUntil either, for the same reason: a send the page asked for
    // may wait on the outbox's lock or a slow link for up to a minute. If
    // the worker stops first, the items stay queued and the next trigger
    // sends them; the server deduplicates by id.
    sovaOutbox.sync().catch(() => {});
  }
});

self.addEventListener('sync', (e) => {
  // Rejecting tells the browser to try again later, with its own backoff.
  if (e.tag === 'sova-outbox') e.waitUntil(sovaOutbox.sync());
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  const share = /^\/([a-z-]+)\/check\/share$/.exec(url.pathname);
  if (share && req.method === 'POST' && url.origin === location.origin) return e.respondWith(shareIn(e, share[1]));
  if (req.method !== 'GET' || url.origin !== location.origin || url.pathname === '/sw.js') return;
  if (url.pathname === '/api/v1/keys/response') return e.respondWith(cachedThenRefresh(e, req));
  if (url.pathname.startsWith('/api/')) return;
  e.respondWith(cacheFirst(req));
});

// --- Shared to the check ---------------------------------------------------
// Another app shares a number (or a message with one in it) to the
// installed app: the manifest's share_target POSTs it here. The words stay
// on the phone: the worker answers with a redirect to the check (so they
// are in no URL, and a reload sends nothing again), and gives them to the
// first check page that asks, once, then forgets them. Unclaimed, they
// are forgotten in a minute.
let shared = null;
async function shareIn(e, lang) {
  const form = await e.request.formData().catch(() => null);
  const text = form ? ['title', 'text', 'url'].map((k) => form.get(k) || '').join(' ') : '';
  const mine = { text };
  const taken = new Promise((r) => { mine.hand = r; });
  shared = mine;
  e.waitUntil(Promise.race([taken, new Promise((r) => setTimeout(r, 60000))]).then(() => { if (shared === mine) shared = null; }));
  return Response.redirect('/' + lang + '/check', 303);
}

self.addEventListener('message', (e) => {
  if ((e.data || {}).type !== 'take-shared' || !e.source) return;
  const s = shared;
  shared = null;
  if (!s) return;
  e.source.postMessage({ type: 'shared', text: s.text });
  s.hand();
});

// cachedThenRefresh answers from the cache at once (the server keeps every
// old key, so a stale one still seals answers it can open) and refreshes the
// copy in the background.
async function cachedThenRefresh(e, req) {
  const cache = await caches.open(CACHE);
  const refresh = fetch(req).then(async (res) => {
    if (res.ok) await cache.put(req, res.clone());
    return res;
  });
  const hit = await cache.match(req, { ignoreVary: true });
  if (hit) {
    e.waitUntil(refresh.catch(() => {}));
    return hit;
  }
  return refresh;
}

async function cacheFirst(req) {
  const cache = await caches.open(CACHE);
  const url = new URL(req.url);
  const audio = url.pathname.startsWith('/audio/');
  // ignoreSearch makes the browser read every entry of the cache (hundreds
  // once the voice is kept) for each request, where an exact lookup reads
  // one. Nothing kept has a query, so only a URL with one (?kiosk=on,
  // ?report) needs it.
  const opts = { ignoreSearch: url.search !== '', ignoreVary: true };
  const hit = (await cache.match(req, opts)) ||
    (audio && (await (await caches.open(HEARD)).match(req, opts)));
  if (!hit && audio) return wholeFromNetwork(req);
  if (!hit) {
    try {
      return await fetch(req);
    } catch (err) {
      if (req.mode === 'navigate') return (await cache.match('/')) || Response.error();
      throw err;
    }
  }
  const range = req.headers.get('range');
  return range ? partial(hit, range) : hit;
}

// wholeFromNetwork fetches a voice file not kept offline whole, keeps it
// in HEARD (every phrase she has heard speaks offline later), and answers
// from memory. A media element reading a network stream through the worker
// keeps the worker busy for as long as it buffers, and Chromium holds a new
// version back until the old worker is idle: minutes.
async function wholeFromNetwork(req) {
  let res;
  try {
    res = await fetchWhole(req.url);
  } catch {
    // Not kept, and no signal: an answer, not a failure, so that the page
    // shows its "no sound" sign and nothing logs an error.
    return new Response(null, { status: 504 });
  }
  const blob = await res.blob();
  const type = res.headers.get('Content-Type') || 'application/octet-stream';
  const heard = new Response(blob, { headers: { 'Content-Type': type } });
  caches.open(HEARD).then((c) => c.put(req.url, heard)).catch(() => {});
  const whole = new Response(blob, { headers: { 'Content-Type': type } });
  const range = req.headers.get('range');
  return range ? partial(whole, range) : whole;
}

// partial answers a Range request from a cached response: media elements
// ask for ranges, and a cache hit is otherwise a 200 they may refuse.
async function partial(res, range) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  const blob = await res.blob();
  const size = blob.size;
  let start = m && m[1] ? +m[1] : NaN, end = m && m[2] ? +m[2] : size - 1;
  if (m && !m[1] && m[2]) { start = Math.max(0, size - +m[2]); end = size - 1; }
  if (!m || isNaN(start) || start >= size || end < start) {
    return new Response(null, { status: 416, headers: { 'Content-Range': 'bytes */' + size } });
  }
  end = Math.min(end, size - 1);
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      'Content-Type': res.headers.get('Content-Type') || 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
    },
  });
}

// The worker starting is a chance to send, too: it may have been woken by a
// push or a navigation long after the page went away.
sovaOutbox.sync().catch(() => {});

// --- Notifications ------------------------------------------------------------
// A push carries only the organisation's neutral words, the app's (or its
// disguise's) name and icon, and the page a tap opens. The worker also
// looks for a new version at once, so the news is on the phone before the
// member opens it, even if the signal is gone by then.
self.addEventListener('push', (e) => {
  let m = {};
  try { m = e.data ? e.data.json() : {}; } catch { /* not ours: still show something neutral */ }
  e.waitUntil(Promise.all([
    self.registration.showNotification(m.title || '', {
      body: m.body || '',
      icon: m.icon,
      tag: 'sova', // a newer notification replaces the last one on screen
      data: { url: m.url || '/' },
      actions: m.stop ? [{ action: 'stop', title: m.stop }] : [],
    }),
    self.registration.update().catch(() => {}),
  ]));
});

// A tap opens the page (in a Sova window if one is open); its "stop" action
// ends notifications then and there, as the app's own stop button does.
self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  e.waitUntil((async () => {
    if (e.action === 'stop') return sovaOutbox.stopPush(self.registration);
    const url = new URL(e.notification.data.url, self.location.origin).href;
    for (const c of await self.clients.matchAll({ type: 'window' })) {
      if ('navigate' in c) return c.focus().then(() => c.navigate(url));
    }
    return self.clients.openWindow(url);
  })());
});

// The browser may replace a subscription (Firefox does, now and then): the
// new one takes over the old one's language and topics, read from the
// server, which then forgets the old. Without this she would silently stop
// hearing anything when the old endpoint died.
self.addEventListener('pushsubscriptionchange', (e) => e.waitUntil((async () => {
  const old = e.oldSubscription;
  if (!old) return;
  const oldURL = await sovaOutbox.subscriptionURL(old);
  const res = await fetch(oldURL, { cache: 'no-store' });
  if (!res.ok) return;
  const { lang, topics } = await res.json();
  const sub = e.newSubscription || (await self.registration.pushManager.subscribe(old.options));
  await sovaOutbox.savePush(sub, lang, topics);
  await fetch(oldURL, { method: 'DELETE' });
})().catch(() => {})));

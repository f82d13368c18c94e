// The voice studio's recorder: each phrase's Record button records from the
// microphone with MediaRecorder and uploads the clip through the phrase's own
// upload form, so the server checks and converts it like any uploaded file.
// Without this script (or MediaRecorder) the file upload still works.
const MAX_MS = 30000; // the server refuses longer speech anyway

// The first type this browser records: Opus in WebM (Chrome, Firefox,
// Android), else MP4/AAC (Safari on iPhone).
const TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'];
const supported = window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
const mime = supported ? TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || '' : '';
const ext = (type) => (type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm');

let active = null; // the recording in progress: one at a time

// The words in the console's language, from the page (#studio's data-*),
// with {name} places filled in.
const words = document.getElementById('studio')?.dataset || {};
const t = (name, fill = {}) => (words[name] || name).replace(/\{(\w+)\}/g, (m, k) => (k in fill ? fill[k] : m));

async function upload(form, blob) {
  const status = form.querySelector('.status');
  status.textContent = t('saving');
  status.classList.remove('problem');
  const data = new FormData(form);
  data.set('audio', blob, 'recording.' + ext(blob.type || mime));
  try {
    const res = await fetch(form.action, { method: 'POST', body: data, headers: { Accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    if (res.ok && body.next) {
      location.assign(body.next);
      return;
    }
    status.textContent = res.redirected ? t('signedout') : body.message || t('refused', { status: res.status });
  } catch {
    status.textContent = t('offline');
  }
  status.classList.add('problem');
  // Keep the take: a lost connection must not cost the translator her
  // recording.
  let again = form.querySelector('button.resend');
  if (!again) {
    again = document.createElement('button');
    again.type = 'button';
    again.className = 'resend';
    again.textContent = t('again');
    status.before(again);
  }
  again.onclick = () => { again.remove(); upload(form, blob); };
}

async function start(btn) {
  const form = btn.form;
  const status = form.querySelector('.status');
  status.classList.remove('problem');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  } catch (err) {
    status.textContent = t('nomic', { name: err.name });
    status.classList.add('problem');
    return;
  }
  const rec = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
  const chunks = [];
  const began = Date.now();
  rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  rec.onstop = () => {
    clearInterval(tick);
    stream.getTracks().forEach((t) => t.stop()); // the microphone light goes off
    btn.textContent = t('record');
    btn.classList.remove('on');
    active = null;
    upload(form, new Blob(chunks, { type: rec.mimeType || mime }));
  };
  const tick = setInterval(() => {
    status.textContent = t('recording', { s: Math.floor((Date.now() - began) / 1000) });
    if (Date.now() - began >= MAX_MS) rec.stop();
  }, 250);
  rec.start();
  active = rec;
  btn.textContent = t('stop');
  btn.classList.add('on');
  status.textContent = t('recording', { s: 0 });
}

if (supported) {
  for (const btn of document.querySelectorAll('form.voice button.rec')) {
    btn.hidden = false;
    btn.addEventListener('click', () => {
      if (active) active.stop();
      else start(btn);
    });
  }
}

// RFC 9180 HPKE, sender side only, with WebCrypto and nothing else.
// Suite: mode_base, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM:
// every browser's WebCrypto supports it natively (X25519 is not yet
// everywhere), and Go's crypto/hpke opens it on the server. Answers are
// sealed on the phone so that only the organisation's key can read them,
// whatever stores or relays them on the way.

const subtle = crypto.subtle;
const te = new TextEncoder();
const P256 = { name: 'ECDH', namedCurve: 'P-256' };

const cat = (...a) => {
  const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let i = 0;
  for (const x of a) {
    o.set(x, i);
    i += x.length;
  }
  return o;
};
const i2osp = (n, w) => {
  const o = new Uint8Array(w);
  for (let i = w - 1; i >= 0 && n > 0; i--, n = Math.floor(n / 256)) o[i] = n % 256;
  return o;
};
// b64u is unpadded base64url, as JWK and the sync API want it.
export const b64u = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// Suite ids (§4.1, §5.1): 0x0010 KEM, 0x0001 KDF, 0x0001 AEAD.
const KEM = cat(te.encode('KEM'), i2osp(0x10, 2));
const HPKE = cat(te.encode('HPKE'), i2osp(0x10, 2), i2osp(1, 2), i2osp(1, 2));
const V1 = te.encode('HPKE-v1');

const hmac = async (key, msg) =>
  new Uint8Array(await subtle.sign('HMAC',
    await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), msg));

// HKDF (RFC 5869) built on HMAC: WebCrypto's HKDF always runs Extract and
// Expand together, but HPKE expands several labelled outputs from one PRK.
// WebCrypto refuses empty HMAC keys; HMAC zero-pads keys, so the empty salt
// is the same as 32 zero bytes (which RFC 5869 also says it means).
const extract = (salt, ikm) => hmac(salt.length ? salt : new Uint8Array(32), ikm);
async function expand(prk, info, L) {
  let t = new Uint8Array(0), out = new Uint8Array(0);
  for (let i = 1; out.length < L; i++) {
    t = await hmac(prk, cat(t, info, [i]));
    out = cat(out, t);
  }
  return out.slice(0, L);
}
// §4: LabeledExtract / LabeledExpand.
const labeledExtract = (sid, salt, label, ikm) => extract(salt, cat(V1, sid, te.encode(label), ikm));
const labeledExpand = (sid, prk, label, info, L) =>
  expand(prk, cat(i2osp(L, 2), V1, sid, te.encode(label), info), L);

// §4.1 DHKEM Encap: shared_secret = ExtractAndExpand(DH(skE, pkR), enc || pkRm).
async function encap(pkR, eph) {
  if (pkR.length !== 65) throw new Error('hpke: pkR must be a 65-byte uncompressed P-256 point');
  const pub = await subtle.importKey('raw', pkR, P256, false, []);
  let sk, enc;
  if (eph) {
    const x = eph.pk.slice(1, 33), y = eph.pk.slice(33, 65);
    sk = await subtle.importKey('jwk',
      { kty: 'EC', crv: 'P-256', d: b64u(eph.sk), x: b64u(x), y: b64u(y), ext: true },
      P256, false, ['deriveBits']);
    enc = eph.pk;
  } else {
    // Non-extractable: WebCrypto keeps public keys exportable regardless, and
    // the ephemeral private key never needs to leave WebCrypto.
    const kp = await subtle.generateKey(P256, false, ['deriveBits']);
    sk = kp.privateKey;
    enc = new Uint8Array(await subtle.exportKey('raw', kp.publicKey));
  }
  const dh = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: pub }, sk, 256));
  const prk = await labeledExtract(KEM, [], 'eae_prk', dh);
  const ss = await labeledExpand(KEM, prk, 'shared_secret', cat(enc, pkR), 32);
  return { ss, enc };
}

// §5.1 KeySchedule for mode_base (mode 0, empty psk and psk_id).
// Returns {enc, seal(aad, pt)}; each seal uses the next sequence number.
export async function setupBaseS(pkR, info, eph) {
  const { ss, enc } = await encap(pkR, eph);
  const ctx = cat([0],
    await labeledExtract(HPKE, [], 'psk_id_hash', []),
    await labeledExtract(HPKE, [], 'info_hash', info));
  const secret = await labeledExtract(HPKE, ss, 'secret', []);
  const key = await subtle.importKey('raw',
    await labeledExpand(HPKE, secret, 'key', ctx, 16), 'AES-GCM', false, ['encrypt']);
  const base = await labeledExpand(HPKE, secret, 'base_nonce', ctx, 12);
  let seq = 0;
  return {
    enc,
    async seal(aad, pt) {
      // nonce = base_nonce XOR I2OSP(seq, 12); taken before the await so
      // concurrent seals never reuse a nonce.
      if (seq >= Number.MAX_SAFE_INTEGER) throw new Error('hpke: message limit reached');
      const iv = i2osp(seq++, 12).map((b, i) => b ^ base[i]);
      return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, pt));
    },
  };
}

// Single-shot seal: returns enc (65 bytes) || ciphertext.
export async function seal(pkR, info, aad, plaintext) {
  const c = await setupBaseS(pkR, info);
  return cat(c.enc, await c.seal(aad, plaintext));
}

// The check's arithmetic, which the server does the same way (package
// screening): what a member types becomes one identifier however she
// writes it, and then the keyed, slow hash the offline list holds. Nothing
// she types is kept: check.js holds it in memory for one check.

// asciiDigits writes any script's decimal digits (Arabic-Indic, Persian,
// full-width…) as ASCII ones.
export function asciiDigits(s) {
  return s.replace(/\p{Nd}/gu, (d) => {
    let zero = d.codePointAt(0);
    while (/\p{Nd}/u.test(String.fromCodePoint(zero - 1)) && d.codePointAt(0) - zero < 9) zero--;
    return String(d.codePointAt(0) - zero);
  });
}

// normalizePhone reads a number as the organisation's members dial it
// (rules: screening.PhoneRules) and returns it in E.164, or '' if it is
// not a number.
export function normalizePhone(raw, rules) {
  const s = asciiDigits(raw).replace(/\(0\)/g, '');
  let d = s.replace(/\D/g, '');
  let e;
  if (/^[\s(]*\+/.test(s)) e = d;
  else {
    const abroad = new RegExp('^(?:' + rules.intl + ')');
    if (abroad.test(d)) e = d.replace(abroad, '');
    else {
      if (rules.npp) {
        const rest = d.replace(new RegExp('^(?:' + rules.npp + ')'), '');
        if (rest !== d && rules.lengths.includes(rest.length)) d = rest;
      }
      if (!rules.lengths.includes(d.length)) return '';
      e = rules.cc + d;
    }
  }
  return e.length >= 8 && e.length <= 15 && e[0] !== '0' ? '+' + e : '';
}

// Cyrillic capitals that plates share with Latin ones.
const lookalike = { 'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X' };

// normalizePlate keeps a plate's letters and digits, in capitals.
export function normalizePlate(raw) {
  const up = asciiDigits(raw.normalize('NFKC').toUpperCase()).replace(/[АВЕКМНОРСТУХ]/g, (c) => lookalike[c]);
  return up.replace(/[^\p{L}0-9]/gu, '');
}

// normalizeHandle is a name used online, case-folded, on its site.
export function normalizeHandle(raw, site) {
  const name = raw.normalize('NFKC').toLowerCase().replace(/ς/g, 'σ').replace(/\s+/g, '').replace(/^@+/, '');
  site = site.trim().toLowerCase();
  return name && site ? site + '/' + name : '';
}

// hash is the list's entry for an identifier: PBKDF2-HMAC-SHA256 of
// "<kind>:<identifier>" with the organisation's salt, cut to p.bytes.
export async function hash(p, kind, id) {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(kind + ':' + id), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: p.salt, iterations: p.iterations }, key, 256);
  return new Uint8Array(bits, 0, p.bytes);
}

// pickPhone finds the number in shared words ("Call me +7 912 345-67-89"):
// the first run of digits, spaces, dashes, dots and brackets, maybe after
// a +, with 6 to 20 digits.
export function pickPhone(text) {
  for (const m of asciiDigits(String(text)).matchAll(/\+?[\d(][\d\s().-]*\d/g)) {
    const n = m[0].replace(/\D/g, '').length;
    if (n >= 6 && n <= 20) return m[0];
  }
  return '';
}

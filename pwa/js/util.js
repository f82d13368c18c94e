// Small helpers the pages share.
export const { page, lang, home } = document.body.dataset;

export const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

// withTimeout is an AbortSignal that fires after ms.
export const withTimeout = (ms) => {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
};

// replaceAll is Element.replaceChildren, which Chrome < 86 and iOS < 14 lack.
export function replaceAll(el, nodes) {
  el.textContent = '';
  el.append(...nodes);
}

// plural picks a message's plural form (JSON of CLDR forms) for n.
export function plural(forms, n) {
  return (forms[new Intl.PluralRules(lang).select(n)] || forms.other).replace('{n}', n.toLocaleString(lang));
}

// localDay is a local calendar day as YYYY-MM-DD, as the server writes the
// days of warnings; utcDays counts the days since the epoch of one.
export const localDay = (d) => [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
export const utcDays = (s) => { const [y, m, d] = s.split('-').map(Number); return Date.UTC(y, m - 1, d) / 864e5; };

// main is the page's main element, where pages keep their data.
export const main = document.querySelector('main');

// wipes tells other open Sova tabs that this one wipes (one object per page:
// a channel never hears its own messages).
export const wipes = 'BroadcastChannel' in self ? new BroadcastChannel('sova-wipe') : null;

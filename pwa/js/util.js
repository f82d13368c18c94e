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

// main is the page's main element, where pages keep their data.
export const main = document.querySelector('main');

// wipes tells other open Sova tabs that this one wipes (one object per page:
// a channel never hears its own messages).
export const wipes = 'BroadcastChannel' in self ? new BroadcastChannel('sova-wipe') : null;

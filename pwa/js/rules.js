// Rules the phone shares with the server (server/domain): a question's
// showIf, what a typed number may be, and how a tapped option's value is
// read. The server checks every sealed answer by its own copy; both are run
// against the same fixtures (server/domain/testdata/showif.json and
// number.json) so they cannot drift apart.

// shown evaluates a showIf condition on the answers so far: a condition on
// a question hidden, unanswered or declined ("prefer not to say") is false.
export function shown(cond, answers) {
  if (!cond) return true;
  const got = answers[cond.question];
  if (got === undefined || got === null) return false;
  return cond.anyOf.some((w) => (Array.isArray(got) ? got.includes(w) : got === w));
}

// numberAnswer is what she typed into a number question as her answer, or
// undefined where the server would refuse it: outside min to max, or a
// fraction where the question takes whole numbers only.
export function numberAnswer(typed, { min, max, whole }) {
  const n = Number(typed);
  if (typed.trim() === '' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) return undefined;
  return n;
}

// parseChoice reads an option button's data-v as its answer value.
export function parseChoice(v, type) {
  if (v === 'null') return null;
  if (type === 'yesno') return v === 'true';
  if (type === 'scale') return Number(v);
  return v;
}

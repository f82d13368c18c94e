// Rules the phone shares with the server (server/domain): a question's
// showIf, and how a tapped option's value is read. The server checks every
// sealed answer by its own copy; both are run against one fixture
// (server/domain/testdata/showif.json) so they cannot drift apart.

// shown evaluates a showIf condition on the answers so far: a condition on
// a question hidden, unanswered or declined ("prefer not to say") is false.
export function shown(cond, answers) {
  if (!cond) return true;
  const got = answers[cond.question];
  if (got === undefined || got === null) return false;
  return cond.anyOf.some((w) => (Array.isArray(got) ? got.includes(w) : got === w));
}

// parseChoice reads an option button's data-v as its answer value.
export function parseChoice(v, type) {
  if (v === 'null') return null;
  if (type === 'yesno') return v === 'true';
  if (type === 'scale') return Number(v);
  return v;
}

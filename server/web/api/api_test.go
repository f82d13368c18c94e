package api_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/web/api"
)

// The sync and read API, as a member's phone meets it: each scenario on its
// own copy of the fixture, unless its table shares one because none of its
// rows changes anything.

// Fixed ids, canonical UUIDv4, so replies can be matched as text.
const (
	idA = "0b7e2a0c-4f6d-4c1e-9a3b-5d2f8e6c1a01"
	idB = "1c8f3b1d-5a7e-4d2f-8b4c-6e3a9f7d2b02"
	idC = "2d9a4c2e-6b8f-4e3a-9c5d-7f4b0a8e3c03"
	idD = "3eab5d3f-7c9a-4f4b-ad6e-8a5c1b9f4d04"
)

// Reply fragments, as encoding/json writes them.

func accepted(ids ...string) string  { return `"accepted":` + jsonList(ids) }
func duplicate(ids ...string) string { return `"duplicate":` + jsonList(ids) }

const noneRejected = `"rejected":[]`

func jsonList(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// rejected is the start of one rejection; with no question it also proves
// that no question is named.
func rejected(id string, code domain.Code, question string) string {
	f := fmt.Sprintf(`{"id":%q,"error":%q`, id, code)
	if question != "" {
		return f + fmt.Sprintf(`,"question":%q,"message":`, question)
	}
	return f + `,"message":`
}

func apiError(code domain.Code) string { return fmt.Sprintf(`"error":%q`, code) }

// phone seals items as a member's phone does, to the fixture's response
// key, which every copy of it holds.
type phone struct {
	t *testing.T
	*testapp.Phone
}

func sealing(t *testing.T) phone { return phone{t, testapp.FixturePhone(t)} }

func (p phone) needs(id string, answers map[string]any) domain.Sealed {
	return p.Needs(p.t, id, answers)
}

func (p phone) needsIn(id, lang string, version int, answers map[string]any) domain.Sealed {
	return p.Item(p.t, id, "needs", version, lang, answers)
}

// plain seals any plaintext as an answer to needs v1.
func (p phone) plain(id, plaintext string) domain.Sealed {
	return domain.Sealed{ID: id, Survey: "needs", Version: 1, Kid: p.Kid, Sealed: p.SealRaw(p.t, id, []byte(plaintext))}
}

// changed seals valid answers under id, then lets fn spoil the item.
func (p phone) changed(id string, fn func(it *domain.Sealed)) domain.Sealed {
	it := p.needs(id, testapp.NeedsAnswers())
	if fn != nil {
		fn(&it)
	}
	return it
}

// changedBytes edits the decoded enc||ciphertext of an item.
func (p phone) changedBytes(id string, fn func(b []byte) []byte) domain.Sealed {
	return p.changed(id, func(it *domain.Sealed) {
		b, err := base64.RawURLEncoding.DecodeString(it.Sealed)
		if err != nil {
			p.t.Fatal(err)
		}
		it.Sealed = base64.RawURLEncoding.EncodeToString(fn(b))
	})
}

// synced is a scenario's Before: an earlier sync of items.
func synced(items ...domain.Sealed) func(t *testing.T, e *testapp.Env) {
	return func(t *testing.T, e *testapp.Env) { e.Sync(t, items...) }
}

// Store checks.

// check is a scenario's After.
type check = func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder)

func stored(t *testing.T, e *testapp.Env, id string) *store.Response {
	t.Helper()
	r, err := e.App.Store().Response(id)
	if err != nil {
		t.Fatal(err)
	}
	if r == nil {
		t.Fatalf("response %s is not stored", id)
	}
	return r
}

func storedIDs(t *testing.T, e *testapp.Env) []string {
	t.Helper()
	var ids []string
	err := e.App.Store().EachResponse(func(id string, _ *store.Response) error {
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// storesExactly checks the whole store holds these ids and no other.
func storesExactly(ids ...string) check {
	return func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
		t.Helper()
		got := storedIDs(t, e)
		want := slices.Sorted(slices.Values(ids))
		if !slices.Equal(got, want) {
			t.Errorf("store holds %v, want %v", got, want)
		}
	}
}

var storesNothing = storesExactly()

// answersJSON is the stored answers of id as JSON, for exact comparison.
func answersJSON(t *testing.T, e *testapp.Env, id string) string {
	t.Helper()
	b, err := json.Marshal(stored(t, e, id).Answers)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func storedAnswers(id, want string) check {
	return func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
		t.Helper()
		if got := answersJSON(t, e, id); got != want {
			t.Errorf("stored answers of %s:\n got %s\nwant %s", id, got, want)
		}
	}
}

func both(fs ...check) check {
	return func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
		for _, f := range fs {
			f(t, e, res)
		}
	}
}

func outcome(t *testing.T, res *httptest.ResponseRecorder) domain.Outcome {
	t.Helper()
	var out domain.Outcome
	if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil {
		t.Fatalf("reply is not an outcome: %v", err)
	}
	return out
}

// A complete, valid answer set, as stored (canonical, keys sorted).
const needsAnswersStored = `{"contact":false,"find_clients":["street","apps"],"harassed_online":false,"outing_threat":false,"payment":["cash"],"phone":"smartphone","police":false,"services":["hiv_test","condoms"]}`

// Each rejection code, one item at a time. Nothing rejected is stored, so
// the rows share one copy.
func TestSync_RejectsEachBadItemWithItsOwnCode(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	type bad struct {
		name     string
		item     domain.Sealed
		id       string
		code     domain.Code
		question string
	}
	w := testapp.With
	absent := testapp.Absent
	longText := strings.Repeat("a", domain.MaxTextAnswer+1)
	cases := []bad{
		// The id is the AAD, so only one spelling of it is accepted.
		{name: "id is not a UUID", id: "42", item: p.changed("42", nil), code: domain.CodeInvalidID},
		{name: "id is upper-case", id: strings.ToUpper(idA), item: p.changed(strings.ToUpper(idA), nil), code: domain.CodeInvalidID},
		{name: "id is a UUIDv1", id: "0b7e2a0c-4f6d-1c1e-9a3b-5d2f8e6c1a01", item: p.changed("0b7e2a0c-4f6d-1c1e-9a3b-5d2f8e6c1a01", nil), code: domain.CodeInvalidID},
		{name: "id is empty", id: "", item: p.changed("", nil), code: domain.CodeInvalidID},

		{name: "survey is unknown", id: idA, code: domain.CodeUnknownSurvey, item: p.changed(idA, func(it *domain.Sealed) { it.Survey = "census" })},
		{name: "version is unknown", id: idA, code: domain.CodeUnknownVersion, item: p.changed(idA, func(it *domain.Sealed) { it.Version = 9 })},
		{name: "version is zero", id: idA, code: domain.CodeUnknownVersion, item: p.changed(idA, func(it *domain.Sealed) { it.Version = 0 })},
		{name: "kid is unknown", id: idA, code: domain.CodeUnknownKey, item: p.changed(idA, func(it *domain.Sealed) { it.Kid = "00000000deadbeef" })},
		{name: "kid is missing", id: idA, code: domain.CodeUnknownKey, item: p.changed(idA, func(it *domain.Sealed) { it.Kid = "" })},

		{name: "sealed is not base64", id: idA, code: domain.CodeDecryptFailed, item: p.changed(idA, func(it *domain.Sealed) { it.Sealed = "not base64!" })},
		{name: "sealed has base64 padding", id: idA, code: domain.CodeDecryptFailed, item: p.changed(idA, func(it *domain.Sealed) {
			it.Sealed += "="
		})},
		{name: "sealed is empty", id: idA, code: domain.CodeDecryptFailed, item: p.changed(idA, func(it *domain.Sealed) { it.Sealed = "" })},
		{name: "sealed to another key under this server's kid", id: idA, code: domain.CodeDecryptFailed, item: p.changed(idA, func(it *domain.Sealed) {
			other, err := seal.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := json.Marshal(map[string]any{"lang": "en", "answers": testapp.NeedsAnswers()})
			ct, err := seal.Seal(other.PublicKey(), []byte(idA), plain)
			if err != nil {
				t.Fatal(err)
			}
			it.Sealed = base64.RawURLEncoding.EncodeToString(ct)
		})},
		{name: "payload moved to another id (wrong AAD)", id: idA, code: domain.CodeDecryptFailed, item: p.changed(idB, func(it *domain.Sealed) { it.ID = idA })},
		{name: "payload truncated by one byte", id: idA, code: domain.CodeDecryptFailed, item: p.changedBytes(idA, func(b []byte) []byte { return b[:len(b)-1] })},
		{name: "payload shorter than enc and tag", id: idA, code: domain.CodeDecryptFailed, item: p.changedBytes(idA, func(b []byte) []byte { return b[:70] })},
		{name: "ciphertext changed", id: idA, code: domain.CodeDecryptFailed, item: p.changedBytes(idA, func(b []byte) []byte { b[len(b)/2+40] ^= 1; return b })},
		{name: "enc is not a P-256 point", id: idA, code: domain.CodeDecryptFailed, item: p.changedBytes(idA, func(b []byte) []byte { clear(b[1:65]); return b })},

		{name: "plaintext is not JSON", id: idA, code: domain.CodeInvalidPlaintext, item: p.plain(idA, "lang=en")},
		{name: "plaintext has no answers", id: idA, code: domain.CodeInvalidPlaintext, item: p.plain(idA, `{"lang":"en"}`)},
		{name: "plaintext answers is a list", id: idA, code: domain.CodeInvalidPlaintext, item: p.plain(idA, `{"lang":"en","answers":[]}`)},
		{name: "plaintext is null", id: idA, code: domain.CodeInvalidPlaintext, item: p.plain(idA, `null`)},

		{name: "language not in the survey", id: idA, code: domain.CodeUnknownLanguage, item: p.needsIn(idA, "de", 1, testapp.NeedsAnswers())},
		{name: "language missing", id: idA, code: domain.CodeUnknownLanguage, item: p.needsIn(idA, "", 1, testapp.NeedsAnswers())},
		{name: "language in upper case", id: idA, code: domain.CodeUnknownLanguage, item: p.needsIn(idA, "EN", 1, testapp.NeedsAnswers())},

		{name: "required single left out", id: idA, code: domain.CodeMissingAnswer, question: "phone", item: p.needs(idA, w("phone", absent))},
		{name: "required multiple left out", id: idA, code: domain.CodeMissingAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", absent))},
		{name: "required yesno left out", id: idA, code: domain.CodeMissingAnswer, question: "contact", item: p.needs(idA, w("contact", absent))},

		{name: "single: unknown choice", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: p.needs(idA, w("phone", "tablet"))},
		{name: "single: a number", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: p.needs(idA, w("phone", 1))},
		{name: "single: a list", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: p.needs(idA, w("phone", []string{"smartphone"}))},
		{name: "single: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: p.needs(idA, w("phone", true))},
		{name: "multiple: empty list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", []string{}))},
		{name: "multiple: duplicate value", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", []string{"apps", "apps"}))},
		{name: "multiple: unknown value", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", []string{"apps", "yacht"}))},
		{name: "multiple: a number in the list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", []any{"apps", 1}))},
		{name: "multiple: a bare string, not a list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", "apps"))},
		{name: "multiple: an object", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: p.needs(idA, w("find_clients", map[string]bool{"apps": true}))},
		{name: "yesno: a string", id: idA, code: domain.CodeInvalidAnswer, question: "harassed_online", item: p.needs(idA, w("harassed_online", "yes"))},
		{name: "yesno: a number", id: idA, code: domain.CodeInvalidAnswer, question: "harassed_online", item: p.needs(idA, w("harassed_online", 1))},
		{name: "scale: 0", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: p.needs(idA, w("clinic_treatment", 0))},
		{name: "scale: 6", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: p.needs(idA, w("clinic_treatment", 6))},
		{name: "scale: 2.5", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: p.needs(idA, w("clinic_treatment", 2.5))},
		{name: "scale: a string", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: p.needs(idA, w("clinic_treatment", "3"))},
		{name: "scale: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: p.needs(idA, w("clinic_treatment", true))},
		{name: "number: below min", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: p.needs(idA, w("work_days", -1))},
		{name: "number: above max", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: p.needs(idA, w("work_days", 8))},
		{name: "number: above max of a shown question", id: idA, code: domain.CodeInvalidAnswer, question: "police_times", item: p.needs(idA, w("police", true, "police_times", 101))},
		{name: "number: out of float64 range", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: p.needs(idA, w("work_days", json.RawMessage("1e400")))},
		{name: "number: a string", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: p.needs(idA, w("work_days", "3"))},
		{name: "number: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: p.needs(idA, w("work_days", false))},
		{name: "text: too long", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: p.needs(idA, w("comments", longText))},
		{name: "text: empty", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: p.needs(idA, w("comments", ""))},
		{name: "text: a number", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: p.needs(idA, w("comments", 42))},

		{name: "question not in the survey", id: idA, code: domain.CodeUnknownQuestion, question: "favourite_colour", item: p.needs(idA, w("favourite_colour", "red"))},

		{name: "answer to a question hidden by a no", id: idA, code: domain.CodeHiddenAnswer, question: "police_what", item: p.needs(idA, w("police_what", []string{"detained"}))},
		{name: "answer to a question hidden by prefer-not-to-say", id: idA, code: domain.CodeHiddenAnswer, question: "police_times", item: p.needs(idA, w("police", nil, "police_times", 2))},
		{name: "answer to a question whose condition was skipped", id: idA, code: domain.CodeHiddenAnswer, question: "data_money", item: p.needs(idA, w("data_money", true))},
		{name: "answer to a question hidden by other choices", id: idA, code: domain.CodeHiddenAnswer, question: "online_safe", item: p.needs(idA, w("find_clients", []string{"street"}, "online_safe", 3))},
	}
	shared := testapp.Shared(t)
	for _, c := range cases {
		testapp.Scenario{
			Name:            string(c.code) + "/" + c.name,
			Env:             shared,
			URL:             testapp.SyncURL,
			Body:            testapp.Body(c.item),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(c.id, c.code, c.question)},
			After: both(storesNothing, func(t *testing.T, _ *testapp.Env, res *httptest.ResponseRecorder) {
				out := outcome(t, res)
				if len(out.Rejected) != 1 || out.Rejected[0].Message == "" {
					t.Errorf("want one rejection with a message, got %+v", out.Rejected)
				}
			}),
		}.Test(t)
	}
}

func TestSync_ConflictIsRejectedAndKeepsTheFirstAnswers(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	first := func() domain.Sealed { return p.needs(idA, testapp.NeedsAnswers()) }
	for _, s := range []testapp.Scenario{
		{
			Name:            "same id, other answers",
			URL:             testapp.SyncURL,
			Before:          synced(first()),
			Body:            testapp.Body(p.needs(idA, testapp.With("phone", "basic"))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
		{
			Name:            "same id and answers, other language",
			URL:             testapp.SyncURL,
			Before:          synced(first()),
			Body:            testapp.Body(p.needsIn(idA, "ru", 1, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if got := stored(t, e, idA).Lang; got != "en" {
					t.Errorf("stored lang %q, want the first one, en", got)
				}
			},
		},
		{
			Name:            "same id, one answer more",
			URL:             testapp.SyncURL,
			Before:          synced(first()),
			Body:            testapp.Body(p.needs(idA, testapp.With("work_days", 3))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           storedAnswers(idA, needsAnswersStored),
		},
		{
			Name:            "same id twice in one batch, other answers",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(first(), p.needs(idA, testapp.With("phone", "basic"))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
	} {
		s.Test(t)
	}
}

func TestSync_DuplicateIsAcknowledgedOnce(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	first := func() domain.Sealed { return p.needs(idA, testapp.NeedsAnswers()) }
	again, resealed := first(), first()
	if again.Sealed == resealed.Sealed {
		t.Fatal("two seals of the same answers are equal: sealing is not randomised")
	}
	for _, s := range []testapp.Scenario{
		{
			Name:            "same answers sealed again",
			URL:             testapp.SyncURL,
			Before:          synced(again),
			Body:            testapp.Body(resealed),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
		{
			Name:            "same answers, multiple choices in another order",
			URL:             testapp.SyncURL,
			Before:          synced(first()),
			Body:            testapp.Body(p.needs(idA, testapp.With("find_clients", []string{"apps", "street"}, "services", []string{"condoms", "hiv_test"}))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
			After:           storesExactly(idA),
		},
		{
			Name:            "same number spelt 3 and 3.0",
			URL:             testapp.SyncURL,
			Before:          synced(p.needs(idA, testapp.With("work_days", 3))),
			Body:            testapp.Body(p.needs(idA, testapp.With("work_days", json.RawMessage("3.0")))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
		},
		{
			Name:            "same id twice in one batch",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(first(), first()),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(idA), noneRejected},
			After:           storesExactly(idA),
		},
		{
			Name: "a whole batch resent after a lost reply",
			URL:  testapp.SyncURL,
			Before: func(t *testing.T, e *testapp.Env) {
				e.Sync(t, first(), p.needs(idB, testapp.NeedsAnswers()))
			},
			Body:            testapp.Body(first(), p.needs(idB, testapp.NeedsAnswers()), p.needs(idC, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idC), duplicate(idA, idB), noneRejected},
			After:           storesExactly(idA, idB, idC),
		},
		{
			Name: "a rejected item, fixed and resent, is accepted",
			URL:  testapp.SyncURL,
			Before: func(t *testing.T, e *testapp.Env) {
				if out := e.Sync(t, p.needs(idA, testapp.With("phone", "tablet"))); len(out.Rejected) != 1 {
					t.Fatalf("the bad item was not rejected: %+v", out)
				}
			},
			Body:            testapp.Body(first()),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), noneRejected},
			After:           storesExactly(idA),
		},
	} {
		s.Test(t)
	}
}

func TestSync_PartialBatchStoresTheGoodAndRejectsTheBadInOrder(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	testapp.Scenario{
		Name: "good, bad, good, bad, bad",
		URL:  testapp.SyncURL,
		Body: testapp.Body(
			p.needs(idA, testapp.NeedsAnswers()),
			p.changed(idB, func(it *domain.Sealed) { it.Survey = "census" }),
			p.needsIn(idC, "ru", 1, testapp.With("comments", "всё хорошо")),
			p.changedBytes(idD, func(b []byte) []byte { return b[:len(b)-1] }),
			p.needs("bad-id", testapp.NeedsAnswers()),
		),
		ExpectedStatus: http.StatusOK,
		ExpectedContent: []string{
			accepted(idA, idC), duplicate(),
			rejected(idB, domain.CodeUnknownSurvey, ""),
			rejected(idD, domain.CodeDecryptFailed, ""),
			rejected("bad-id", domain.CodeInvalidID, ""),
		},
		After: both(storesExactly(idA, idC), func(t *testing.T, _ *testapp.Env, res *httptest.ResponseRecorder) {
			var got []string
			for _, r := range outcome(t, res).Rejected {
				got = append(got, r.ID)
			}
			if want := []string{idB, idD, "bad-id"}; !slices.Equal(got, want) {
				t.Errorf("rejected in order %v, want %v", got, want)
			}
		}),
	}.Test(t)
}

// Conflicts are found when storing, after every item was opened, so they
// come after the other rejections (openapi.yaml says so; clients match by id).
func TestSync_ConflictsAreListedAfterOtherRejections(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	testapp.Scenario{
		Name:            "conflict first in the batch, bad item second",
		URL:             testapp.SyncURL,
		Before:          synced(p.needs(idA, testapp.NeedsAnswers())),
		Body:            testapp.Body(p.needs(idA, testapp.With("phone", "basic")), p.needs(idB, testapp.With("phone", "tablet")), p.needs(idC, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idC), duplicate()},
		After: func(t *testing.T, _ *testapp.Env, res *httptest.ResponseRecorder) {
			var got []string
			for _, r := range outcome(t, res).Rejected {
				got = append(got, r.ID+" "+string(r.Error))
			}
			if want := []string{idB + " invalid_answer", idA + " conflict"}; !slices.Equal(got, want) {
				t.Errorf("rejected %v, want %v", got, want)
			}
		},
	}.Test(t)
}

func TestSync_AcceptsValidAnswersOfEveryKind(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	w := testapp.With
	for _, s := range []testapp.Scenario{
		{
			Name:            "required questions only; questions hidden by showIf absent",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(p.needs(idA, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), noneRejected},
			After:           storedAnswers(idA, needsAnswersStored),
		},
		{
			Name:            "prefer not to say is stored as null",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(p.needs(idA, w("phone", nil, "services", nil, "police", nil, "work_days", nil))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After:           storedAnswers(idA, `{"contact":false,"find_clients":["street","apps"],"harassed_online":false,"outing_threat":false,"payment":["cash"],"phone":null,"police":null,"services":null,"work_days":null}`),
		},
		{
			Name: "questions shown by showIf, answered; multiple stored in the definition's order",
			URL:  testapp.SyncURL,
			Body: testapp.Body(p.needs(idA, w(
				"internet", []string{"free_wifi", "mobile_data"}, "data_money", true,
				"online_safe", 4,
				"outing_threat", true, "blackmail", false,
				"police", true, "police_what", []string{"phone_taken", "money_taken"}, "police_times", 2, "police_help", nil,
				"contact", true, "contact_how", []string{"peer", "app"}, "contact_often", "monthly",
			))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After:           storedAnswers(idA, `{"blackmail":false,"contact":true,"contact_how":["app","peer"],"contact_often":"monthly","data_money":true,"find_clients":["street","apps"],"harassed_online":false,"internet":["mobile_data","free_wifi"],"online_safe":4,"outing_threat":true,"payment":["cash"],"phone":"smartphone","police":true,"police_help":null,"police_times":2,"police_what":["money_taken","phone_taken"],"services":["hiv_test","condoms"]}`),
		},
		{
			Name:            "optional questions shown by showIf may be left out",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(p.needs(idA, w("police", true, "contact", true))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:            "scale at both ends, 5.0 stored as 5; number with a fraction; bounds inclusive",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(p.needs(idA, w("clinic_treatment", json.RawMessage("5.0"), "work_days", 2.5)), p.needs(idB, w("clinic_treatment", 1, "work_days", 7)), p.needs(idC, w("work_days", 0))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA, idB, idC)},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if got := answersJSON(t, e, idA); !strings.Contains(got, `"clinic_treatment":5,`) || !strings.Contains(got, `"work_days":2.5`) {
					t.Errorf("stored %s", got)
				}
			},
		},
		{
			Name:            "Russian, with a 500-character Cyrillic text answer",
			URL:             testapp.SyncURL,
			Body:            testapp.Body(p.needsIn(idA, "ru", 1, w("comments", strings.Repeat("я", domain.MaxTextAnswer)))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if r := stored(t, e, idA); r.Lang != "ru" || r.Answers["comments"] != strings.Repeat("я", domain.MaxTextAnswer) {
					t.Errorf("stored %s %v", r.Lang, r.Answers["comments"])
				}
			},
		},
		{
			Name:            "an empty batch",
			Env:             testapp.Shared(t), // it stores nothing
			URL:             testapp.SyncURL,
			Body:            []byte(`{"responses":[]}`),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"accepted":[],"duplicate":[],"rejected":[]}`},
		},
	} {
		s.Test(t)
	}
}

// What is stored is the survey, version, language, answers and day, and
// nothing else: no id inside the value, no kid, no sealed bytes, no time.
func TestSync_StoredRecordHoldsOnlySurveyVersionLangAnswersAndDay(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	testapp.Scenario{
		Name:            "one response",
		URL:             testapp.SyncURL,
		Body:            testapp.Body(p.needs(idA, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idA)},
		After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			today := e.Clock.Now().UTC().Format(time.DateOnly) // the server's today
			r := stored(t, e, idA)
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(b, &fields); err != nil {
				t.Fatal(err)
			}
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range fields {
					if !yield(k) {
						return
					}
				}
			})
			if want := []string{"answers", "day", "lang", "survey", "version"}; !slices.Equal(keys, want) {
				t.Errorf("stored keys %v, want exactly %v", keys, want)
			}
			if r.Survey != "needs" || r.Version != 1 || r.Lang != "en" {
				t.Errorf("stored %s v%d %s", r.Survey, r.Version, r.Lang)
			}
			if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(r.Day) {
				t.Fatalf("day %q is not a date", r.Day)
			}
			if r.Day != today {
				t.Errorf("day %q is not today's UTC date %s", r.Day, today)
			}
			if bytes.Contains(b, []byte(e.Phone.Kid)) || bytes.Contains(b, []byte(idA)) {
				t.Errorf("stored value holds the kid or the id: %s", b)
			}
		},
	}.Test(t)
}

// Keys are ordered by id, never by arrival, so the order reveals nothing.
func TestSync_ResponsesAreKeptInIDOrder(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	testapp.Scenario{
		Name:            "sent in reverse id order",
		URL:             testapp.SyncURL,
		Body:            testapp.Body(p.needs(idD, testapp.NeedsAnswers()), p.needs(idC, testapp.NeedsAnswers()), p.needs(idB, testapp.NeedsAnswers()), p.needs(idA, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idD, idC, idB, idA)},
		After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			if got, want := storedIDs(t, e), []string{idA, idB, idC, idD}; !slices.Equal(got, want) {
				t.Errorf("kept in order %v, want %v", got, want)
			}
		},
	}.Test(t)
}

func TestSync_ContentEncoding(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	good := testapp.Body(p.needs(idA, testapp.NeedsAnswers()))
	gz := testapp.Gzip(good)
	refused := testapp.Shared(t) // for the rows that store nothing
	for _, s := range []testapp.Scenario{
		{
			Name:            "gzip is accepted",
			URL:             testapp.SyncURL,
			Headers:         map[string]string{"Content-Encoding": "gzip"},
			Body:            gz,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After:           storesExactly(idA),
		},
		{
			Name:            "gzip is matched case-insensitively",
			URL:             testapp.SyncURL,
			Headers:         map[string]string{"Content-Encoding": "GZip"},
			Body:            gz,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:            "identity is accepted",
			URL:             testapp.SyncURL,
			Headers:         map[string]string{"Content-Encoding": "identity"},
			Body:            good,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:               "gzip declared, plain JSON sent",
			Env:                refused,
			URL:                testapp.SyncURL,
			Headers:            map[string]string{"Content-Encoding": "gzip"},
			Body:               good,
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{apiError(domain.CodeMalformed), "not gzip"},
			NotExpectedContent: []string{`"accepted"`},
			After:              storesNothing,
		},
		{
			Name:            "gzip cut off",
			Env:             refused,
			URL:             testapp.SyncURL,
			Headers:         map[string]string{"Content-Encoding": "gzip"},
			Body:            gz[:len(gz)/2],
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{apiError(domain.CodeMalformed), "cut off"},
			After:           storesNothing,
		},
		{
			Name:            "an encoding other than gzip",
			Env:             refused,
			URL:             testapp.SyncURL,
			Headers:         map[string]string{"Content-Encoding": "br"},
			Body:            good,
			ExpectedStatus:  http.StatusUnsupportedMediaType,
			ExpectedContent: []string{apiError(domain.CodeUnsupportedEncoding), `\"br\" is not supported`},
			After:           storesNothing,
		},
	} {
		s.Test(t)
	}
}

// padded is a valid, empty batch of exactly n bytes: whitespace is JSON.
func padded(n int) []byte {
	const head, tail = `{"responses":[`, `]}`
	return []byte(head + strings.Repeat(" ", n-len(head)-len(tail)) + tail)
}

func TestSync_Limits(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	batch := func(n int) []byte {
		out := make([]domain.Sealed, n)
		for i := range out {
			out[i] = p.needs(testapp.NewID(), testapp.NeedsAnswers())
		}
		return testapp.Body(out...)
	}
	bomb := testapp.Gzip(padded(4 * api.MaxSyncBytes))
	if len(bomb) > 100<<10 {
		t.Fatalf("the bomb is %d bytes compressed; it should be small", len(bomb))
	}
	noise := make([]byte, api.MaxSyncBytes+(64<<10))
	_, _ = rand.Read(noise)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	_, _ = zw.Write(noise)
	_ = zw.Close()
	if buf.Len() <= api.MaxSyncBytes {
		t.Fatalf("random bytes compressed to %d bytes", buf.Len())
	}
	gzipHeader := map[string]string{"Content-Encoding": "gzip"}
	unchanged := testapp.Shared(t) // for the rows that store nothing
	for _, s := range []testapp.Scenario{
		{
			Name:           "500 items are accepted",
			URL:            testapp.SyncURL,
			Body:           batch(domain.MaxBatch),
			ExpectedStatus: http.StatusOK,
			After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
				if out := outcome(t, res); len(out.Accepted) != domain.MaxBatch {
					t.Errorf("accepted %d, want %d", len(out.Accepted), domain.MaxBatch)
				}
				if n := len(storedIDs(t, e)); n != domain.MaxBatch {
					t.Errorf("stored %d, want %d", n, domain.MaxBatch)
				}
			},
		},
		{
			Name:               "501 items are refused whole",
			Env:                unchanged,
			URL:                testapp.SyncURL,
			Body:               batch(domain.MaxBatch + 1),
			ExpectedStatus:     http.StatusRequestEntityTooLarge,
			ExpectedContent:    []string{apiError(domain.CodeTooLarge), "at most 500"},
			NotExpectedContent: []string{`"accepted"`},
			After:              storesNothing,
		},
		{
			Name:            "a body of exactly MaxSyncBytes is read",
			Env:             unchanged,
			URL:             testapp.SyncURL,
			Body:            padded(api.MaxSyncBytes),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted()},
		},
		{
			Name:            "a body one byte over MaxSyncBytes",
			Env:             unchanged,
			URL:             testapp.SyncURL,
			Body:            padded(api.MaxSyncBytes + 1),
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge)},
		},
		{
			Name:            "a gzip body that inflates to exactly MaxSyncBytes is read",
			Env:             unchanged,
			URL:             testapp.SyncURL,
			Headers:         gzipHeader,
			Body:            testapp.Gzip(padded(api.MaxSyncBytes)),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted()},
		},
		{
			Name:            "a gzip bomb that inflates past MaxSyncBytes",
			Env:             unchanged,
			URL:             testapp.SyncURL,
			Headers:         gzipHeader,
			Body:            bomb,
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge), "unzipped"},
		},
		{
			Name:            "a gzip body over MaxSyncBytes before inflating",
			Env:             unchanged,
			URL:             testapp.SyncURL,
			Headers:         gzipHeader,
			Body:            buf.Bytes(),
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge)},
		},
	} {
		s.Test(t)
	}
}

func TestSync_MalformedBodyIsRefusedWithAClearMessage(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	const hint = `{\"responses\":[{\"id\",\"survey\",\"version\",\"kid\",\"sealed\"}`
	refused := testapp.Shared(t) // every row is refused
	for _, s := range []testapp.Scenario{
		{Name: "not JSON", Body: []byte("responses=1")},
		{Name: "empty body", Body: []byte("")},
		{Name: "a list instead of an object", Body: []byte(`[]`)},
		{Name: "an object without responses", Body: []byte(`{}`)},
		{Name: "responses is null", Body: []byte(`{"responses":null}`)},
		{Name: "responses is an object", Body: []byte(`{"responses":{}}`)},
		{Name: "an unknown field", Body: []byte(`{"responses":[],"device":"x"}`)},
		{Name: "JSON cut off", Body: []byte(`{"responses":[{"id":"`)},
		// A second batch after the first would otherwise be silently dropped.
		{Name: "a second JSON value after the batch", Body: append(testapp.Body(), testapp.Body(p.needs(idA, testapp.NeedsAnswers()))...)},
		{Name: "text after the batch", Body: []byte(`{"responses":[]} and more`)},
		{Name: "a stray closing brace after the batch", Body: []byte(`{"responses":[]}}`)},
		{Name: "a stray closing bracket after the batch", Body: []byte(`{"responses":[]}]`)},
	} {
		s.Env, s.URL = refused, testapp.SyncURL
		s.ExpectedStatus = http.StatusBadRequest
		s.ExpectedContent = []string{apiError(domain.CodeMalformed), hint}
		s.NotExpectedContent = []string{`"accepted"`}
		s.After = storesNothing
		s.Test(t)
	}
}

// putNeedsV2 publishes version 2 of the needs survey: "comments" is gone and
// "work_days" became required.
func putNeedsV2(t *testing.T, e *testapp.Env) {
	t.Helper()
	v1, err := e.App.Store().FindSurvey("needs", 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v1)
	var v2 domain.Survey
	if err := json.Unmarshal(b, &v2); err != nil {
		t.Fatal(err)
	}
	v2.Version = 2
	v2.Questions = slices.DeleteFunc(v2.Questions, func(q domain.Question) bool { return q.ID == "comments" })
	v2.Question("work_days").Required = true
	if err := e.App.Store().PutSurvey(&v2); err != nil {
		t.Fatal(err)
	}
}

func TestSync_OlderSurveyVersionsStayAccepted(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	withComment := testapp.With("comments", "thanks")
	v2 := testapp.OpenFixture(t) // shared by the rows that only read
	putNeedsV2(t, v2)
	for _, s := range []testapp.Scenario{
		{
			Name:            "answers to v1 are accepted and stored against v1",
			URL:             testapp.SyncURL,
			Before:          putNeedsV2,
			Body:            testapp.Body(p.needs(idA, withComment)),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), noneRejected},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if r := stored(t, e, idA); r.Version != 1 || r.Answers["comments"] != "thanks" {
					t.Errorf("stored v%d %v", r.Version, r.Answers)
				}
			},
		},
		{
			Name:            "answers to v2 are checked against v2",
			URL:             testapp.SyncURL,
			Before:          putNeedsV2,
			Body:            testapp.Body(p.needsIn(idA, "en", 2, testapp.With("work_days", 5)), p.needsIn(idB, "en", 2, withComment), p.needsIn(idC, "en", 2, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), rejected(idB, domain.CodeUnknownQuestion, "comments"), rejected(idC, domain.CodeMissingAnswer, "work_days")},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if r := stored(t, e, idA); r.Version != 2 {
					t.Errorf("stored v%d, want 2", r.Version)
				}
			},
		},
		{
			Name: "the same id and answers to another version conflict",
			URL:  testapp.SyncURL,
			Before: func(t *testing.T, e *testapp.Env) {
				putNeedsV2(t, e)
				e.Sync(t, p.needs(idA, testapp.With("work_days", 5)))
			},
			Body:            testapp.Body(p.needsIn(idA, "en", 2, testapp.With("work_days", 5))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{rejected(idA, domain.CodeConflict, "")},
		},
		{
			Name:               "the latest definition is v2",
			Env:                v2,
			URL:                "/api/v1/surveys/needs",
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"id":"needs","version":2,`},
			NotExpectedContent: []string{`"id":"comments"`},
		},
		{
			Name:            "version 1 is still served",
			Env:             v2,
			URL:             "/api/v1/surveys/needs/versions/1",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"needs","version":1,`, `"id":"comments"`},
		},
		{
			Name:            "the list shows the latest version",
			Env:             v2,
			URL:             "/api/v1/surveys",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"surveys":[{"id":"needs","version":2,"languages":["en","ru","es","fr","ar"]}]}`},
		},
	} {
		s.Test(t)
	}
}

func TestAPI_Reads(t *testing.T) {
	t.Parallel()
	reads := testapp.Shared(t) // the rows change nothing
	for _, s := range []testapp.Scenario{
		{
			Name:           "health",
			URL:            "/healthz",
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"ok"},
		},
		{
			Name:               "surveys lists id, version and languages",
			URL:                "/api/v1/surveys",
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`{"surveys":[{"id":"needs","version":1,"languages":["en","ru","es","fr","ar"]}]}`},
			NotExpectedContent: []string{`"questions"`},
		},
		{
			Name:           "a survey's latest definition",
			URL:            "/api/v1/surveys/needs",
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{
				`"id":"needs","version":1,"languages":["en","ru","es","fr","ar"]`, `"questions":[`,
				`{"id":"find_clients","type":"multiple",`, `"required":true,"choices":[{"value":"street",`,
				`"showIf":{"question":"police","anyOf":[true]}`, `"type":"scale"`, `"type":"number"`, `"min":0,"max":7`,
			},
			After: checkSurveyDocument(1),
		},
		{
			Name:            "a given version",
			URL:             "/api/v1/surveys/needs/versions/1",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"needs","version":1,`},
			After:           checkSurveyDocument(1),
		},
		{
			Name:            "an unknown survey",
			URL:             "/api/v1/surveys/census",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{apiError(domain.CodeUnknownSurvey), `"message":`},
		},
		{
			Name:            "an unknown version",
			URL:             "/api/v1/surveys/needs/versions/2",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{apiError(domain.CodeUnknownVersion)},
		},
		{
			Name:            "a version that is not a number",
			URL:             "/api/v1/surveys/needs/versions/latest",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{apiError(domain.CodeUnknownVersion)},
		},
		{
			Name:            "a version of an unknown survey",
			URL:             "/api/v1/surveys/census/versions/1",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{apiError(domain.CodeUnknownSurvey)},
		},
		{
			Name:            "the response key",
			URL:             "/api/v1/keys/response",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"suite":"DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM"`},
			After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
				var doc map[string]string
				if err := json.Unmarshal(res.Body.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc) != 3 || doc["kid"] == "" || doc["kid"] != e.Phone.Kid {
					t.Errorf("document %v: want exactly kid, suite, publicKey", doc)
				}
				pk := doc["publicKey"]
				if strings.ContainsAny(pk, "=+/") {
					t.Errorf("publicKey %q is not unpadded base64url", pk)
				}
				b, err := base64.RawURLEncoding.DecodeString(pk)
				if err != nil || len(b) != 65 || b[0] != 0x04 {
					t.Errorf("publicKey is not a 65-byte uncompressed P-256 point: %d bytes, err %v", len(b), err)
				}
			},
		},
		{
			Name:            "the OpenAPI document",
			URL:             "/api/v1/openapi.yaml",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"openapi: 3.1", "/api/v1/responses:"},
		},
		{
			Name:            "an unknown API path answers JSON",
			URL:             "/api/v1/nothing",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{apiError(domain.CodeNotFound)},
		},
		{
			Name:            "a wrong method answers JSON",
			Method:          http.MethodDelete,
			URL:             "/api/v1/responses",
			ExpectedStatus:  http.StatusMethodNotAllowed,
			ExpectedContent: []string{`"error":`},
		},
	} {
		s.Env = reads
		s.Test(t)
	}
}

// checkSurveyDocument checks a definition's JSON as the issue describes it:
// id, version, languages, questions; each question id, type and required;
// choices with a value only where the type has them.
func checkSurveyDocument(version int) check {
	return func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
		t.Helper()
		var doc struct {
			ID        *string
			Version   *int
			Languages []string
			Questions []map[string]json.RawMessage
		}
		if err := json.Unmarshal(res.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ID == nil || doc.Version == nil || *doc.Version != version || len(doc.Languages) == 0 || len(doc.Questions) == 0 {
			t.Fatalf("definition lacks id, version %d, languages or questions: %.2000s", version, res.Body)
		}
		types := []string{"single", "multiple", "yesno", "scale", "number", "text"}
		for _, q := range doc.Questions {
			var id, typ string
			var required bool
			if json.Unmarshal(q["id"], &id) != nil || json.Unmarshal(q["type"], &typ) != nil || json.Unmarshal(q["required"], &required) != nil {
				t.Errorf("question %s lacks id, type or required", q["id"])
			}
			if !slices.Contains(types, typ) {
				t.Errorf("question %s: type %q", id, typ)
			}
			_, hasChoices := q["choices"]
			if hasChoices != (typ == "single" || typ == "multiple") {
				t.Errorf("question %s (%s): choices present = %v", id, typ, hasChoices)
			}
		}
		want, _ := e.App.Store().FindSurvey("needs", version)
		var got domain.Survey
		if err := json.Unmarshal(res.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(&got)
		if !bytes.Equal(a, b) {
			t.Error("the served definition differs from the stored one")
		}
	}
}

// Phones resend after a lost reply, and an outreach worker's device may sync
// while the phone it collected from does too: one id must still be stored
// once and acknowledged as accepted exactly once.
func TestSync_ConcurrentResendsOfOneIDStoreItOnce(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	e := testapp.OpenFixture(t)
	const senders = 8
	var wg sync.WaitGroup
	outs := make([]domain.Outcome, senders)
	bodies := make([][]byte, senders)
	for i := range bodies {
		bodies[i] = testapp.Body(p.needs(idA, testapp.NeedsAnswers()), p.needs(testapp.NewID(), testapp.NeedsAnswers()))
	}
	for i := range senders {
		wg.Go(func() {
			rec := e.Request(http.MethodPost, testapp.SyncURL, bodies[i])
			if rec.Code != http.StatusOK {
				t.Errorf("sender %d: %d %s", i, rec.Code, rec.Body)
				return
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &outs[i])
		})
	}
	wg.Wait()
	var acceptedA, duplicateA int
	for _, out := range outs {
		acceptedA += countOf(out.Accepted, idA)
		duplicateA += countOf(out.Duplicate, idA)
		if len(out.Rejected) > 0 {
			t.Errorf("rejected: %+v", out.Rejected)
		}
	}
	if acceptedA != 1 || duplicateA != senders-1 {
		t.Errorf("%s accepted %d times and duplicate %d times, want 1 and %d", idA, acceptedA, duplicateA, senders-1)
	}
	if n := len(storedIDs(t, e)); n != senders+1 {
		t.Errorf("stored %d responses, want %d", n, senders+1)
	}
}

func countOf(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// An acknowledged response is on disk: it is there after a restart, and
// the phone's resend is then a duplicate, since the response key is kept too.
func TestSync_AcknowledgedResponseSurvivesRestart(t *testing.T) {
	t.Parallel()
	p := sealing(t)
	e := testapp.OpenFixture(t)
	if out := e.Sync(t, p.needs(idA, testapp.NeedsAnswers())); !slices.Equal(out.Accepted, []string{idA}) {
		t.Fatalf("first sync: %+v", out)
	}
	e.Restart(t)
	if got := answersJSON(t, e, idA); got != needsAnswersStored {
		t.Errorf("after restart: %s", got)
	}
	if out := e.Sync(t, p.needs(idA, testapp.NeedsAnswers())); !slices.Equal(out.Duplicate, []string{idA}) {
		t.Errorf("resend after restart: %+v", out)
	}
}

// The OpenAPI document must keep up with the route table and the codes.
func TestOpenAPI_DescribesEveryAPIRouteAndCode(t *testing.T) {
	t.Parallel()
	e := testapp.Shared(t)
	doc := e.Request(http.MethodGet, "/api/v1/openapi.yaml", nil).Body.String()

	router, ok := e.H.(*echo.Echo)
	if !ok {
		t.Fatalf("Handler is a %T, not *echo.Echo", e.H)
	}
	param := regexp.MustCompile(`:(\w+)`)
	seen := map[string]bool{}
	for _, r := range router.Routes() {
		// HEAD comes with every GET; it needs no entry of its own.
		if r.Method == http.MethodHead || !strings.HasPrefix(r.Path, "/api/") && r.Path != "/healthz" {
			continue
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		seen[p] = true
		block := pathBlock(doc, p)
		if block == "" {
			t.Errorf("openapi.yaml has no path %s", p)
			continue
		}
		if !strings.Contains(block, "\n    "+strings.ToLower(r.Method)+":") {
			t.Errorf("openapi.yaml: %s has no %s operation", p, r.Method)
		}
	}
	if len(seen) < 7 {
		t.Errorf("found only %d API routes: %v", len(seen), seen)
	}
	for _, c := range []domain.Code{
		domain.CodeMalformed, domain.CodeTooLarge, domain.CodeNotFound, domain.CodeInternal,
		domain.CodeInvalidID, domain.CodeUnknownSurvey, domain.CodeUnknownVersion, domain.CodeUnknownKey,
		domain.CodeDecryptFailed, domain.CodeInvalidPlaintext, domain.CodeUnknownLanguage, domain.CodeConflict,
		domain.CodeMissingAnswer, domain.CodeInvalidAnswer, domain.CodeUnknownQuestion, domain.CodeHiddenAnswer,
	} {
		if !strings.Contains(doc, "- "+string(c)+"\n") {
			t.Errorf("openapi.yaml does not list the code %s", c)
		}
	}
	for _, n := range []int{api.MaxSyncBytes, domain.MaxBatch, domain.MaxTextAnswer} {
		if !strings.Contains(doc, strconv.Itoa(n)) {
			t.Errorf("openapi.yaml does not state the limit %d", n)
		}
	}
}

// pathBlock returns the lines of one path item under "paths:".
func pathBlock(doc, path string) string {
	start := strings.Index(doc, "\n  "+path+":\n")
	if start < 0 {
		return ""
	}
	rest := doc[start+1:]
	end := regexp.MustCompile(`\n  \S`).FindStringIndex(rest[1:])
	if end == nil {
		return rest
	}
	return rest[:end[0]+1]
}

// A malformed item is refused on its own, named by its id; the good items
// beside it are stored (one bad item never sinks the batch).
func TestSync_MalformedItemIsRefusedAlone(t *testing.T) {
	t.Parallel()
	good := testapp.Body(sealing(t).needs(idA, testapp.NeedsAnswers()))
	// withItem puts bad first in the batch.
	withItem := func(batch []byte, bad string) []byte {
		return []byte(strings.Replace(string(batch), `[`, `[`+bad+`,`, 1))
	}
	for _, s := range []testapp.Scenario{
		{
			Name:            "version sent as a string",
			URL:             testapp.SyncURL,
			Body:            withItem(good, `{"id":"`+idB+`","survey":"needs","version":"1","kid":"k","sealed":"AA"}`),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"accepted":["` + idA + `"]`, `"id":"` + idB + `"`, apiError(domain.CodeMalformed)},
		},
		{
			Name:               "an unknown item field",
			URL:                testapp.SyncURL,
			Body:               withItem(good, `{"id":"`+idB+`","ip":"10.0.0.1"}`),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"accepted":["` + idA + `"]`, `"id":"` + idB + `"`, apiError(domain.CodeMalformed)},
			NotExpectedContent: []string{"10.0.0.1"},
		},
	} {
		s.Test(t)
	}
}

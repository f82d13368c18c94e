package web_test

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
	"sova/server/app"
	"sova/server/domain"
	"sova/server/seal"
	"sova/server/store"
	"sova/server/web/api"
)

// scenario is one HTTP exchange against a whole Sova on real Badger, in the
// shape of pocketbase's tests.ApiScenario. Every scenario gets a fresh app.
type scenario struct {
	Name    string
	Method  string // default: POST when Body is set, else GET
	URL     string // default: /api/v1/responses
	Headers map[string]string
	// Before runs first, to put state in place (an earlier sync, a new
	// survey version).
	Before func(t *testing.T, e *env)
	// Body builds the request body, with the app's published key.
	Body func(t *testing.T, e *env) []byte

	ExpectedStatus     int
	ExpectedContent    []string
	NotExpectedContent []string
	// After checks the store, or the reply in detail.
	After func(t *testing.T, e *env, reply []byte)
}

// env is what a scenario's hooks see: the app and a phone holding its key.
type env struct {
	App   *app.App
	Phone *testapp.Phone
}

func (s scenario) test(t *testing.T) {
	t.Helper()
	t.Run(s.Name, func(t *testing.T) {
		a := testapp.Open(t)
		e := &env{App: a, Phone: testapp.NewPhone(t, a.Handler())}
		if s.Before != nil {
			s.Before(t, e)
		}
		var body []byte
		if s.Body != nil {
			body = s.Body(t, e)
		}
		method, url := s.Method, s.URL
		if method == "" {
			method = http.MethodGet
			if s.Body != nil {
				method = http.MethodPost
			}
		}
		if url == "" {
			url = "/api/v1/responses"
		}
		rec := serve(e, method, url, s.Headers, body)
		reply := rec.Body.String()
		if rec.Code != s.ExpectedStatus {
			t.Fatalf("%s %s: status %d, want %d; body:\n%s", method, url, rec.Code, s.ExpectedStatus, short(reply))
		}
		for _, want := range s.ExpectedContent {
			if !strings.Contains(reply, want) {
				t.Errorf("reply lacks %s\nreply: %s", want, short(reply))
			}
		}
		for _, bad := range s.NotExpectedContent {
			if strings.Contains(reply, bad) {
				t.Errorf("reply holds %s\nreply: %s", bad, short(reply))
			}
		}
		if s.After != nil {
			s.After(t, e, rec.Body.Bytes())
		}
	})
}

func serve(e *env, method, url string, headers map[string]string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.App.Handler().ServeHTTP(rec, req)
	return rec
}

func short(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

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

// Body builders.

func items(build ...func(t *testing.T, e *env) domain.Sealed) func(t *testing.T, e *env) []byte {
	return func(t *testing.T, e *env) []byte {
		var out []domain.Sealed
		for _, b := range build {
			out = append(out, b(t, e))
		}
		return testapp.Body(out...)
	}
}

func needs(id string, answers map[string]any) func(t *testing.T, e *env) domain.Sealed {
	return func(t *testing.T, e *env) domain.Sealed { return e.Phone.Needs(t, id, answers) }
}

func needsIn(id, lang string, version int, answers map[string]any) func(t *testing.T, e *env) domain.Sealed {
	return func(t *testing.T, e *env) domain.Sealed {
		return e.Phone.Item(t, id, "needs", version, lang, answers)
	}
}

// sealedPlain seals any plaintext bytes as an answer to needs v1.
func sealedPlain(id, plaintext string) func(t *testing.T, e *env) domain.Sealed {
	return func(t *testing.T, e *env) domain.Sealed {
		return domain.Sealed{ID: id, Survey: "needs", Version: 1, Kid: e.Phone.Kid, Sealed: e.Phone.SealRaw(t, id, []byte(plaintext))}
	}
}

// changed seals valid answers under id, then lets fn spoil the item.
func changed(id string, fn func(t *testing.T, e *env, it *domain.Sealed)) func(t *testing.T, e *env) domain.Sealed {
	return func(t *testing.T, e *env) domain.Sealed {
		it := e.Phone.Needs(t, id, testapp.NeedsAnswers())
		if fn != nil {
			fn(t, e, &it)
		}
		return it
	}
}

// changedBytes edits the decoded enc||ciphertext of an item.
func changedBytes(id string, fn func(b []byte) []byte) func(t *testing.T, e *env) domain.Sealed {
	return changed(id, func(t *testing.T, e *env, it *domain.Sealed) {
		b, err := base64.RawURLEncoding.DecodeString(it.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		it.Sealed = base64.RawURLEncoding.EncodeToString(fn(b))
	})
}

func raw(body string) func(t *testing.T, e *env) []byte {
	return func(*testing.T, *env) []byte { return []byte(body) }
}

// earlier posts items as an earlier sync would, and fails unless it was 200.
func earlier(t *testing.T, e *env, build ...func(t *testing.T, e *env) domain.Sealed) domain.Outcome {
	t.Helper()
	rec := serve(e, http.MethodPost, "/api/v1/responses", nil, items(build...)(t, e))
	if rec.Code != http.StatusOK {
		t.Fatalf("earlier sync: %d %s", rec.Code, rec.Body)
	}
	var out domain.Outcome
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Store checks.

func stored(t *testing.T, e *env, id string) *store.Response {
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

func storedIDs(t *testing.T, e *env) []string {
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
func storesExactly(ids ...string) func(t *testing.T, e *env, _ []byte) {
	return func(t *testing.T, e *env, _ []byte) {
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
func answersJSON(t *testing.T, e *env, id string) string {
	t.Helper()
	b, err := json.Marshal(stored(t, e, id).Answers)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func storedAnswers(id, want string) func(t *testing.T, e *env, _ []byte) {
	return func(t *testing.T, e *env, _ []byte) {
		t.Helper()
		if got := answersJSON(t, e, id); got != want {
			t.Errorf("stored answers of %s:\n got %s\nwant %s", id, got, want)
		}
	}
}

func both(fs ...func(t *testing.T, e *env, reply []byte)) func(t *testing.T, e *env, reply []byte) {
	return func(t *testing.T, e *env, reply []byte) {
		for _, f := range fs {
			f(t, e, reply)
		}
	}
}

func outcome(t *testing.T, reply []byte) domain.Outcome {
	t.Helper()
	var out domain.Outcome
	if err := json.Unmarshal(reply, &out); err != nil {
		t.Fatalf("reply is not an outcome: %v", err)
	}
	return out
}

// A complete, valid answer set, as stored (canonical, keys sorted).
const needsAnswersStored = `{"contact":false,"find_clients":["street","apps"],"harassed_online":false,"outing_threat":false,"payment":["cash"],"phone":"smartphone","police":false,"services":["hiv_test","condoms"]}`

// Each rejection code, one item at a time. Nothing rejected is stored.
func TestSync_RejectsEachBadItemWithItsOwnCode(t *testing.T) {
	type bad struct {
		name     string
		item     func(t *testing.T, e *env) domain.Sealed
		id       string
		code     domain.Code
		question string
	}
	w := testapp.With
	absent := testapp.Absent
	longText := strings.Repeat("a", domain.MaxTextAnswer+1)
	cases := []bad{
		// The id is the AAD, so only one spelling of it is accepted.
		{name: "id is not a UUID", id: "42", item: changed("42", nil), code: domain.CodeInvalidID},
		{name: "id is upper-case", id: strings.ToUpper(idA), item: changed(strings.ToUpper(idA), nil), code: domain.CodeInvalidID},
		{name: "id is a UUIDv1", id: "0b7e2a0c-4f6d-1c1e-9a3b-5d2f8e6c1a01", item: changed("0b7e2a0c-4f6d-1c1e-9a3b-5d2f8e6c1a01", nil), code: domain.CodeInvalidID},
		{name: "id is empty", id: "", item: changed("", nil), code: domain.CodeInvalidID},

		{name: "survey is unknown", id: idA, code: domain.CodeUnknownSurvey, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Survey = "census" })},
		{name: "version is unknown", id: idA, code: domain.CodeUnknownVersion, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Version = 9 })},
		{name: "version is zero", id: idA, code: domain.CodeUnknownVersion, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Version = 0 })},
		{name: "kid is unknown", id: idA, code: domain.CodeUnknownKey, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Kid = "00000000deadbeef" })},
		{name: "kid is missing", id: idA, code: domain.CodeUnknownKey, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Kid = "" })},

		{name: "sealed is not base64", id: idA, code: domain.CodeDecryptFailed, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Sealed = "not base64!" })},
		{name: "sealed has base64 padding", id: idA, code: domain.CodeDecryptFailed, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) {
			it.Sealed += "="
		})},
		{name: "sealed is empty", id: idA, code: domain.CodeDecryptFailed, item: changed(idA, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Sealed = "" })},
		{name: "sealed to another key under this server's kid", id: idA, code: domain.CodeDecryptFailed, item: changed(idA, func(t *testing.T, _ *env, it *domain.Sealed) {
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
		{name: "payload moved to another id (wrong AAD)", id: idA, code: domain.CodeDecryptFailed, item: changed(idB, func(_ *testing.T, _ *env, it *domain.Sealed) { it.ID = idA })},
		{name: "payload truncated by one byte", id: idA, code: domain.CodeDecryptFailed, item: changedBytes(idA, func(b []byte) []byte { return b[:len(b)-1] })},
		{name: "payload shorter than enc and tag", id: idA, code: domain.CodeDecryptFailed, item: changedBytes(idA, func(b []byte) []byte { return b[:70] })},
		{name: "ciphertext changed", id: idA, code: domain.CodeDecryptFailed, item: changedBytes(idA, func(b []byte) []byte { b[len(b)/2+40] ^= 1; return b })},
		{name: "enc is not a P-256 point", id: idA, code: domain.CodeDecryptFailed, item: changedBytes(idA, func(b []byte) []byte { clear(b[1:65]); return b })},

		{name: "plaintext is not JSON", id: idA, code: domain.CodeInvalidPlaintext, item: sealedPlain(idA, "lang=en")},
		{name: "plaintext has no answers", id: idA, code: domain.CodeInvalidPlaintext, item: sealedPlain(idA, `{"lang":"en"}`)},
		{name: "plaintext answers is a list", id: idA, code: domain.CodeInvalidPlaintext, item: sealedPlain(idA, `{"lang":"en","answers":[]}`)},
		{name: "plaintext is null", id: idA, code: domain.CodeInvalidPlaintext, item: sealedPlain(idA, `null`)},

		{name: "language not in the survey", id: idA, code: domain.CodeUnknownLanguage, item: needsIn(idA, "de", 1, testapp.NeedsAnswers())},
		{name: "language missing", id: idA, code: domain.CodeUnknownLanguage, item: needsIn(idA, "", 1, testapp.NeedsAnswers())},
		{name: "language in upper case", id: idA, code: domain.CodeUnknownLanguage, item: needsIn(idA, "EN", 1, testapp.NeedsAnswers())},

		{name: "required single left out", id: idA, code: domain.CodeMissingAnswer, question: "phone", item: needs(idA, w("phone", absent))},
		{name: "required multiple left out", id: idA, code: domain.CodeMissingAnswer, question: "find_clients", item: needs(idA, w("find_clients", absent))},
		{name: "required yesno left out", id: idA, code: domain.CodeMissingAnswer, question: "contact", item: needs(idA, w("contact", absent))},

		{name: "single: unknown choice", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: needs(idA, w("phone", "tablet"))},
		{name: "single: a number", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: needs(idA, w("phone", 1))},
		{name: "single: a list", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: needs(idA, w("phone", []string{"smartphone"}))},
		{name: "single: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "phone", item: needs(idA, w("phone", true))},
		{name: "multiple: empty list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", []string{}))},
		{name: "multiple: duplicate value", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", []string{"apps", "apps"}))},
		{name: "multiple: unknown value", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", []string{"apps", "yacht"}))},
		{name: "multiple: a number in the list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", []any{"apps", 1}))},
		{name: "multiple: a bare string, not a list", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", "apps"))},
		{name: "multiple: an object", id: idA, code: domain.CodeInvalidAnswer, question: "find_clients", item: needs(idA, w("find_clients", map[string]bool{"apps": true}))},
		{name: "yesno: a string", id: idA, code: domain.CodeInvalidAnswer, question: "harassed_online", item: needs(idA, w("harassed_online", "yes"))},
		{name: "yesno: a number", id: idA, code: domain.CodeInvalidAnswer, question: "harassed_online", item: needs(idA, w("harassed_online", 1))},
		{name: "scale: 0", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: needs(idA, w("clinic_treatment", 0))},
		{name: "scale: 6", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: needs(idA, w("clinic_treatment", 6))},
		{name: "scale: 2.5", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: needs(idA, w("clinic_treatment", 2.5))},
		{name: "scale: a string", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: needs(idA, w("clinic_treatment", "3"))},
		{name: "scale: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "clinic_treatment", item: needs(idA, w("clinic_treatment", true))},
		{name: "number: below min", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: needs(idA, w("work_days", -1))},
		{name: "number: above max", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: needs(idA, w("work_days", 8))},
		{name: "number: above max of a shown question", id: idA, code: domain.CodeInvalidAnswer, question: "police_times", item: needs(idA, w("police", true, "police_times", 101))},
		{name: "number: out of float64 range", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: needs(idA, w("work_days", json.RawMessage("1e400")))},
		{name: "number: a string", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: needs(idA, w("work_days", "3"))},
		{name: "number: a boolean", id: idA, code: domain.CodeInvalidAnswer, question: "work_days", item: needs(idA, w("work_days", false))},
		{name: "text: too long", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: needs(idA, w("comments", longText))},
		{name: "text: empty", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: needs(idA, w("comments", ""))},
		{name: "text: a number", id: idA, code: domain.CodeInvalidAnswer, question: "comments", item: needs(idA, w("comments", 42))},

		{name: "question not in the survey", id: idA, code: domain.CodeUnknownQuestion, question: "favourite_colour", item: needs(idA, w("favourite_colour", "red"))},

		{name: "answer to a question hidden by a no", id: idA, code: domain.CodeHiddenAnswer, question: "police_what", item: needs(idA, w("police_what", []string{"detained"}))},
		{name: "answer to a question hidden by prefer-not-to-say", id: idA, code: domain.CodeHiddenAnswer, question: "police_times", item: needs(idA, w("police", nil, "police_times", 2))},
		{name: "answer to a question whose condition was skipped", id: idA, code: domain.CodeHiddenAnswer, question: "data_money", item: needs(idA, w("data_money", true))},
		{name: "answer to a question hidden by other choices", id: idA, code: domain.CodeHiddenAnswer, question: "online_safe", item: needs(idA, w("find_clients", []string{"street"}, "online_safe", 3))},
	}
	for _, c := range cases {
		scenario{
			Name:            string(c.code) + "/" + c.name,
			Body:            items(c.item),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(c.id, c.code, c.question)},
			After: both(storesNothing, func(t *testing.T, _ *env, reply []byte) {
				out := outcome(t, reply)
				if len(out.Rejected) != 1 || out.Rejected[0].Message == "" {
					t.Errorf("want one rejection with a message, got %+v", out.Rejected)
				}
			}),
		}.test(t)
	}
}

func TestSync_ConflictIsRejectedAndKeepsTheFirstAnswers(t *testing.T) {
	first := needs(idA, testapp.NeedsAnswers())
	for _, s := range []scenario{
		{
			Name:            "same id, other answers",
			Before:          func(t *testing.T, e *env) { earlier(t, e, first) },
			Body:            items(needs(idA, testapp.With("phone", "basic"))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
		{
			Name:            "same id and answers, other language",
			Before:          func(t *testing.T, e *env) { earlier(t, e, first) },
			Body:            items(needsIn(idA, "ru", 1, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After: func(t *testing.T, e *env, _ []byte) {
				if got := stored(t, e, idA).Lang; got != "en" {
					t.Errorf("stored lang %q, want the first one, en", got)
				}
			},
		},
		{
			Name:            "same id, one answer more",
			Before:          func(t *testing.T, e *env) { earlier(t, e, first) },
			Body:            items(needs(idA, testapp.With("work_days", 3))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           storedAnswers(idA, needsAnswersStored),
		},
		{
			Name:            "same id twice in one batch, other answers",
			Body:            items(first, needs(idA, testapp.With("phone", "basic"))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), rejected(idA, domain.CodeConflict, "")},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
	} {
		s.test(t)
	}
}

func TestSync_DuplicateIsAcknowledgedOnce(t *testing.T) {
	first := needs(idA, testapp.NeedsAnswers())
	for _, s := range []scenario{
		{
			Name:   "same answers sealed again",
			Before: func(t *testing.T, e *env) { earlier(t, e, first) },
			Body: func(t *testing.T, e *env) []byte {
				a, b := first(t, e), first(t, e)
				if a.Sealed == b.Sealed {
					t.Fatal("two seals of the same answers are equal: sealing is not randomised")
				}
				return testapp.Body(b)
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
			After:           both(storesExactly(idA), storedAnswers(idA, needsAnswersStored)),
		},
		{
			Name:            "same answers, multiple choices in another order",
			Before:          func(t *testing.T, e *env) { earlier(t, e, first) },
			Body:            items(needs(idA, testapp.With("find_clients", []string{"apps", "street"}, "services", []string{"condoms", "hiv_test"}))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
			After:           storesExactly(idA),
		},
		{
			Name:            "same number spelt 3 and 3.0",
			Before:          func(t *testing.T, e *env) { earlier(t, e, needs(idA, testapp.With("work_days", 3))) },
			Body:            items(needs(idA, testapp.With("work_days", json.RawMessage("3.0")))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(), duplicate(idA), noneRejected},
		},
		{
			Name:            "same id twice in one batch",
			Body:            items(first, first),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(idA), noneRejected},
			After:           storesExactly(idA),
		},
		{
			Name: "a whole batch resent after a lost reply",
			Before: func(t *testing.T, e *env) {
				earlier(t, e, first, needs(idB, testapp.NeedsAnswers()))
			},
			Body:            items(first, needs(idB, testapp.NeedsAnswers()), needs(idC, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idC), duplicate(idA, idB), noneRejected},
			After:           storesExactly(idA, idB, idC),
		},
		{
			Name: "a rejected item, fixed and resent, is accepted",
			Before: func(t *testing.T, e *env) {
				if out := earlier(t, e, needs(idA, testapp.With("phone", "tablet"))); len(out.Rejected) != 1 {
					t.Fatalf("the bad item was not rejected: %+v", out)
				}
			},
			Body:            items(first),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), noneRejected},
			After:           storesExactly(idA),
		},
	} {
		s.test(t)
	}
}

func TestSync_PartialBatchStoresTheGoodAndRejectsTheBadInOrder(t *testing.T) {
	scenario{
		Name: "good, bad, good, bad, bad",
		Body: items(
			needs(idA, testapp.NeedsAnswers()),
			changed(idB, func(_ *testing.T, _ *env, it *domain.Sealed) { it.Survey = "census" }),
			needsIn(idC, "ru", 1, testapp.With("comments", "всё хорошо")),
			changedBytes(idD, func(b []byte) []byte { return b[:len(b)-1] }),
			needs("bad-id", testapp.NeedsAnswers()),
		),
		ExpectedStatus: http.StatusOK,
		ExpectedContent: []string{
			accepted(idA, idC), duplicate(),
			rejected(idB, domain.CodeUnknownSurvey, ""),
			rejected(idD, domain.CodeDecryptFailed, ""),
			rejected("bad-id", domain.CodeInvalidID, ""),
		},
		After: both(storesExactly(idA, idC), func(t *testing.T, _ *env, reply []byte) {
			var got []string
			for _, r := range outcome(t, reply).Rejected {
				got = append(got, r.ID)
			}
			if want := []string{idB, idD, "bad-id"}; !slices.Equal(got, want) {
				t.Errorf("rejected in order %v, want %v", got, want)
			}
		}),
	}.test(t)
}

// Conflicts are found when storing, after every item was opened, so they
// come after the other rejections (openapi.yaml says so; clients match by id).
func TestSync_ConflictsAreListedAfterOtherRejections(t *testing.T) {
	scenario{
		Name:            "conflict first in the batch, bad item second",
		Before:          func(t *testing.T, e *env) { earlier(t, e, needs(idA, testapp.NeedsAnswers())) },
		Body:            items(needs(idA, testapp.With("phone", "basic")), needs(idB, testapp.With("phone", "tablet")), needs(idC, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idC), duplicate()},
		After: func(t *testing.T, _ *env, reply []byte) {
			var got []string
			for _, r := range outcome(t, reply).Rejected {
				got = append(got, r.ID+" "+string(r.Error))
			}
			if want := []string{idB + " invalid_answer", idA + " conflict"}; !slices.Equal(got, want) {
				t.Errorf("rejected %v, want %v", got, want)
			}
		},
	}.test(t)
}

func TestSync_AcceptsValidAnswersOfEveryKind(t *testing.T) {
	w := testapp.With
	for _, s := range []scenario{
		{
			Name:            "required questions only; questions hidden by showIf absent",
			Body:            items(needs(idA, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), duplicate(), noneRejected},
			After:           storedAnswers(idA, needsAnswersStored),
		},
		{
			Name:            "prefer not to say is stored as null",
			Body:            items(needs(idA, w("phone", nil, "services", nil, "police", nil, "work_days", nil))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After:           storedAnswers(idA, `{"contact":false,"find_clients":["street","apps"],"harassed_online":false,"outing_threat":false,"payment":["cash"],"phone":null,"police":null,"services":null,"work_days":null}`),
		},
		{
			Name: "questions shown by showIf, answered; multiple stored in the definition's order",
			Body: items(needs(idA, w(
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
			Body:            items(needs(idA, w("police", true, "contact", true))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:            "scale at both ends, 5.0 stored as 5; number with a fraction; bounds inclusive",
			Body:            items(needs(idA, w("clinic_treatment", json.RawMessage("5.0"), "work_days", 2.5)), needs(idB, w("clinic_treatment", 1, "work_days", 7)), needs(idC, w("work_days", 0))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA, idB, idC)},
			After: func(t *testing.T, e *env, _ []byte) {
				if got := answersJSON(t, e, idA); !strings.Contains(got, `"clinic_treatment":5,`) || !strings.Contains(got, `"work_days":2.5`) {
					t.Errorf("stored %s", got)
				}
			},
		},
		{
			Name:            "Russian, with a 500-character Cyrillic text answer",
			Body:            items(needsIn(idA, "ru", 1, w("comments", strings.Repeat("я", domain.MaxTextAnswer)))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After: func(t *testing.T, e *env, _ []byte) {
				if r := stored(t, e, idA); r.Lang != "ru" || r.Answers["comments"] != strings.Repeat("я", domain.MaxTextAnswer) {
					t.Errorf("stored %s %v", r.Lang, r.Answers["comments"])
				}
			},
		},
		{
			Name:            "an empty batch",
			Body:            raw(`{"responses":[]}`),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"accepted":[],"duplicate":[],"rejected":[]}`},
		},
	} {
		s.test(t)
	}
}

// What is stored is the survey, version, language, answers and day, and
// nothing else: no id inside the value, no kid, no sealed bytes, no time.
func TestSync_StoredRecordHoldsOnlySurveyVersionLangAnswersAndDay(t *testing.T) {
	scenario{
		Name:            "one response",
		Body:            items(needs(idA, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idA)},
		After: func(t *testing.T, e *env, _ []byte) {
			today := time.Now().UTC().Format(time.DateOnly)
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
			// The request ran just before; around midnight UTC it may be yesterday.
			yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
			if r.Day != today && r.Day != yesterday {
				t.Errorf("day %q is not today's UTC date %s", r.Day, today)
			}
			if bytes.Contains(b, []byte(e.Phone.Kid)) || bytes.Contains(b, []byte(idA)) {
				t.Errorf("stored value holds the kid or the id: %s", b)
			}
		},
	}.test(t)
}

// Keys are ordered by id, never by arrival, so the order reveals nothing.
func TestSync_ResponsesAreKeptInIDOrder(t *testing.T) {
	scenario{
		Name:            "sent in reverse id order",
		Body:            items(needs(idD, testapp.NeedsAnswers()), needs(idC, testapp.NeedsAnswers()), needs(idB, testapp.NeedsAnswers()), needs(idA, testapp.NeedsAnswers())),
		ExpectedStatus:  http.StatusOK,
		ExpectedContent: []string{accepted(idD, idC, idB, idA)},
		After: func(t *testing.T, e *env, _ []byte) {
			if got, want := storedIDs(t, e), []string{idA, idB, idC, idD}; !slices.Equal(got, want) {
				t.Errorf("kept in order %v, want %v", got, want)
			}
		},
	}.test(t)
}

func TestSync_ContentEncoding(t *testing.T) {
	good := items(needs(idA, testapp.NeedsAnswers()))
	gz := func(t *testing.T, e *env) []byte { return testapp.Gzip(good(t, e)) }
	for _, s := range []scenario{
		{
			Name:            "gzip is accepted",
			Headers:         map[string]string{"Content-Encoding": "gzip"},
			Body:            gz,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
			After:           storesExactly(idA),
		},
		{
			Name:            "gzip is matched case-insensitively",
			Headers:         map[string]string{"Content-Encoding": "GZip"},
			Body:            gz,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:            "identity is accepted",
			Headers:         map[string]string{"Content-Encoding": "identity"},
			Body:            good,
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA)},
		},
		{
			Name:               "gzip declared, plain JSON sent",
			Headers:            map[string]string{"Content-Encoding": "gzip"},
			Body:               good,
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{apiError(domain.CodeMalformed), "not gzip"},
			NotExpectedContent: []string{`"accepted"`},
			After:              storesNothing,
		},
		{
			Name:    "gzip cut off",
			Headers: map[string]string{"Content-Encoding": "gzip"},
			Body: func(t *testing.T, e *env) []byte {
				b := gz(t, e)
				return b[:len(b)/2]
			},
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{apiError(domain.CodeMalformed), "cut off"},
			After:           storesNothing,
		},
		{
			Name:            "an encoding other than gzip",
			Headers:         map[string]string{"Content-Encoding": "br"},
			Body:            good,
			ExpectedStatus:  http.StatusUnsupportedMediaType,
			ExpectedContent: []string{apiError(domain.CodeUnsupportedEncoding), `\"br\" is not supported`},
			After:           storesNothing,
		},
	} {
		s.test(t)
	}
}

// padded is a valid, empty batch of exactly n bytes: whitespace is JSON.
func padded(n int) []byte {
	const head, tail = `{"responses":[`, `]}`
	return []byte(head + strings.Repeat(" ", n-len(head)-len(tail)) + tail)
}

func TestSync_Limits(t *testing.T) {
	batch := func(n int) func(t *testing.T, e *env) []byte {
		return func(t *testing.T, e *env) []byte {
			out := make([]domain.Sealed, n)
			for i := range out {
				out[i] = e.Phone.Needs(t, testapp.NewID(), testapp.NeedsAnswers())
			}
			return testapp.Body(out...)
		}
	}
	gzipHeader := map[string]string{"Content-Encoding": "gzip"}
	for _, s := range []scenario{
		{
			Name:           "500 items are accepted",
			Body:           batch(domain.MaxBatch),
			ExpectedStatus: http.StatusOK,
			After: func(t *testing.T, e *env, reply []byte) {
				if out := outcome(t, reply); len(out.Accepted) != domain.MaxBatch {
					t.Errorf("accepted %d, want %d", len(out.Accepted), domain.MaxBatch)
				}
				if n := len(storedIDs(t, e)); n != domain.MaxBatch {
					t.Errorf("stored %d, want %d", n, domain.MaxBatch)
				}
			},
		},
		{
			Name:               "501 items are refused whole",
			Body:               batch(domain.MaxBatch + 1),
			ExpectedStatus:     http.StatusRequestEntityTooLarge,
			ExpectedContent:    []string{apiError(domain.CodeTooLarge), "at most 500"},
			NotExpectedContent: []string{`"accepted"`},
			After:              storesNothing,
		},
		{
			Name:            "a body of exactly MaxSyncBytes is read",
			Body:            func(*testing.T, *env) []byte { return padded(api.MaxSyncBytes) },
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted()},
		},
		{
			Name:            "a body one byte over MaxSyncBytes",
			Body:            func(*testing.T, *env) []byte { return padded(api.MaxSyncBytes + 1) },
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge)},
		},
		{
			Name:            "a gzip body that inflates to exactly MaxSyncBytes is read",
			Headers:         gzipHeader,
			Body:            func(*testing.T, *env) []byte { return testapp.Gzip(padded(api.MaxSyncBytes)) },
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted()},
		},
		{
			Name:    "a gzip bomb that inflates past MaxSyncBytes",
			Headers: gzipHeader,
			Body: func(t *testing.T, _ *env) []byte {
				b := testapp.Gzip(padded(4 * api.MaxSyncBytes))
				if len(b) > 100<<10 {
					t.Fatalf("the bomb is %d bytes compressed; it should be small", len(b))
				}
				return b
			},
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge), "unzipped"},
		},
		{
			Name:    "a gzip body over MaxSyncBytes before inflating",
			Headers: gzipHeader,
			Body: func(t *testing.T, _ *env) []byte {
				noise := make([]byte, api.MaxSyncBytes+(64<<10))
				_, _ = rand.Read(noise)
				var buf bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
				_, _ = zw.Write(noise)
				_ = zw.Close()
				b := buf.Bytes()
				if len(b) <= api.MaxSyncBytes {
					t.Fatalf("random bytes compressed to %d bytes", len(b))
				}
				return b
			},
			ExpectedStatus:  http.StatusRequestEntityTooLarge,
			ExpectedContent: []string{apiError(domain.CodeTooLarge)},
		},
	} {
		s.test(t)
	}
}

func TestSync_MalformedBodyIsRefusedWithAClearMessage(t *testing.T) {
	const hint = `{\"responses\":[{\"id\",\"survey\",\"version\",\"kid\",\"sealed\"}`
	for _, s := range []scenario{
		{Name: "not JSON", Body: raw("responses=1")},
		{Name: "empty body", Body: raw("")},
		{Name: "a list instead of an object", Body: raw(`[]`)},
		{Name: "an object without responses", Body: raw(`{}`)},
		{Name: "responses is null", Body: raw(`{"responses":null}`)},
		{Name: "responses is an object", Body: raw(`{"responses":{}}`)},
		{Name: "an unknown field", Body: raw(`{"responses":[],"device":"x"}`)},
		{Name: "JSON cut off", Body: raw(`{"responses":[{"id":"`)},
		// A second batch after the first would otherwise be silently dropped.
		{Name: "a second JSON value after the batch", Body: func(t *testing.T, e *env) []byte {
			return append(testapp.Body(), testapp.Body(e.Phone.Needs(t, idA, testapp.NeedsAnswers()))...)
		}},
		{Name: "text after the batch", Body: raw(`{"responses":[]} and more`)},
		{Name: "a stray closing brace after the batch", Body: raw(`{"responses":[]}}`)},
		{Name: "a stray closing bracket after the batch", Body: raw(`{"responses":[]}]`)},
	} {
		s.ExpectedStatus = http.StatusBadRequest
		s.ExpectedContent = []string{apiError(domain.CodeMalformed), hint}
		s.NotExpectedContent = []string{`"accepted"`}
		s.After = storesNothing
		s.test(t)
	}
}

// putNeedsV2 publishes version 2 of the needs survey: "comments" is gone and
// "work_days" became required.
func putNeedsV2(t *testing.T, e *env) {
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
	withComment := testapp.With("comments", "thanks")
	for _, s := range []scenario{
		{
			Name:            "answers to v1 are accepted and stored against v1",
			Before:          putNeedsV2,
			Body:            items(needs(idA, withComment)),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), noneRejected},
			After: func(t *testing.T, e *env, _ []byte) {
				if r := stored(t, e, idA); r.Version != 1 || r.Answers["comments"] != "thanks" {
					t.Errorf("stored v%d %v", r.Version, r.Answers)
				}
			},
		},
		{
			Name:            "answers to v2 are checked against v2",
			Before:          putNeedsV2,
			Body:            items(needsIn(idA, "en", 2, testapp.With("work_days", 5)), needsIn(idB, "en", 2, withComment), needsIn(idC, "en", 2, testapp.NeedsAnswers())),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{accepted(idA), rejected(idB, domain.CodeUnknownQuestion, "comments"), rejected(idC, domain.CodeMissingAnswer, "work_days")},
			After: func(t *testing.T, e *env, _ []byte) {
				if r := stored(t, e, idA); r.Version != 2 {
					t.Errorf("stored v%d, want 2", r.Version)
				}
			},
		},
		{
			Name: "the same id and answers to another version conflict",
			Before: func(t *testing.T, e *env) {
				putNeedsV2(t, e)
				earlier(t, e, needs(idA, testapp.With("work_days", 5)))
			},
			Body:            items(needsIn(idA, "en", 2, testapp.With("work_days", 5))),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{rejected(idA, domain.CodeConflict, "")},
		},
		{
			Name:               "the latest definition is v2",
			Before:             putNeedsV2,
			URL:                "/api/v1/surveys/needs",
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"id":"needs","version":2,`},
			NotExpectedContent: []string{`"id":"comments"`},
		},
		{
			Name:            "version 1 is still served",
			Before:          putNeedsV2,
			URL:             "/api/v1/surveys/needs/versions/1",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"needs","version":1,`, `"id":"comments"`},
		},
		{
			Name:            "the list shows the latest version",
			Before:          putNeedsV2,
			URL:             "/api/v1/surveys",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`{"surveys":[{"id":"needs","version":2,"languages":["en","ru","es","fr","ar"]}]}`},
		},
	} {
		s.test(t)
	}
}

func TestAPI_Reads(t *testing.T) {
	for _, s := range []scenario{
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
			After: func(t *testing.T, e *env, reply []byte) {
				var doc map[string]string
				if err := json.Unmarshal(reply, &doc); err != nil {
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
		s.test(t)
	}
}

// checkSurveyDocument checks a definition's JSON as the issue describes it:
// id, version, languages, questions; each question id, type and required;
// choices with a value only where the type has them.
func checkSurveyDocument(version int) func(t *testing.T, e *env, reply []byte) {
	return func(t *testing.T, e *env, reply []byte) {
		t.Helper()
		var doc struct {
			ID        *string
			Version   *int
			Languages []string
			Questions []map[string]json.RawMessage
		}
		if err := json.Unmarshal(reply, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ID == nil || doc.Version == nil || *doc.Version != version || len(doc.Languages) == 0 || len(doc.Questions) == 0 {
			t.Fatalf("definition lacks id, version %d, languages or questions: %s", version, short(string(reply)))
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
		if err := json.Unmarshal(reply, &got); err != nil {
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
	a := testapp.Open(t)
	e := &env{App: a, Phone: testapp.NewPhone(t, a.Handler())}
	const senders = 8
	var wg sync.WaitGroup
	outs := make([]domain.Outcome, senders)
	bodies := make([][]byte, senders)
	for i := range bodies {
		bodies[i] = testapp.Body(e.Phone.Needs(t, idA, testapp.NeedsAnswers()), e.Phone.Needs(t, testapp.NewID(), testapp.NeedsAnswers()))
	}
	for i := range senders {
		wg.Go(func() {
			rec := serve(e, http.MethodPost, "/api/v1/responses", nil, bodies[i])
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
	dir := t.TempDir()
	a := testapp.OpenDir(t, dir)
	e := &env{App: a, Phone: testapp.NewPhone(t, a.Handler())}
	item := e.Phone.Needs(t, idA, testapp.NeedsAnswers())
	if out := earlier(t, e, func(*testing.T, *env) domain.Sealed { return item }); !slices.Equal(out.Accepted, []string{idA}) {
		t.Fatalf("first sync: %+v", out)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	again := &env{App: testapp.OpenDir(t, dir), Phone: e.Phone}
	if got := answersJSON(t, again, idA); got != needsAnswersStored {
		t.Errorf("after restart: %s", got)
	}
	resent := e.Phone.Needs(t, idA, testapp.NeedsAnswers())
	if out := earlier(t, again, func(*testing.T, *env) domain.Sealed { return resent }); !slices.Equal(out.Duplicate, []string{idA}) {
		t.Errorf("resend after restart: %+v", out)
	}
}

// The OpenAPI document must keep up with the route table and the codes.
func TestOpenAPI_DescribesEveryAPIRouteAndCode(t *testing.T) {
	a := testapp.Open(t)
	e := &env{App: a}
	doc := serve(e, http.MethodGet, "/api/v1/openapi.yaml", nil, nil).Body.String()

	router, ok := a.Handler().(*echo.Echo)
	if !ok {
		t.Fatalf("Handler is a %T, not *echo.Echo", a.Handler())
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
	for _, s := range []scenario{
		{
			Name: "version sent as a string",
			Body: func(t *testing.T, e *env) []byte {
				good := testapp.Body(e.Phone.Needs(t, idA, testapp.NeedsAnswers()))
				bad := `{"id":"` + idB + `","survey":"needs","version":"1","kid":"k","sealed":"AA"}`
				return []byte(strings.Replace(string(good), `[`, `[`+bad+`,`, 1))
			},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"accepted":["` + idA + `"]`, `"id":"` + idB + `"`, apiError(domain.CodeMalformed)},
		},
		{
			Name: "an unknown item field",
			Body: func(t *testing.T, e *env) []byte {
				good := testapp.Body(e.Phone.Needs(t, idA, testapp.NeedsAnswers()))
				bad := `{"id":"` + idB + `","ip":"10.0.0.1"}`
				return []byte(strings.Replace(string(good), `[`, `[`+bad+`,`, 1))
			},
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"accepted":["` + idA + `"]`, `"id":"` + idB + `"`, apiError(domain.CodeMalformed)},
			NotExpectedContent: []string{"10.0.0.1"},
		},
	} {
		s.test(t)
	}
}

package pwa_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
)

// rulesPage opens rules.js in real Chromium as window.rules.
func rulesPage(t *testing.T) context.Context {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/js/", http.StripPrefix("/js/", http.FileServer(http.Dir("js"))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>rules</title><script type="module">import * as rules from '/js/rules.js'; window.rules = rules;</script>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := chrome.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// fixture reads one of the server's rule fixtures into cases, and checks it
// holds at least min of them.
func fixture[T any](t *testing.T, name string, min int) []T {
	t.Helper()
	data, err := os.ReadFile("../server/domain/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []T }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < min {
		t.Fatalf("%s: only %d cases", name, len(f.Cases))
	}
	return f.Cases
}

// The phone decides which questions to show with rules.js; the server judges
// the answers with its own copy (server/domain). Both are run against one
// fixture, so that a member is never shown a question the server then
// refuses an answer to, or the reverse.
func TestRules_ShowIfAgreesWithTheServer(t *testing.T) {
	cases := fixture[struct {
		Name    string          `json:"name"`
		Cond    json.RawMessage `json:"cond"`
		Answers json.RawMessage `json:"answers"`
		Want    bool            `json:"want"`
	}](t, "showif.json", 10)
	ctx := rulesPage(t)
	for _, c := range cases {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`rules.shown(`+string(c.Cond)+`, `+string(c.Answers)+`)`))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got != c.Want {
			t.Errorf("%s: shown = %v on the phone, want %v as on the server", c.Name, got, c.Want)
		}
	}
}

// What she types into a number question becomes her answer on the phone
// exactly when the server takes it: a fraction where whole numbers are
// asked is no answer on either.
func TestRules_NumberAnswerAgreesWithTheServer(t *testing.T) {
	cases := fixture[struct {
		Name     string          `json:"name"`
		Question json.RawMessage `json:"question"`
		Typed    string          `json:"typed"`
		Taken    bool            `json:"taken"`
	}](t, "number.json", 8)
	ctx := rulesPage(t)
	for _, c := range cases {
		typed, _ := json.Marshal(c.Typed)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`rules.numberAnswer(`+string(typed)+`, {whole: false, ...`+string(c.Question)+`}) !== undefined`))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got != c.Taken {
			t.Errorf("%s: %s taken = %v on the phone, want %v as on the server", c.Name, c.Typed, got, c.Taken)
		}
	}
}

package pwa_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
)

// The phone decides which questions to show with rules.js; the server judges
// the answers with its own copy (server/domain). Both are run against one
// fixture, so that a member is never shown a question the server then
// refuses an answer to, or the reverse.
func TestRules_ShowIfAgreesWithTheServer(t *testing.T) {
	data, err := os.ReadFile("../server/domain/testdata/showif.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Name    string          `json:"name"`
			Cond    json.RawMessage `json:"cond"`
			Answers json.RawMessage `json:"answers"`
			Want    bool            `json:"want"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
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
	for _, c := range f.Cases {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`rules.shown(`+string(c.Cond)+`, `+string(c.Answers)+`)`))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got != c.Want {
			t.Errorf("%s: shown = %v on the phone, want %v as on the server", c.Name, got, c.Want)
		}
	}
	if len(f.Cases) < 10 {
		t.Fatalf("only %d cases", len(f.Cases))
	}
}

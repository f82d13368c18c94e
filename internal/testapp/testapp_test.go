package testapp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
)

// The helpers must make what a real phone makes, or every test built on them
// proves nothing: a canonical id, a key the server publishes, and NeedsAnswers
// that the real needs survey accepts.
func TestPhone_NeedsAnswersAreAcceptedByTheRealServer(t *testing.T) {
	a := testapp.Open(t)
	p := testapp.NewPhone(t, a.Handler())
	if len(p.PublicKey) != 65 || p.PublicKey[0] != 4 || p.Kid == "" {
		t.Fatalf("key: kid %q, %d bytes", p.Kid, len(p.PublicKey))
	}
	id := testapp.NewID()
	if !domain.ValidResponseID(id) {
		t.Fatalf("NewID made %q, not a canonical UUIDv4", id)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/responses", bytes.NewReader(testapp.Body(p.Needs(t, id, testapp.NeedsAnswers()))))
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"accepted":["`+id+`"]`) {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
}

package loadgen

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"sova/server/domain"
	"sova/server/seal"
)

// Items must pass the server's own checks: decrypt with the right AAD, and
// answers that the survey's validator keeps as they are.
func TestItemsOpenAndValidate(t *testing.T) {
	sv, err := Needs()
	if err != nil {
		t.Fatal(err)
	}
	key, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ring := seal.NewRing(key)
	g := New(key.PublicKey(), key.Kid(), sv)
	items, err := g.Items(300)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	shownSome := map[string]bool{}
	for _, it := range items {
		if !domain.ValidResponseID(it.Sealed.ID) || seen[it.Sealed.ID] {
			t.Fatalf("bad or repeated id %q", it.Sealed.ID)
		}
		seen[it.Sealed.ID] = true
		ct, err := base64.RawURLEncoding.DecodeString(it.Sealed.Sealed)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := ring.Open(it.Sealed.Kid, []byte(it.Sealed.ID), ct)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		c, err := sv.Check(plain)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		if !c.Equal(it.Content) {
			t.Fatalf("content differs")
		}
		for q := range c.Answers {
			shownSome[q] = true
		}
	}
	// Conditional questions must come up too, or showIf goes untested.
	for _, q := range []string{"blackmail", "police_what", "contact_how", "online_safe"} {
		if !shownSome[q] {
			t.Errorf("question %s never answered in 300 items", q)
		}
	}
	again, err := g.Reseal(items[0])
	if err != nil || again.Sealed.Sealed == items[0].Sealed.Sealed || again.Sealed.ID != items[0].Sealed.ID {
		t.Fatalf("reseal: %v", err)
	}
	var body struct{ Responses []domain.Sealed }
	if err := json.Unmarshal(Body(items[:3]), &body); err != nil || len(body.Responses) != 3 {
		t.Fatalf("body: %v", err)
	}
}

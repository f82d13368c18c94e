// Package loadgen plays many phones at once, for the durability test and the
// ingest benchmark: it makes random but valid answers to a survey (the
// built-in needs survey by default), seals each one to the server's response
// key exactly as a phone does, and builds sync batches from them.
//
// Every generated item is checked with the survey's own validator before it
// is sealed, so a server that rejects one has a bug, not the generator.
package loadgen

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"

	"sova/assets"
	"sova/server/domain"
	"sova/server/seal"
)

// Needs parses the built-in needs survey (assets/surveys/needs.json) with the
// same validator the server uses.
func Needs() (*domain.Survey, error) {
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		return nil, err
	}
	return domain.ParseSurvey("assets/surveys/needs.json", data, nil)
}

// Item is one sealed response and what it holds.
type Item struct {
	Sealed domain.Sealed
	// Plain is the sealed plaintext, {"lang":…, "answers":{…}}.
	Plain []byte
	// Content is what the server must store for this item.
	Content *domain.Content
}

// Gen makes sealed items for one survey and one response key. It is safe
// for concurrent use.
type Gen struct {
	pub    []byte
	kid    string
	survey *domain.Survey
}

// New returns a generator that seals answers to sv with the public key pub
// (an uncompressed P-256 point) named kid.
func New(pub []byte, kid string, sv *domain.Survey) *Gen {
	return &Gen{pub: pub, kid: kid, survey: sv}
}

// Item makes one random, valid, sealed response under a fresh id.
func (g *Gen) Item() (Item, error) {
	lang := g.survey.Languages[rand.IntN(len(g.survey.Languages))]
	plain, err := json.Marshal(map[string]any{"lang": lang, "answers": Answers(g.survey)})
	if err != nil {
		return Item{}, err
	}
	content, err := g.survey.Check(plain)
	if err != nil {
		return Item{}, fmt.Errorf("loadgen made answers the survey refuses (a loadgen bug): %w", err)
	}
	return g.seal(NewID(), plain, content)
}

// Reseal seals the item's plaintext again under the same id: different bytes, the
// same content, as a phone that sealed the same answers twice would send.
func (g *Gen) Reseal(it Item) (Item, error) { return g.seal(it.Sealed.ID, it.Plain, it.Content) }

func (g *Gen) seal(id string, plain []byte, content *domain.Content) (Item, error) {
	ct, err := seal.Seal(g.pub, []byte(id), plain)
	if err != nil {
		return Item{}, err
	}
	return Item{
		Sealed: domain.Sealed{
			ID: id, Survey: g.survey.ID, Version: g.survey.Version, Kid: g.kid,
			Sealed: base64.RawURLEncoding.EncodeToString(ct),
		},
		Plain:   plain,
		Content: content,
	}, nil
}

// Items makes n items.
func (g *Gen) Items(n int) ([]Item, error) {
	out := make([]Item, n)
	for i := range out {
		it, err := g.Item()
		if err != nil {
			return nil, err
		}
		out[i] = it
	}
	return out, nil
}

// Batch makes n items and returns the POST /api/v1/responses body holding
// them, and their ids in order.
func (g *Gen) Batch(n int) (body []byte, ids []string, err error) {
	items, err := g.Items(n)
	if err != nil {
		return nil, nil, err
	}
	return Body(items), IDs(items), nil
}

// Body is the sync request body for items.
func Body(items []Item) []byte {
	req := struct {
		Responses []domain.Sealed `json:"responses"`
	}{Responses: make([]domain.Sealed, len(items))}
	for i, it := range items {
		req.Responses[i] = it.Sealed
	}
	b, _ := json.Marshal(req)
	return b
}

// IDs lists the items' ids in order.
func IDs(items []Item) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Sealed.ID
	}
	return ids
}

// NewID returns a canonical lower-case UUIDv4, as crypto.randomUUID() makes.
func NewID() string {
	var b [16]byte
	crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Answers makes random answers to sv that its validator accepts: questions
// hidden by showIf are left out; the others are answered by type, declined
// ("prefer not to say", null) now and then, and skipped now and then when
// optional.
func Answers(sv *domain.Survey) map[string]any {
	out := map[string]any{}
	for i := range sv.Questions {
		q := &sv.Questions[i]
		if !shown(sv, q, out) {
			continue
		}
		r := rand.Float64()
		switch {
		case !q.Required && r < 0.15:
			continue // skipped
		case r > 0.92:
			out[q.ID] = nil // prefer not to say
			continue
		}
		if v, ok := value(q); ok {
			out[q.ID] = v
		}
	}
	return out
}

var texts = []string{
	"need a doctor who does not judge",
	"нужен юрист по субботам",
	"more condoms at the drop-in",
	"группа в мессенджере была бы хорошо",
}

func value(q *domain.Question) (any, bool) {
	switch q.Type {
	case domain.Single:
		return q.Choices[rand.IntN(len(q.Choices))].Value, true
	case domain.Multiple:
		n := 1 + rand.IntN(min(3, len(q.Choices)))
		var picked []string
		for _, i := range rand.Perm(len(q.Choices))[:n] {
			picked = append(picked, q.Choices[i].Value)
		}
		return picked, true
	case domain.YesNo:
		return rand.IntN(2) == 0, true
	case domain.Scale:
		return 1 + rand.IntN(5), true
	case domain.Number:
		lo, hi := q.Bounds()
		return lo + float64(rand.IntN(int(hi-lo)+1)), true
	case domain.Text:
		if !q.Required && rand.IntN(4) != 0 {
			return nil, false // few members type
		}
		return texts[rand.IntN(len(texts))], true
	}
	return nil, false
}

// shown mirrors the survey's showIf rule: the earlier question was answered
// (not declined) with one of AnyOf.
func shown(sv *domain.Survey, q *domain.Question, answers map[string]any) bool {
	if q.ShowIf == nil {
		return true
	}
	got, ok := answers[q.ShowIf.Question]
	if !ok || got == nil {
		return false
	}
	for _, want := range q.ShowIf.AnyOf {
		switch g := got.(type) {
		case []string:
			for _, c := range g {
				if c == want {
					return true
				}
			}
		case int:
			if f, ok := want.(float64); ok && f == float64(g) {
				return true
			}
		default:
			if got == want {
				return true
			}
		}
	}
	return false
}

// FetchKey reads the server's current response key from base (such as
// http://127.0.0.1:8080).
func FetchKey(ctx context.Context, c *http.Client, base string) (pub []byte, kid string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/keys/response", nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET /api/v1/keys/response: %s", resp.Status)
	}
	var doc seal.PublicDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, "", err
	}
	pub, err = base64.RawURLEncoding.DecodeString(doc.PublicKey)
	return pub, doc.Kid, err
}

// Post sends one sync batch and reads the server's judgement. A reply other
// than 200 is an error that quotes the body.
func Post(ctx context.Context, c *http.Client, base string, body []byte) (*domain.Outcome, error) {
	return PostEncoded(ctx, c, base, body, "")
}

// PostEncoded is Post for a body already compressed as contentEncoding says
// ("gzip", as the PWA sends where it can); "" sends it as it is.
func PostEncoded(ctx context.Context, c *http.Client, base string, body []byte, contentEncoding string) (*domain.Outcome, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/responses", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Status: resp.StatusCode, Body: string(data)}
	}
	var out domain.Outcome
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("reply is not an outcome: %w", err)
	}
	return &out, nil
}

// StatusError is a reply to a sync batch other than 200.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

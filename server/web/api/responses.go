package api

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
)

// MaxSyncBytes bounds a sync request body, before and after gzip: 500 items
// of a long survey with text answers fit in well under 4 MiB.
const MaxSyncBytes = 4 << 20

// syncRequest keeps each item raw, so that one malformed item is refused on
// its own instead of sinking the batch.
type syncRequest struct {
	Responses []json.RawMessage `json:"responses"`
}

// PostResponses takes a batch of sealed responses and says, item by item,
// which were accepted, which it already had, and which it refused and why.
// It answers only after the accepted ones are durably stored.
func (s *API) PostResponses(c echo.Context) error {
	// JSON only: a cross-site page can post text/plain or a form without
	// the browser asking us first, but never application/json.
	if t, _, err := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); err != nil || t != "application/json" {
		return domain.Errorf(domain.CodeUnsupportedType, "send the batch as Content-Type: application/json")
	}
	// The body is read before taking a turn, so phones uploading slowly on
	// 2G hold no turn while others wait.
	body, err := readSyncBody(c.Request())
	if err != nil {
		return err
	}
	// The usual case, a well-formed batch, is decoded in one pass; only a
	// batch with a bad item takes the item-by-item path below.
	var whole struct {
		Responses []domain.Sealed `json:"responses"`
	}
	if decodeStrict(body, &whole) == nil && whole.Responses != nil && len(whole.Responses) <= domain.MaxBatch {
		return s.judge(c, whole.Responses, nil)
	}
	var req syncRequest
	if err := decodeStrict(body, &req); err != nil || req.Responses == nil {
		return domain.Errorf(domain.CodeMalformed, `the body must be JSON: {"responses":[{"id","survey","version","kid","sealed"}, …]}`)
	}
	if len(req.Responses) > domain.MaxBatch {
		return domain.Errorf(domain.CodeTooLarge, "at most %d responses per request; split the batch", domain.MaxBatch)
	}
	items := make([]domain.Sealed, 0, len(req.Responses))
	var malformed []domain.Rejection
	for _, raw := range req.Responses {
		var it domain.Sealed
		if err := decodeStrict(raw, &it); err != nil {
			malformed = append(malformed, malformedItem(raw))
			continue
		}
		items = append(items, it)
	}
	return s.judge(c, items, malformed)
}

// judge judges well-formed items (refused already holds the malformed
// ones): assisted items need their field worker's device, then the batch
// takes a turn and is opened, checked and stored.
func (s *API) judge(c echo.Context, items []domain.Sealed, refused []domain.Rejection) error {
	device, err := s.device(c.Request())
	if err != nil {
		return err
	}
	kept := items[:0]
	for _, it := range items {
		if it.Assisted != nil {
			if err := domain.CheckAssisted(it.Assisted, device, s.cfg.Store.HasSite); err != nil {
				refused = append(refused, domain.Rejection{ID: it.ID, Error: domain.ErrorCode(err), Message: err.(*domain.Error).Message})
				continue
			}
		}
		kept = append(kept, it)
	}
	items = kept
	// Bound the batches being judged: past the CPU's pace, more at once only
	// piles up memory (B5) and latency. Phones back off and retry.
	release, err := s.ingest.enter(c.Request().Context(), s.cfg.BusyAfter)
	if err != nil {
		c.Response().Header().Set("Retry-After", "10")
		return err
	}
	defer release()
	day := s.cfg.Now().UTC().Format("2006-01-02")
	out, err := domain.Ingest(items, day, s.cfg.Keys, s.cfg.Store, s.cfg.Store)
	if err != nil {
		return err
	}
	out.Rejected = append(out.Rejected, refused...)
	return c.JSON(http.StatusOK, out)
}

// malformedItem refuses one item that is not {"id","survey","version",
// "kid","sealed"} with the right types, naming it by its id if it has one.
func malformedItem(raw json.RawMessage) domain.Rejection {
	var named struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &named)
	return domain.Rejection{ID: named.ID, Error: domain.CodeMalformed,
		Message: `this item must be {"id","survey","version","kid","sealed"} with a string id, survey, kid and sealed and a whole-number version, and nothing else`}
}

// readSyncBody reads the body, gunzipping it if needed, and refuses more
// than MaxSyncBytes on either side of the gzip (a small bomb stays small).
func readSyncBody(r *http.Request) ([]byte, error) {
	var in io.Reader = http.MaxBytesReader(nil, r.Body, MaxSyncBytes)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, bodyError(err, "the body says gzip but is not gzip")
		}
		in = zr
	default:
		return nil, domain.Errorf(domain.CodeUnsupportedEncoding, "Content-Encoding %q is not supported; send gzip or nothing", enc)
	}
	body, err := io.ReadAll(io.LimitReader(in, MaxSyncBytes+1))
	if err != nil {
		return nil, bodyError(err, "the body could not be read: it is cut off or its gzip is broken")
	}
	if len(body) > MaxSyncBytes {
		return nil, domain.Errorf(domain.CodeTooLarge, "the body is over %d bytes once unzipped; split the batch", MaxSyncBytes)
	}
	return body, nil
}

func bodyError(err error, msg string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return domain.Errorf(domain.CodeTooLarge, "the body is over %d bytes; split the batch", MaxSyncBytes)
	}
	return domain.Errorf(domain.CodeMalformed, "%s", msg)
}

// device is the outreach device whose token the request carries
// ("Authorization: Bearer <token>"), or nil. Members' phones send none.
func (s *API) device(r *http.Request) (*domain.Device, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil, nil
	}
	return s.cfg.Store.Device(auth.TokenHash(token))
}

// decodeStrict decodes a sync body or item as the API documents it: names
// match exactly (encoding/json would take "ID" for "id"), a name given twice
// is refused rather than the last one winning, and so is an unknown name,
// invalid UTF-8 or anything after the value.
func decodeStrict(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true))
}

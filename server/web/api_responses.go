package web

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// MaxSyncBytes bounds a sync request body, before and after gzip: 500 items
// of a long survey with text answers fit in well under 4 MiB.
const MaxSyncBytes = 4 << 20

type syncRequest struct {
	Responses []domain.Sealed `json:"responses"`
}

// postResponses takes a batch of sealed responses and says, item by item,
// which were accepted, which it already had, and which it refused and why.
// It answers only after the accepted ones are durably stored.
func (s *Server) postResponses(c echo.Context) error {
	// Bound the batches in progress: past the CPU's pace, more at once only
	// piles up memory (B5) and latency. Phones back off and retry.
	select {
	case s.ingest <- struct{}{}:
		defer func() { <-s.ingest }()
	case <-time.After(s.cfg.BusyAfter):
		c.Response().Header().Set("Retry-After", "10")
		return domain.Errorf(domain.CodeBusy, "the server is busy; try again in a little while")
	case <-c.Request().Context().Done():
		return c.Request().Context().Err()
	}
	body, err := readSyncBody(c.Request())
	if err != nil {
		return err
	}
	var req syncRequest
	if err := domain.DecodeStrict(body, &req); err != nil || req.Responses == nil {
		return domain.Errorf(domain.CodeMalformed, `the body must be JSON: {"responses":[{"id","survey","version","kid","sealed"}, …]}`)
	}
	if len(req.Responses) > domain.MaxBatch {
		return domain.Errorf(domain.CodeTooLarge, "at most %d responses per request; split the batch", domain.MaxBatch)
	}
	day := s.cfg.Now().UTC().Format("2006-01-02")
	out, err := domain.Ingest(req.Responses, day, s.cfg.Keys, s.cfg.Store, s.cfg.Store)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
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

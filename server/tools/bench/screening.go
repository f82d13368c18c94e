package main

// B9 and B10: screening (issue 14).
//
//   - B10: /check.json, the offline list, with 1,000 confirmed identifiers
//     on live warnings, as sent with gzip. The data dir is seeded before
//     the server starts: 600 published warnings naming 1 to 3 identifiers
//     each. All but one identifier carry random 4-byte hashes, which are
//     what PBKDF2's output looks like to gzip (hashing 1,000 for real at
//     600,000 iterations would take minutes and change no byte count); the
//     one, +7 912 345-67-89, is hashed for real, so that B9 finds it.
//   - B9: one check of that number in headless Chromium, offline, at 4×
//     CPU slowdown: from the tap on "check" until the result is in the
//     page's role=status region (checkpage.go).

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"sova/server/app"
	"sova/server/domain"
	"sova/server/screening"
)

// b10Identifiers is B10's list size; b9Number the one hashed for real.
const (
	b10Identifiers = 1000
	b9Number       = "+7 912 345-67-89"
)

// seedScreening writes the published warnings into a new data dir.
func seedScreening(data string) error {
	a, err := app.Open(app.Config{DataDir: data, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	db := a.Store()
	st, err := db.Settings()
	if err != nil {
		return err
	}
	st.Country = "RU"
	if err := db.PutSettings(st); err != nil {
		return err
	}
	for i := range 9 {
		code := fmt.Sprintf("area-%d", i+1)
		if err := db.PutArea(domain.Area{Code: code, Names: map[string]string{"en": code}}); err != nil {
			return err
		}
	}
	params, err := db.ScreeningParams()
	if err != nil {
		return err
	}
	e164, err := screening.NormalizePhone(b9Number, "RU")
	if err != nil {
		return err
	}
	real, err := params.Hash(screening.Phone, e164)
	if err != nil {
		return err
	}
	kinds := []screening.Kind{screening.Phone, screening.Plate, screening.Handle}
	today := time.Now().UTC()
	n := 0
	for w := 0; n < b10Identifiers; w++ {
		day := today.AddDate(0, 0, -(w % 14))
		warning := &domain.Warning{ID: fmt.Sprintf("bench-%04d", w), Day: day.Format(time.DateOnly), State: domain.ReportApproved,
			Kind: domain.ReportKinds[w%len(domain.ReportKinds)], Area: fmt.Sprintf("area-%d", w%9+1), When: "today",
			Expires: day.AddDate(0, 0, domain.WarningDays).Format(time.DateOnly), Decided: day.Format(time.DateOnly), By: "bench"}
		for k := range 1 + w%3 {
			if n == b10Identifiers {
				break
			}
			h := make([]byte, params.Bytes)
			rand.Read(h)
			if n == 0 {
				h = real
			}
			warning.Clients = append(warning.Clients, domain.Client{Kind: kinds[k], Raw: "(bench)", Hash: h})
			n++
		}
		if err := db.PutWarning(warning); err != nil {
			return err
		}
	}
	return nil
}

func measureScreening(ctx context.Context, c *http.Client, tmp string, rep *report) error {
	if err := seedScreening(filepath.Join(tmp, "screening")); err != nil {
		return fmt.Errorf("B10: seeding: %w", err)
	}
	srv, err := startServer(ctx, tmp, "screening")
	if err != nil {
		return err
	}
	defer srv.stop()
	f, err := fetch(ctx, c, srv.base+"/check.json")
	if err != nil {
		return fmt.Errorf("B10: %w", err)
	}
	if f.status != http.StatusOK || f.encoding != "gzip" {
		return fmt.Errorf("B10: /check.json answered %d with Content-Encoding %q", f.status, f.encoding)
	}
	rep.add(fmt.Sprintf("B10 offline screening list, %d identifiers, gzip", b10Identifiers), "≤ 40 KB", fmt.Sprintf("%s (%s unpacked)", kb(f.wire), kb(len(f.body))), f.wire <= 40*1024)
	return measureCheck(ctx, srv.base, rep)
}

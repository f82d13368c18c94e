package console

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/studio"
	"sova/server/voice"
	"sova/server/web/edge"
)

// studioPage is one language in the translators' studio.
type studioPage struct {
	Lang     *i18n.Catalog
	Coverage studio.Coverage
	Phrases  []studio.Phrase
	Voice    map[string]string // key → voice URL stem in the live site
	Done     string            // the phrase just saved
	Import   *studio.ImportReport
	Problem  struct{ Key, Text string }
}

// StudioIndex lists the languages with their voice coverage.
func (s *Console) StudioIndex(c echo.Context) error {
	all, err := s.coverage()
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, studioIndexPage(s.consoleView(c), s.cfg.Studio.Languages(), all))
}

// coverage is every language's coverage, in the order of Languages.
func (s *Console) coverage() ([]studio.Coverage, error) {
	var all []studio.Coverage
	for _, cat := range s.cfg.Studio.Languages() {
		cov, err := s.cfg.Studio.Coverage(cat.Lang)
		if err != nil {
			return nil, err
		}
		all = append(all, cov)
	}
	return all, nil
}

// StudioLang shows every phrase of a language: its text to edit, its voice
// to play, and recording or upload of a new one.
func (s *Console) StudioLang(c echo.Context) error {
	return s.renderStudio(c, http.StatusOK, c.QueryParam("done"), "", "", nil)
}

func (s *Console) renderStudio(c echo.Context, status int, done, problemKey, problem string, imported *studio.ImportReport) error {
	lang := c.Param("lang")
	cat := s.cfg.Studio.Catalog(lang)
	if cat == nil {
		return domain.Errorf(domain.CodeNotFound, "there is no language %q", lang)
	}
	phrases, err := s.cfg.Studio.Phrases(lang)
	if err != nil {
		return err
	}
	p := studioPage{Lang: cat, Coverage: studio.CoverageOf(lang, phrases), Phrases: phrases, Voice: s.cfg.Site.Voice(lang), Done: done, Import: imported}
	p.Problem.Key, p.Problem.Text = problemKey, problem
	// The studio is the one page that may use the microphone.
	c.Response().Header().Set("Permissions-Policy", "camera=(), microphone=(self), geolocation=(), interest-cohort=()")
	return edge.Render(c, status, studioLangPage(s.consoleView(c), p))
}

// studioDone answers a saved change: the page again at the phrase, or, to
// the studio's script, where to go.
func (s *Console) studioDone(c echo.Context, key string) error {
	next := "/staff/studio/" + url.PathEscape(c.Param("lang")) + "?done=" + url.QueryEscape(key) + "#p-" + key
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]string{"next": next})
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// studioRefused shows why a change was refused, beside its phrase; nothing
// the phrase had is lost.
func (s *Console) studioRefused(c echo.Context, key string, err error) error {
	var de *domain.Error
	var ie *voice.InputError
	var msg string
	switch {
	case errors.As(err, &ie):
		msg = ie.Error()
	case errors.As(err, &de) && de.Code != domain.CodeInternal:
		msg = de.Message
	default:
		return err
	}
	if wantsJSON(c) {
		return c.JSON(http.StatusUnprocessableEntity, edge.APIError{Error: domain.CodeInvalid, Message: msg})
	}
	return s.renderStudio(c, http.StatusUnprocessableEntity, "", key, msg, nil)
}

func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "application/json")
}

// SaveText words a phrase anew.
func (s *Console) SaveText(c echo.Context) error {
	lang, key := c.Param("lang"), c.FormValue("key")
	if err := s.cfg.Studio.SetText(lang, key, c.FormValue("text"), current(c).staff); err != nil {
		return s.studioRefused(c, key, err)
	}
	return s.studioChanged(c, key)
}

// ExportPack sends a language's pack as a zip, for work offline.
func (s *Console) ExportPack(c echo.Context) error {
	lang := c.Param("lang")
	if s.cfg.Studio.Catalog(lang) == nil {
		return domain.Errorf(domain.CodeNotFound, "there is no language %q", lang)
	}
	if err := s.audit(c, "voice pack exported", lang); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="sova-voice-`+lang+`.zip"`)
	h.Set("Cache-Control", "no-store")
	return s.cfg.Studio.Export(c.Response(), lang)
}

// ImportPack takes a pack zip back: changed words, new recordings. What it
// did, phrase by phrase, shows on the studio page.
func (s *Console) ImportPack(c echo.Context) error {
	lang := c.Param("lang")
	req := c.Request() // its body is bounded by limitBody (routes.go)
	fh, err := c.FormFile("pack")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.studioRefused(c, "", domain.Errorf(domain.CodeInvalid, "the zip is larger than %d MB", studio.MaxZip>>20))
		}
		return s.studioRefused(c, "", domain.Errorf(domain.CodeInvalid, "choose a pack (.zip) to import"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := s.cfg.Studio.Import(req.Context(), f, fh.Size, lang, current(c).staff)
	if err != nil {
		return s.studioRefused(c, "", err)
	}
	if len(rep.Texts)+len(rep.Recorded) > 0 {
		if err := s.cfg.Site.Rebuild(); err != nil {
			return err
		}
	}
	return s.renderStudio(c, http.StatusOK, "", "", "", rep)
}

// SaveVoice takes a recording made in the studio, or any audio file, checks
// and converts it (voice.Convert), and makes it the phrase's voice.
func (s *Console) SaveVoice(c echo.Context) error {
	lang := c.Param("lang")
	limit := s.cfg.Studio.Limits.MaxBytes
	req := c.Request() // its body is bounded by limitBody (routes.go)
	key := c.FormValue("key")
	fh, err := c.FormFile("audio")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return s.studioRefused(c, key, s.cfg.Studio.Limits.TooLarge(-1))
	case err != nil:
		return s.studioRefused(c, key, domain.Errorf(domain.CodeInvalid, "choose a recording to upload, or record one"))
	case fh.Size > limit:
		return s.studioRefused(c, key, s.cfg.Studio.Limits.TooLarge(fh.Size))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	audio, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if err := s.cfg.Studio.Record(req.Context(), lang, key, current(c).staff, audio); err != nil {
		return s.studioRefused(c, key, err)
	}
	return s.studioChanged(c, key)
}

// studioChanged rebuilds the member site so phones pick a change up with
// their next update.
func (s *Console) studioChanged(c echo.Context, key string) error {
	if err := s.cfg.Site.Rebuild(); err != nil {
		return err
	}
	return s.studioDone(c, key)
}

// voiceLabel says what a phrase's voice is, in the studio's words.
func voiceLabel(state string) string {
	switch state {
	case studio.Recorded:
		return "recorded"
	case studio.Outdated:
		return "recorded for older words: record again"
	case studio.Synthetic:
		return "machine voice"
	}
	return "no voice"
}

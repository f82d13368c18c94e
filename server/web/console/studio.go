package console

import (
	"cmp"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/studio"
	"sova/server/web/edge"
)

// studioPage is one screen of one language in the translators' studio:
// the phrases a member meets together, filtered, a part at a time so that
// a phone loads it quickly.
type studioPage struct {
	Lang     *i18n.Catalog
	langs    []*i18n.Catalog // for the names and directions of source languages
	Coverage studio.Coverage
	Missing  int // phrases with no voice for their words (studio.Missing)
	Machine  int // phrases only Sova's own voice speaks
	Show     string
	Screens  []screenLink // the screens that have phrases to show
	Screen   studio.Screen
	At       int // Screen's place in Screens
	Part     int // from 1, of Parts
	Parts    int
	Voice    map[string]string // key → voice URL stem in the live site
	Done     string            // the phrase just saved
	Import   *studio.ImportReport
	Problem  struct{ Key, Text string }
}

// screenLink is a screen in the studio's list of them.
type screenLink struct {
	studio.Screen
	Count int // its phrases the filter shows
}

// perPart bounds the phrases on one page: the largest screen (the outbox
// and its error messages, or a long list of services) stays well under
// 300 KB, quick on a phone.
const perPart = 30

// Filters of the studio (?show=).
const (
	showAll     = ""
	showMissing = "missing"
	showMachine = "machine"
)

func studioShows(show string, p studio.Phrase) bool {
	switch show {
	case showMissing:
		return studio.Missing(p)
	case showMachine:
		return studio.MachineOnly(p)
	}
	return true
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

// StudioLang shows one screen of a language's phrases (?screen=, else the
// one holding ?done= or ?key=, else the first), each with its words to
// edit, its voice to play, and recording or upload of a new one; ?show=
// keeps only those missing voice, or with only the machine's.
func (s *Console) StudioLang(c echo.Context) error {
	return s.renderStudio(c, http.StatusOK, c.QueryParam("done"), "", "", nil)
}

func (s *Console) renderStudio(c echo.Context, status int, done, problemKey, problem string, imported *studio.ImportReport) error {
	lang := c.Param("lang")
	cat := s.cfg.Studio.Catalog(lang)
	if cat == nil {
		return domain.Errorf(domain.CodeNotFound, "there is no language %q", lang)
	}
	screens, err := s.cfg.Studio.Screens(lang)
	if err != nil {
		return err
	}
	p := studioPage{Lang: cat, langs: s.cfg.Studio.Languages(), Voice: s.cfg.Site.Voice(lang), Done: done, Import: imported}
	p.Problem.Key, p.Problem.Text = problemKey, problem
	if show := c.FormValue("show"); show == showMissing || show == showMachine {
		p.Show = show
	}
	p.pick(screens, c.QueryParam("screen"), cmp.Or(done, problemKey, c.QueryParam("key")), c.QueryParam("part"))
	// The studio is the one page that may use the microphone.
	c.Response().Header().Set("Permissions-Policy", "camera=(), microphone=(self), geolocation=(), interest-cohort=()")
	return edge.Render(c, status, studioLangPage(s.consoleView(c), p))
}

// pick counts the language's phrases and chooses what the page shows: the
// screen named id, else the one holding the phrase key, else the first
// with anything to show; and of it, the part holding key, else part.
// The phrase key shows whatever the filter, so that the one just recorded
// is seen recorded.
func (p *studioPage) pick(screens []studio.Screen, id, key, part string) {
	var all []studio.Phrase
	p.At = -1
	for _, sc := range screens {
		n, holds := 0, false
		for _, ph := range sc.Phrases {
			all = append(all, ph)
			if studioShows(p.Show, ph) {
				n++
			}
			holds = holds || ph.Key == key
			p.Missing += btoi(studio.Missing(ph))
			p.Machine += btoi(studio.MachineOnly(ph))
		}
		mine := sc.ID == id || (id == "" && holds)
		if n > 0 || mine {
			if mine && p.At < 0 {
				p.At = len(p.Screens)
			}
			p.Screens = append(p.Screens, screenLink{sc, n})
		}
	}
	p.Coverage = studio.CoverageOf(p.Lang.Lang, all)
	if len(p.Screens) == 0 {
		return // nothing to show under this filter
	}
	p.At = max(p.At, 0)
	sc := p.Screens[p.At].Screen
	var shown []studio.Phrase
	at := -1
	for _, ph := range sc.Phrases {
		if studioShows(p.Show, ph) || ph.Key == key {
			if ph.Key == key {
				at = len(shown)
			}
			shown = append(shown, ph)
		}
	}
	p.Parts = max(1, (len(shown)+perPart-1)/perPart)
	p.Part, _ = strconv.Atoi(part)
	if at >= 0 {
		p.Part = at/perPart + 1
	}
	p.Part = min(max(p.Part, 1), p.Parts)
	sc.Phrases = shown[(p.Part-1)*perPart : min(len(shown), p.Part*perPart)]
	p.Screen = sc
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// URL is the studio's address for a screen and part under the page's
// filter; show overrides the filter when not nil.
func (p studioPage) URL(screen string, part int, show ...string) string {
	q := url.Values{}
	if screen != "" {
		q.Set("screen", screen)
	}
	if part > 1 {
		q.Set("part", strconv.Itoa(part))
	}
	f := p.Show
	if len(show) > 0 {
		f = show[0]
	}
	if f != "" {
		q.Set("show", f)
	}
	u := "/staff/studio/" + url.PathEscape(p.Lang.Lang)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// KeyURL is the address of the screen holding the phrase key.
func (p studioPage) KeyURL(key string) string {
	return "/staff/studio/" + url.PathEscape(p.Lang.Lang) + "?key=" + url.QueryEscape(key) + "#p-" + key
}

// Neighbour is the screen before (-1) or after (+1) the one shown, if any.
func (p studioPage) Neighbour(step int) (screenLink, bool) {
	i := p.At + step
	if i < 0 || i >= len(p.Screens) {
		return screenLink{}, false
	}
	return p.Screens[i], true
}

// catalog is the catalog of a language the studio knows, for its name and
// direction.
func (p studioPage) catalog(lang string) *i18n.Catalog {
	for _, c := range p.langs {
		if c.Lang == lang {
			return c
		}
	}
	return &i18n.Catalog{Lang: lang, Name: lang, Dir: "ltr"}
}

// screenName is what the studio calls a screen, in the console's words.
func (v consoleView) screenName(sc studio.Screen) string {
	switch {
	case sc.Kind == studio.ScreenSurvey:
		return v.Tf("studio.screen.survey", "survey", sc.Title, "n", strconv.Itoa(sc.Number), "of", strconv.Itoa(sc.Of))
	case sc.Page == "info-topic":
		return v.Tf("studio.page.info-topic", "title", sc.Title)
	}
	return v.T(studioPages + sc.Page)
}

// studioPages prefixes the console's names of app and own screens
// (studio.Screen.Page); TestStudio_PagesAreSmallInEveryLanguage finds any
// missing.
const studioPages = "studio.page."

// voiceState says what a phrase's voice is, in the studio's words.
func (v consoleView) voiceState(state string) string {
	switch state {
	case studio.Recorded:
		return v.T("studio.voice.recorded")
	case studio.Outdated:
		return v.T("studio.voice.outdated")
	case studio.Synthetic:
		return v.T("studio.voice.synthetic")
	}
	return v.T("studio.voice.none")
}

// studioIcon is the URL of an icon members see, or "".
func (v consoleView) studioIcon(name string) string {
	if name == "" {
		return ""
	}
	return v.site.Icon(name)
}

// studioDone answers a saved change: the page again at the phrase, or, to
// the studio's script, where to go.
func (s *Console) studioDone(c echo.Context, key string) error {
	next := "/staff/studio/" + url.PathEscape(c.Param("lang")) + "?done=" + url.QueryEscape(key)
	if show := c.FormValue("show"); show == showMissing || show == showMachine {
		next += "&show=" + show // she goes on with what she was doing
	}
	next += "#p-" + key
	if wantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]string{"next": next})
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// studioRefused shows why a change was refused, beside its phrase, in the
// staffer's language; nothing the phrase had is lost.
func (s *Console) studioRefused(c echo.Context, key string, err error) error {
	v := s.consoleView(c)
	var se *studio.Error
	var de *domain.Error
	switch {
	case errors.As(err, &se):
		return s.studioSays(c, key, v.refusal(se.Code, se.Args, se.Error()))
	case errors.As(err, &de) && de.Code != domain.CodeInternal:
		return s.studioSays(c, key, v.Say(de))
	}
	return err
}

// refusal is a studio refusal (studio.Error, studio.Refusal) in this
// person's language (studio.refused.<code>, numbers as her locale writes
// them), or english where the catalog does not say it.
func (v consoleView) refusal(code string, args map[string]string, english string) string {
	if s, ok := v.filled("studio.refused."+code, args, v.decimal); code != "" && ok {
		return s
	}
	return english
}

// studioSays answers a refused change with msg: to the studio's script
// as JSON, else the page again with msg beside the phrase.
func (s *Console) studioSays(c echo.Context, key, msg string) error {
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
		v := s.consoleView(c)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.studioSays(c, "", v.Tf("studio.pack.toolarge", "mb", v.Num(studio.MaxZip>>20)))
		}
		return s.studioSays(c, "", v.T("studio.pack.choose"))
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
		return s.studioRefused(c, key, s.cfg.Studio.TooLarge(-1))
	case err != nil:
		return s.studioSays(c, key, s.consoleView(c).T("studio.recording.choose"))
	case fh.Size > limit:
		return s.studioRefused(c, key, s.cfg.Studio.TooLarge(fh.Size))
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

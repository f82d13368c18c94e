package console

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/screening"
	"sova/server/web/edge"
)

// AreasPage lists the organisation's areas, which members choose from when
// they warn others and filter warnings by.
func (s *Console) AreasPage(c echo.Context) error { return s.renderAreas(c, http.StatusOK, "") }

func (s *Console) renderAreas(c echo.Context, status int, msg string) error {
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	return edge.Render(c, status, areasView(s.consoleView(c), areas, s.cfg.Studio.Languages(), msg))
}

// PutArea adds or renames an area; the reporting form gets a new version.
func (s *Console) PutArea(c echo.Context) error {
	a := domain.Area{Code: c.FormValue("code"), Names: map[string]string{}}
	for _, cat := range s.cfg.Studio.Languages() {
		a.Names[cat.Lang] = c.FormValue("name_" + cat.Lang)
	}
	if err := s.cfg.Office.PutArea(by(c), a); err != nil {
		if msg, ok := s.consoleView(c).formProblem(err); ok {
			return s.renderAreas(c, http.StatusUnprocessableEntity, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/areas")
}

// DeleteArea takes an area off the list. Warnings already made keep it.
func (s *Console) DeleteArea(c echo.Context) error {
	if err := s.cfg.Office.DeleteArea(by(c), c.Param("code")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/areas")
}

// Reports is the moderators' queue: every report waiting, then the recent
// decisions.
func (s *Console) Reports(c echo.Context) error { return s.renderReports(c, http.StatusOK, "", nil) }

// renderReports shows the queue, with msg above it. A refused decision
// passes the form she sent, so that the report she was deciding shows the
// public words as she edited them, not as stored: nothing she wrote is lost.
func (s *Console) renderReports(c echo.Context, status int, msg string, sent url.Values) error {
	all, err := s.cfg.Store.Warnings()
	if err != nil {
		return err
	}
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	st, err := s.cfg.Store.Settings()
	if err != nil {
		return err
	}
	var pending []pendingReport
	var decided []*domain.Warning
	for _, w := range all {
		if w.State == domain.ReportPending {
			if sent != nil && w.ID == c.Param("id") {
				w.Public = sent.Get("public") // in this page only; the store keeps its own
			}
			pending = append(pending, pendingReport{w, readClients(w.Clients, st.Country)})
		} else if len(decided) < 50 {
			decided = append(decided, w)
		}
	}
	return edge.Render(c, status, reportsView(s.consoleView(c), pending, decided, areas, st.Country, msg))
}

// pendingReport is a report waiting for a decision, with each identifier
// of the client it gives as the moderator weighs it.
type pendingReport struct {
	*domain.Warning
	Clients []clientLine
}

// clientLine is one identifier: what the member wrote, and what the check
// would compare (Read), or why it cannot be checked (Err). Only a readable
// one can be ticked: Office.Decide refuses an unreadable one.
type clientLine struct {
	domain.Client
	Read string
	Err  error
}

// readClients reads each identifier as Office.Decide will when the
// moderator ticks it, with the organisation's country.
func readClients(clients []domain.Client, country string) []clientLine {
	lines := make([]clientLine, len(clients))
	for i, c := range clients {
		lines[i].Client = c
		lines[i].Read, lines[i].Err = screening.Normalize(c.Kind, c.Raw, country)
	}
	return lines
}

// published counts the identifiers a decided report put on members'
// check list.
//
// The console shows that number and never the values once a report is
// decided: a moderator has weighed them at the decision, and nothing she
// can do later needs them, while every later page view would show a
// client's phone number or plate to whoever looks over her shoulder or
// holds her session. What stays on the list is its hash, which names no
// one.
func published(w *domain.Warning) int {
	n := 0
	for _, c := range w.Clients {
		if c.Confirmed() {
			n++
		}
	}
	return n
}

// Decide publishes a report as a warning or rejects it.
func (s *Console) Decide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return err
		}
		// "confirm" is ticked once per identifier the moderator publishes.
		if err := s.cfg.Office.Decide(by(c), c.Param("id"), approve, form.Get("public"), form["confirm"]); err != nil {
			// An identifier she cannot publish: the queue again, with why.
			if msg, ok := s.consoleView(c).formProblem(err); ok {
				return s.renderReports(c, http.StatusUnprocessableEntity, msg, form)
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/staff/reports")
	}
}

// areaName is an area's name in this person's language, else in English,
// else in any language the area has, else its code.
func (v consoleView) areaName(areas []domain.Area, code string) string {
	for _, a := range areas {
		if a.Code == code {
			if n := a.Names[v.Lang()]; n != "" {
				return n
			}
			return a.Name("en")
		}
	}
	return code
}

// reportKind, reportWhen and reportState say a report's codes as words;
// a code the catalogs lack (a newer app's) shows as it is.
func (v consoleView) reportKind(kind string) string   { return v.word("reports.kind.", kind) }
func (v consoleView) reportWhen(when string) string   { return v.word("reports.when.", when) }
func (v consoleView) reportState(state string) string { return v.word("reports.state.", state) }

// clientKind says what an identifier is ("phone number").
func (v consoleView) clientKind(kind screening.Kind) string {
	return v.word("reports.client.", string(kind))
}

// clientIcon is the URL of the icon members see for kind, or "".
func (v consoleView) clientIcon(kind screening.Kind) string {
	return v.studioIcon(domain.ClientIcon(kind))
}

// unreadable says why an identifier cannot be checked, and that it will
// not be: a number that is no number in the organisation's country (or,
// with no country set, one written without +), or nothing to compare.
func (v consoleView) unreadable(l clientLine, country string) string {
	switch {
	case l.Kind != screening.Phone:
		return v.T("reports.client.empty")
	case country == "":
		return v.T("reports.client.nocountry")
	}
	return v.Tf("reports.client.notanumber", "country", v.countryName(country))
}

// typed is a value someone typed, left to right on any page, cut into
// pieces a line may break between (<wbr>): a handle can be 64 letters
// without a space, and must not push a small phone's page wider than its
// screen.
func typed(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		const piece = 12
		var b strings.Builder
		b.WriteString(`<bdi dir="ltr">`)
		r := []rune(s)
		for len(r) > piece {
			b.WriteString(html.EscapeString(string(r[:piece])) + "<wbr>")
			r = r[piece:]
		}
		b.WriteString(html.EscapeString(string(r)) + "</bdi>")
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// word is the catalog's word for code under prefix, or code itself.
func (v consoleView) word(prefix, code string) string {
	if s := v.T(prefix + code); s != prefix+code {
		return s
	}
	return code
}

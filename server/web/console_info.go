package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// infoPages lets admins write the information pages, topic by topic and
// language by language.
func (s *Server) infoPages(c echo.Context) error {
	return s.renderInfo(c, http.StatusOK, "", "")
}

func (s *Server) renderInfo(c echo.Context, status int, topic, msg string) error {
	pages, err := s.cfg.Store.InfoPages()
	if err != nil {
		return err
	}
	byTopic := map[string]*domain.InfoPage{}
	for _, p := range pages {
		byTopic[p.Topic] = p
	}
	return render(c, status, infoConsolePage(s.consoleView(c), byTopic, s.cfg.Studio.Languages(), topic, msg))
}

// saveInfoPage stores one topic's page; members get it with their next update.
func (s *Server) saveInfoPage(c echo.Context) error {
	p := &domain.InfoPage{Topic: c.Param("topic"), Texts: map[string]string{}, Link: c.FormValue("link")}
	for _, cat := range s.cfg.Studio.Languages() {
		p.Texts[cat.Lang] = c.FormValue("text_" + cat.Lang)
	}
	if err := s.cfg.Office.SaveInfoPage(by(c), p); err != nil {
		if msg, ok := formProblem(err); ok {
			return s.renderInfo(c, http.StatusUnprocessableEntity, p.Topic, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/info#"+p.Topic)
}

func infoText(p *domain.InfoPage, lang string) string {
	if p == nil {
		return ""
	}
	return p.Texts[lang]
}

func infoLink(p *domain.InfoPage) string {
	if p == nil {
		return ""
	}
	return p.Link
}

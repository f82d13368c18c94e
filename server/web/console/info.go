package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
)

// InfoPages lets admins write the information pages, topic by topic and
// language by language.
func (s *Console) InfoPages(c echo.Context) error {
	return s.renderInfo(c, http.StatusOK, "", "")
}

func (s *Console) renderInfo(c echo.Context, status int, topic, msg string) error {
	pages, err := s.cfg.Store.InfoPages()
	if err != nil {
		return err
	}
	byTopic := map[string]*domain.InfoPage{}
	for _, p := range pages {
		byTopic[p.Topic] = p
	}
	return edge.Render(c, status, infoConsolePage(s.consoleView(c), byTopic, s.cfg.Studio.Languages(), topic, msg))
}

// SaveInfoPage stores one topic's page; members get it with their next update.
func (s *Console) SaveInfoPage(c echo.Context) error {
	p := &domain.InfoPage{Topic: c.Param("topic"), Texts: map[string]string{}, Link: c.FormValue("link")}
	for _, cat := range s.cfg.Studio.Languages() {
		p.Texts[cat.Lang] = c.FormValue("text_" + cat.Lang)
	}
	if err := s.cfg.Office.SaveInfoPage(by(c), p); err != nil {
		if msg, ok := s.consoleView(c).formProblem(err); ok {
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

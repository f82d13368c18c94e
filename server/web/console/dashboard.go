package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/studio"
	"sova/server/web/edge"
)

// Dashboard is where every staff member starts: what their roles allow.
func (s *Console) Dashboard(c echo.Context) error {
	v := s.consoleView(c)
	// Admins see how much of each language has a person's voice; the
	// studio itself is the translators'.
	var cov []studio.Coverage
	if v.Has(domain.RoleAdmin) || v.Has(domain.RoleTranslator) {
		var err error
		if cov, err = s.coverage(); err != nil {
			return err
		}
	}
	return edge.Render(c, http.StatusOK, dashboardPage(v, s.cfg.Studio.Languages(), cov))
}

package console

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"sova/server/auth"
	"sova/server/domain"
	"sova/server/web/edge"
)

func (s *Console) People(c echo.Context) error {
	all, err := s.cfg.Store.AllStaff()
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, peoplePage(s.consoleView(c), all, ""))
}

// Invite makes a one-time link for a new staff member with the chosen
// roles. The link is shown once, to the admin, who passes it on.
func (s *Console) Invite(c echo.Context) error {
	token, hash := auth.NewToken()
	if err := s.cfg.Office.Invite(by(c), formRoles(c), s.knownLang(c.FormValue("lang")), hash); err != nil {
		return err
	}
	all, err := s.cfg.Store.AllStaff()
	if err != nil {
		return err
	}
	link := c.Scheme() + "://" + c.Request().Host + "/staff/invite/" + token
	return edge.Render(c, http.StatusOK, peoplePage(s.consoleView(c), all, link))
}

// SetRoles changes a staff member's roles or disables the account.
func (s *Console) SetRoles(c echo.Context) error {
	if err := s.cfg.Office.SetRoles(by(c), c.Param("id"), formRoles(c), c.FormValue("disabled") == "on"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/people")
}

func hasAny(roles []domain.Role, r domain.Role) bool { return slices.Contains(roles, r) }

func formRoles(c echo.Context) []domain.Role {
	form, _ := c.FormParams()
	var roles []domain.Role
	for _, r := range domain.Roles {
		if form.Get("role_"+string(r)) == "on" {
			roles = append(roles, r)
		}
	}
	return roles
}

package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

func (s *Server) people(c echo.Context) error {
	all, err := s.cfg.Store.AllStaff()
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, peoplePage(s.consoleView(c), all, ""))
}

// invite makes a one-time link for a new staff member with the chosen
// roles. The link is shown once, to the admin, who passes it on.
func (s *Server) invite(c echo.Context) error {
	roles := formRoles(c)
	if len(roles) == 0 {
		return domain.Errorf(domain.CodeInvalid, "choose at least one role for the new account")
	}
	token, err := s.putInvite(roles, current(c).staff.Login)
	if err != nil {
		return err
	}
	if err := s.audit(c, "invite made", rolesText(roles)); err != nil {
		return err
	}
	all, err := s.cfg.Store.AllStaff()
	if err != nil {
		return err
	}
	link := c.Scheme() + "://" + c.Request().Host + "/staff/invite/" + token
	return render(c, http.StatusOK, peoplePage(s.consoleView(c), all, link))
}

// setRoles changes a staff member's roles or disables the account. The last
// admin cannot remove their own admin role, or nobody could fix it.
func (s *Server) setRoles(c echo.Context) error {
	st, err := s.cfg.Store.Staff(c.Param("id"))
	if err != nil {
		return err
	}
	if st == nil {
		return domain.Errorf(domain.CodeNotFound, "no such account")
	}
	roles := formRoles(c)
	disabled := c.FormValue("disabled") == "on"
	losesAdmin := st.Has(domain.RoleAdmin) && (disabled || !slices.Contains(roles, domain.RoleAdmin))
	if losesAdmin {
		all, err := s.cfg.Store.AllStaff()
		if err != nil {
			return err
		}
		admins := 0
		for _, o := range all {
			if o.Has(domain.RoleAdmin) {
				admins++
			}
		}
		if admins <= 1 {
			return domain.Errorf(domain.CodeInvalid, "%s is the last admin; make someone else admin first", st.Login)
		}
	}
	st.Roles, st.Disabled = roles, disabled
	if err := s.cfg.Store.PutStaff(st); err != nil {
		return err
	}
	what := rolesText(roles)
	if disabled {
		what += " (disabled)"
	}
	if err := s.audit(c, "roles changed", st.Login+": "+what); err != nil {
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

func (s *Server) auditPage(c echo.Context) error {
	entries, err := s.cfg.Store.AuditLog(500)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, auditPage(s.consoleView(c), entries))
}

package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
)

// Directory lists the friendly services and edits one (?edit=<id>) or a new
// one.
func (s *Console) Directory(c echo.Context) error {
	svc := &domain.Service{Texts: map[string]domain.ServiceText{}}
	if id := c.QueryParam("edit"); id != "" {
		got, err := s.cfg.Store.Service(id)
		if err != nil {
			return err
		}
		if got == nil {
			return domain.Refuse(domain.CodeNotFound, "service.none", "there is no service %q", "id", id)
		}
		svc = got
	}
	return s.renderDirectory(c, http.StatusOK, svc, "")
}

func (s *Console) renderDirectory(c echo.Context, status int, edit *domain.Service, msg string) error {
	all, err := s.cfg.Store.Services()
	if err != nil {
		return err
	}
	return edge.Render(c, status, directoryPage(s.consoleView(c), all, edit, s.cfg.Studio.Languages(), msg))
}

// SaveService adds a service, or replaces the one whose id the form carries.
// Members get it with their next update.
func (s *Console) SaveService(c echo.Context) error {
	svc := &domain.Service{
		ID: c.FormValue("id"), Category: domain.Category(c.FormValue("category")), Phone: c.FormValue("phone"),
		Opens: c.FormValue("opens"), Closes: c.FormValue("closes"), Texts: map[string]domain.ServiceText{},
	}
	for i := range svc.Days {
		svc.Days[i] = c.FormValue("day"+strconv.Itoa(i)) != ""
	}
	for _, cat := range s.cfg.Studio.Languages() {
		l := cat.Lang
		svc.Texts[l] = domain.ServiceText{Name: c.FormValue("name_" + l), About: c.FormValue("about_" + l), Area: c.FormValue("area_" + l)}
	}
	if err := s.cfg.Office.SaveService(by(c), svc); err != nil {
		if msg, ok := s.consoleView(c).formProblem(err); ok {
			return s.renderDirectory(c, http.StatusUnprocessableEntity, svc, msg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/directory")
}

// DeleteService removes a service from the directory.
func (s *Console) DeleteService(c echo.Context) error {
	if err := s.cfg.Office.DeleteService(by(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/directory")
}

// weekdays name domain.Service.Days in the catalogs, Monday first.
var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weekday is the short name of the i-th day of the week, from Monday.
func (v consoleView) weekday(i int) string { return v.word("directory.day.", weekdays[i]) }

// openDays is a service's open days as the console lists them.
func (v consoleView) openDays(svc *domain.Service) string {
	var out []string
	for i := range weekdays {
		if svc.Days[i] {
			out = append(out, v.weekday(i))
		}
	}
	return strings.Join(out, " ")
}

// category is a service's category as members read it, in this person's
// language.
func (v consoleView) category(c domain.Category) string { return v.word("directory.cat.", string(c)) }

package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/screening"
	"sova/server/web/edge"
)

// ErrorPage shows an error as a console page (edge.StaffPage), in the
// staff member's language: the title by its HTTP status, the message by
// Say.
func (s *Console) ErrorPage(c echo.Context, status int, message string, err error) error {
	if current(c) == nil {
		// A page no route serves ran no session check: find who is
		// asking, for her language and her header, if anyone is.
		if sc, err := s.session(c); err == nil && sc != nil {
			c.Set("staff", sc)
		}
	}
	v := s.consoleView(c)
	title := http.StatusText(status)
	if key := "error.status." + strconv.Itoa(status); v.T(key) != key {
		title = v.T(key)
	}
	var de *domain.Error
	switch {
	// A bare status ("Not Found", from the router) or an internal error
	// says nothing the title does not: say what to do instead.
	case status == http.StatusInternalServerError || message == http.StatusText(status):
		if key := "error.page." + strconv.Itoa(status); v.T(key) != key {
			message = v.T(key)
		}
	case errors.As(err, &de):
		message = v.Say(de)
	}
	return edge.Render(c, status, messagePage(v, title, message))
}

// Say is err in this person's language: a *domain.Error's sentence
// (error.<Key>) with its places filled from its Args, numbers written as
// her locale writes them and a role by its name; else, or when her
// catalog lacks the sentence, the message as the domain wrote it.
func (v consoleView) Say(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return err.Error()
	}
	key := "error." + de.Key
	if de.Key == "" || v.T(key) == key {
		return de.Message
	}
	pairs := make([]string, 0, 2*len(de.Args))
	for name, val := range de.Args {
		pairs = append(pairs, name, v.value(val))
	}
	return v.Tf(key, pairs...)
}

// value is a value of an error's sentence as this person reads it.
func (v consoleView) value(x any) string {
	switch x := x.(type) {
	case int:
		return v.Num(x)
	case domain.Role:
		return v.word("role.", string(x))
	case screening.Kind:
		return v.clientKind(x)
	}
	return fmt.Sprint(x)
}

// formProblem is an error a form shows beside its fields (an invalid
// value) in this person's language, as opposed to one the error page
// shows.
func (v consoleView) formProblem(err error) (string, bool) {
	if domain.ErrorCode(err) != domain.CodeInvalid {
		return "", false
	}
	return v.Say(err), true
}

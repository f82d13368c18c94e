// Package edge holds what every audience's handlers share at the HTTP edge:
// domain errors mapped to status codes in one place, the privacy-keeping
// middleware, form origin checks, and rendering of server-made pages.
package edge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

// Status maps an error code to its HTTP status: the one place that does.
func Status(code domain.Code) int {
	switch code {
	case domain.CodeMalformed, domain.CodeInvalidID, domain.CodeInvalidSurvey:
		return http.StatusBadRequest
	case domain.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.CodeUnsupportedEncoding, domain.CodeUnsupportedType:
		return http.StatusUnsupportedMediaType
	case domain.CodeNotFound, domain.CodeUnknownSurvey, domain.CodeUnknownVersion, domain.CodeUnknownKey:
		return http.StatusNotFound
	case domain.CodeInternal:
		return http.StatusInternalServerError
	case domain.CodeBusy, domain.CodeDiskFull:
		return http.StatusServiceUnavailable
	case domain.CodeForbidden:
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

// APIError is the JSON body of every failed API call.
type APIError struct {
	Error   domain.Code `json:"error"`
	Message string      `json:"message"`
}

// StaffPage shows an error to a staff member as a console page: message
// is what an API client would read, and err the error itself, which the
// console may say in her language (a *domain.Error's Key).
type StaffPage func(c echo.Context, status int, message string, err error) error

// Errors writes any error as JSON under /api/, as a console page under
// /staff/ and as plain text elsewhere. Internal errors are logged without
// request data and shown as a bare "internal".
func Errors(log *slog.Logger, staff StaffPage) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) { writeError(log, staff, err, c) }
}

func writeError(log *slog.Logger, staff StaffPage, err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) {
		// The phone went away (out of signal) before its answer: nothing to
		// write, and nothing wrong with the server.
		c.Response().WriteHeader(499)
		return
	}
	body := APIError{Error: domain.ErrorCode(err)}
	var he *echo.HTTPError
	var de *domain.Error
	code := http.StatusInternalServerError
	switch {
	case errors.As(err, &de):
		code, body.Message = Status(de.Code), de.Message
		if de.Code == domain.CodeDiskFull {
			// Freeing space takes a person: phones need not knock often.
			c.Response().Header().Set("Retry-After", "300")
		}
	case errors.As(err, &he):
		code = he.Code
		body.Error = httpCode(he.Code)
		body.Message = http.StatusText(he.Code)
	}
	if code == http.StatusInternalServerError {
		log.Error("internal error", "route", c.Path(), "err", err)
		body = APIError{Error: domain.CodeInternal, Message: "internal error"}
	}
	switch p := c.Request().URL.Path; {
	case strings.HasPrefix(p, "/api/"):
		c.JSON(code, body)
		return
	case strings.HasPrefix(p, "/staff/"):
		staff(c, code, body.Message, err)
		return
	}
	c.String(code, body.Message+"\n")
}

func httpCode(status int) domain.Code {
	switch status {
	case http.StatusNotFound:
		return domain.CodeNotFound
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return domain.CodeTooLarge
	case http.StatusBadRequest:
		return domain.CodeMalformed
	}
	return domain.CodeInternal
}

package console

import "github.com/labstack/echo/v4"

// staffLang is the language the console speaks to whoever asks: her own
// choice, kept with her account; before login, her browser's.
func (s *Console) staffLang(c echo.Context) string {
	return "en"
}

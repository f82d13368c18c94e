package web

import (
	"github.com/labstack/echo/v4"
)

// routes is the whole route table, so that any URL's handler is one hop away.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Never trust X-Forwarded-For or X-Real-IP; and Sova never reads the
	// address anyway, this only keeps Echo's own RealIP honest.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Use(s.accessLog, s.securityHeaders)

	e.GET("/healthz", s.healthz)

	// The member app. Pages, assets and voice are made ready in memory
	// (site.go) and all served by s.asset.
	e.GET("/", s.asset)                           // language picker
	e.GET("/sw.js", s.asset)                      // service worker, scope /
	e.GET("/manifest.webmanifest", s.asset)       // manifest for the picker
	e.GET("/offline.json", s.asset)               // what the worker precaches first
	e.GET("/:lang", s.toLangHome)                 // /ru → /ru/
	e.GET("/:lang/", s.asset)                     // home, made of icons
	e.GET("/:lang/s/:survey", s.asset)            // a survey, one question per screen
	e.GET("/:lang/thanks", s.asset)               // after submitting
	e.GET("/:lang/outbox", s.asset)               // what waits to be sent
	e.GET("/:lang/manifest.webmanifest", s.asset) // the installed app, in this language
	e.GET("/:lang/offline.json", s.asset)         // what to precache for this language
	e.GET("/pwa/:hash/*", s.asset)                // scripts, under a hash of all of them
	e.GET("/icons/:file", s.asset)                // <name>.<hash>.svg
	e.GET("/audio/:lang/:file", s.asset)          // <key>.<hash>.webm|mp3

	// The sync API (openapi.yaml).
	api := e.Group("/api/v1")
	api.GET("/openapi.yaml", s.openAPI)
	api.GET("/surveys", s.listSurveys)
	api.GET("/surveys/:id", s.getSurvey)
	api.GET("/surveys/:id/versions/:n", s.getSurveyVersion)
	api.GET("/keys/response", s.responseKey)
	api.POST("/responses", s.postResponses)
	return e
}

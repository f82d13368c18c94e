package web

import (
	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/studio"
)

// routes is the whole route table, so that any URL's handler is one hop away.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Never trust X-Forwarded-For or X-Real-IP; and Sova never reads the
	// address anyway, this only keeps Echo's own RealIP honest.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Use(s.accessLog, s.recoverPanics, s.securityHeaders)

	// Every GET also answers HEAD: link checkers and some proxies use it.
	get := func(g interface {
		GET(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route
		HEAD(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route
	}, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		g.GET(path, h, m...)
		g.HEAD(path, h, m...)
	}

	get(e, "/healthz", s.healthz)

	// The member app. Pages, assets and voice are made ready in memory
	// (site.go) and all served by s.asset.
	get(e, "/", s.asset)                     // language picker
	get(e, "/sw.js", s.asset)                // service worker, scope /
	get(e, "/manifest.webmanifest", s.asset) // manifest for the picker
	get(e, "/offline.json", s.asset)         // what the worker precaches first
	get(e, "/:lang", s.toLangHome)           // /ru → /ru/
	get(e, "/:lang/", s.asset)               // home, made of icons
	get(e, "/:lang/s/:survey", s.asset)      // a survey, one question per screen
	get(e, "/:lang/thanks", s.asset)         // after submitting
	get(e, "/:lang/outbox", s.asset)         // what waits to be sent
	get(e, "/:lang/services", s.asset)       // the friendly-services directory
	get(e, "/:lang/warnings", s.asset)       // published warnings about clients and police
	get(e, "/:lang/info", s.asset)           // information pages: rights, health, the organisation
	get(e, "/:lang/info/:topic", s.asset)
	get(e, "/:lang/notify", s.asset)               // turning notifications on and off
	get(e, "/:lang/manifest.webmanifest", s.asset) // the installed app, in this language
	get(e, "/:lang/offline.json", s.asset)         // what to precache for this language
	get(e, "/pwa/:hash/*", s.asset)                // scripts, under a hash of all of them
	get(e, "/icons/:file", s.asset)                // <name>.<hash>.svg
	get(e, "/audio/:lang/:file", s.asset)          // <key>.<hash>.webm|mp3
	e.POST("/wipe", s.wipe)                        // the browser erases this site's storage

	// The staff console: server-rendered, no JavaScript needed. Each route
	// names the role it needs; "" is any signed-in staff member.
	get(e, "/staff/login", s.loginPage)
	e.POST("/staff/login", s.login)
	get(e, "/staff/invite/:token", s.invitePage) // also the first admin's setup link
	e.POST("/staff/invite/:token", s.acceptInvite)
	anyone, admin := s.requireRole(""), s.requireRole(domain.RoleAdmin)
	get(e, "/staff/", s.dashboard, anyone)
	e.POST("/staff/logout", s.logout, anyone)
	get(e, "/staff/people", s.people, admin)
	e.POST("/staff/people/invite", s.invite, admin)
	e.POST("/staff/people/:id", s.setRoles, admin)
	get(e, "/staff/audit", s.auditPage, admin)
	get(e, "/staff/settings", s.settingsPage, admin)
	get(e, "/staff/directory", s.directory, admin)
	e.POST("/staff/directory", s.saveService, admin)
	e.POST("/staff/directory/:id/delete", s.deleteService, admin)
	get(e, "/staff/areas", s.areasPage, admin)
	e.POST("/staff/areas", s.putArea, admin)
	e.POST("/staff/areas/:code/delete", s.deleteArea, admin)
	moderator := s.requireRole(domain.RoleModerator)
	get(e, "/staff/reports", s.reports, moderator)
	e.POST("/staff/reports/:id/approve", s.decide(true), moderator)
	e.POST("/staff/reports/:id/reject", s.decide(false), moderator)
	get(e, "/staff/info", s.infoPages, admin)
	e.POST("/staff/info/:topic", s.saveInfoPage, admin)
	e.POST("/staff/settings", s.saveSettings, admin)
	get(e, "/staff/surveys", s.surveys, admin)
	e.POST("/staff/surveys", s.uploadSurvey, admin)
	e.POST("/staff/surveys/:id/:v/publish", s.setSurveyState(domain.SurveyPublished), admin)
	e.POST("/staff/surveys/:id/:v/retire", s.setSurveyState(domain.SurveyRetired), admin)
	get(e, "/staff/surveys/:id/:v/preview/:lang", s.previewSurvey, admin)
	fieldworker := s.requireRole(domain.RoleFieldWorker)
	get(e, "/staff/outreach", s.outreach, fieldworker)
	e.POST("/staff/outreach/device", s.setupDevice, fieldworker)
	get(e, "/staff/devices", s.devices, admin)
	e.POST("/staff/devices/:hash/revoke", s.revokeDevice, admin)
	e.POST("/staff/sites", s.putSite, admin)
	translator := s.requireRole(domain.RoleTranslator)
	get(e, "/staff/studio", s.studioIndex, translator)
	get(e, "/staff/studio/:lang", s.studioLang, translator)
	e.POST("/staff/studio/:lang/text", s.saveText, translator)
	// Uploads are bounded before requireRole's CSRF check parses the form.
	e.POST("/staff/studio/:lang/voice", s.saveVoice, limitBody(s.cfg.Studio.Limits.MaxBytes+64<<10), translator)
	get(e, "/staff/studio/:lang/pack.zip", s.exportPack, translator)
	e.POST("/staff/studio/:lang/pack.zip", s.importPack, limitBody(studio.MaxZip), translator)
	get(e, "/staff/results", s.resultsIndex, admin)
	get(e, "/staff/results/:id/:v", s.results, admin)
	get(e, "/staff/results/:id/:v/results.json", s.resultsJSON, admin)
	get(e, "/staff/results/:id/:v/export.csv", s.export("csv"), admin)
	get(e, "/staff/results/:id/:v/export.json", s.export("json"), admin)

	// The sync API (openapi.yaml).
	api := e.Group("/api/v1")
	get(api, "/openapi.yaml", s.openAPI)
	get(api, "/surveys", s.listSurveys)
	get(api, "/surveys/:id", s.getSurvey)
	get(api, "/surveys/:id/versions/:n", s.getSurveyVersion)
	get(api, "/keys/response", s.responseKey)
	api.POST("/responses", s.postResponses)
	get(api, "/push/key", s.pushKey)
	api.PUT("/push/subscriptions/:id", s.putSubscription, limitBody(maxPushBody))
	get(api, "/push/subscriptions/:id", s.getSubscription)
	api.DELETE("/push/subscriptions/:id", s.deleteSubscription)
	return e
}

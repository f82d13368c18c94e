package web

import (
	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/studio"
	"sova/server/web/api"
	"sova/server/web/console"
	"sova/server/web/edge"
)

// routes is the whole route table, so that any URL's handler is one hop away.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Never trust X-Forwarded-For or X-Real-IP; and Sova never reads the
	// address anyway, this only keeps Echo's own RealIP honest.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = edge.Errors(s.cfg.Log, s.console.ErrorPage)
	e.Use(edge.AccessLog(s.cfg.Log, s.cfg.AccessLog), edge.RecoverPanics(s.cfg.Log), edge.SecurityHeaders(s.CSP))
	m, a, con := s.Site, s.api, s.console

	// Every GET also answers HEAD: link checkers and some proxies use it.
	get := func(g interface {
		GET(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route
		HEAD(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route
	}, path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
		g.GET(path, h, mw...)
		g.HEAD(path, h, mw...)
	}

	get(e, "/healthz", healthz)

	// The member app. Pages, assets and voice are made ready in memory
	// (member/site.go) and all served by m.Asset.
	get(e, "/", m.Asset)                     // language picker
	get(e, "/sw.js", m.Asset)                // service worker, scope /
	get(e, "/manifest.webmanifest", m.Asset) // manifest for the picker
	get(e, "/offline.json", m.Asset)         // what the worker precaches first
	get(e, "/:lang", m.LangHome)             // /ru → /ru/
	get(e, "/:lang/", m.Asset)               // home, made of icons
	get(e, "/:lang/s/:survey", m.Asset)      // a survey, one question per screen
	get(e, "/:lang/thanks", m.Asset)         // after submitting
	get(e, "/:lang/outbox", m.Asset)         // what waits to be sent
	get(e, "/:lang/services", m.Asset)       // the friendly-services directory
	get(e, "/:lang/warnings", m.Asset)       // published warnings about clients and police
	get(e, "/:lang/info", m.Asset)           // information pages: rights, health, the organisation
	get(e, "/:lang/info/:topic", m.Asset)
	get(e, "/:lang/notify", m.Asset)               // turning notifications on and off
	get(e, "/:lang/check", m.Asset)                // check a client against warnings, offline
	e.POST("/:lang/check/share", m.Shared)         // the share target, if no worker caught it
	get(e, "/check.json", m.Asset)                 // the check's list: keyed hashes only
	get(e, "/:lang/manifest.webmanifest", m.Asset) // the installed app, in this language
	get(e, "/:lang/offline.json", m.Asset)         // what to precache for this language
	get(e, "/pwa/:hash/*", m.Asset)                // scripts, under a hash of all of them
	get(e, "/icons/:file", m.Asset)                // <name>.<hash>.svg
	get(e, "/audio/:lang/:file", m.Asset)          // <key>.<hash>.webm|mp3
	e.POST("/wipe", m.Wipe)                        // the browser erases this site's storage

	// The staff console: server-rendered, no JavaScript needed. Each route
	// names the role it needs; "" is any signed-in staff member.
	get(e, "/staff/login", con.LoginPage)
	e.POST("/staff/login", con.Login)
	get(e, "/staff/invite/:token", con.InvitePage) // also the first admin's setup link
	e.POST("/staff/invite/:token", con.AcceptInvite)
	anyone, admin := con.RequireRole(""), con.RequireRole(domain.RoleAdmin)
	get(e, "/staff/", con.Dashboard, anyone)
	e.POST("/staff/logout", con.Logout, anyone)
	e.POST("/staff/me/lang", con.SetLang, anyone)
	get(e, "/staff/people", con.People, admin)
	e.POST("/staff/people/invite", con.Invite, admin)
	e.POST("/staff/people/:id", con.SetRoles, admin)
	get(e, "/staff/audit", con.AuditPage, admin)
	get(e, "/staff/backups", con.BackupsPage, admin)
	e.POST("/staff/backups/now", con.BackUpNow, admin)
	e.POST("/staff/backups/recipient", con.SetBackupRecipient, admin)
	get(e, "/staff/backups/latest", con.DownloadBackup, admin)
	get(e, "/staff/settings", con.SettingsPage, admin)
	get(e, "/staff/directory", con.Directory, admin)
	e.POST("/staff/directory", con.SaveService, admin)
	e.POST("/staff/directory/:id/delete", con.DeleteService, admin)
	get(e, "/staff/areas", con.AreasPage, admin)
	e.POST("/staff/areas", con.PutArea, admin)
	e.POST("/staff/areas/:code/delete", con.DeleteArea, admin)
	moderator := con.RequireRole(domain.RoleModerator)
	get(e, "/staff/reports", con.Reports, moderator)
	e.POST("/staff/reports/:id/approve", con.Decide(true), moderator)
	e.POST("/staff/reports/:id/reject", con.Decide(false), moderator)
	get(e, "/staff/info", con.InfoPages, admin)
	e.POST("/staff/info/:topic", con.SaveInfoPage, admin)
	e.POST("/staff/settings", con.SaveSettings, admin)
	get(e, "/staff/surveys", con.Surveys, admin)
	e.POST("/staff/surveys", con.UploadSurvey, con.RequireUpload(domain.RoleAdmin, console.MaxSurveyUpload+64<<10))
	e.POST("/staff/surveys/:id/:v/publish", con.SetSurveyState(domain.SurveyPublished), admin)
	e.POST("/staff/surveys/:id/:v/retire", con.SetSurveyState(domain.SurveyRetired), admin)
	get(e, "/staff/surveys/:id/:v/preview/:lang", con.PreviewSurvey, admin)
	get(e, "/staff/surveys/:id/:v/xlsform.xlsx", con.ExportXLSForm, admin)
	get(e, "/staff/surveys/:id/:v/xlsform.zip", con.ExportXLSFormZip, admin)
	get(e, "/staff/surveys/template.xlsx", con.SurveyTemplate, admin)
	fieldworker := con.RequireRole(domain.RoleFieldWorker)
	get(e, "/staff/outreach", con.Outreach, fieldworker)
	e.POST("/staff/outreach/device", con.SetupDevice, fieldworker)
	get(e, "/staff/devices", con.Devices, admin)
	e.POST("/staff/devices/:hash/revoke", con.RevokeDevice, admin)
	e.POST("/staff/sites", con.PutSite, admin)
	translator := con.RequireRole(domain.RoleTranslator)
	get(e, "/staff/studio", con.StudioIndex, translator)
	get(e, "/staff/studio/:lang", con.StudioLang, translator)
	e.POST("/staff/studio/:lang/text", con.SaveText, translator)
	e.POST("/staff/studio/:lang/voice", con.SaveVoice, con.RequireUpload(domain.RoleTranslator, s.cfg.Studio.Limits.MaxBytes+64<<10))
	get(e, "/staff/studio/:lang/pack.zip", con.ExportPack, translator)
	e.POST("/staff/studio/:lang/pack.zip", con.ImportPack, con.RequireUpload(domain.RoleTranslator, studio.MaxZip))
	get(e, "/staff/results", con.ResultsIndex, admin)
	get(e, "/staff/results/:id/:v", con.Results, admin)
	get(e, "/staff/results/:id/:v/results.json", con.ResultsJSON, admin)
	get(e, "/staff/results/:id/:v/export.csv", con.Export("csv"), admin)
	get(e, "/staff/results/:id/:v/export.xlsx", con.Export("xlsx"), admin)
	get(e, "/staff/results/:id/:v/export.json", con.Export("json"), admin)

	// The sync API (openapi.yaml).
	v1 := e.Group("/api/v1")
	get(v1, "/openapi.yaml", a.OpenAPI)
	get(v1, "/surveys", a.ListSurveys)
	get(v1, "/surveys/:id", a.GetSurvey)
	get(v1, "/surveys/:id/versions/:n", a.GetSurveyVersion)
	get(v1, "/keys/response", a.ResponseKey)
	v1.POST("/responses", a.PostResponses)
	get(v1, "/push/key", a.PushKey)
	v1.PUT("/push/subscriptions/:id", a.PutSubscription, edge.LimitBody(api.MaxPushBody))
	get(v1, "/push/subscriptions/:id", a.GetSubscription)
	v1.DELETE("/push/subscriptions/:id", a.DeleteSubscription)
	return e
}

package api

import (
	_ "embed"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
)

//go:embed openapi.yaml
var openAPIDoc []byte

func (s *API) OpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPIDoc)
}

// surveySummary is one entry of GET /api/v1/surveys.
type surveySummary struct {
	ID        string   `json:"id"`
	Version   int      `json:"version"`
	Languages []string `json:"languages"`
}

func (s *API) ListSurveys(c echo.Context) error {
	out := []surveySummary{}
	for _, sv := range s.cfg.Store.Surveys() {
		if sv.ID == domain.WarnSurveyID {
			continue // the reporting form, not a survey; /surveys/warn still serves it
		}
		out = append(out, surveySummary{ID: sv.ID, Version: sv.Version, Languages: sv.Languages})
	}
	return c.JSON(http.StatusOK, map[string]any{"surveys": out})
}

func (s *API) GetSurvey(c echo.Context) error {
	sv, err := s.cfg.Store.LatestSurvey(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sv)
}

func (s *API) GetSurveyVersion(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return domain.Errorf(domain.CodeUnknownVersion, "version must be a whole number from 1")
	}
	sv, err := s.cfg.Store.FindSurvey(c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sv)
}

func (s *API) ResponseKey(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, s.cfg.Keys.Current().Doc())
}

package web

import (
	"encoding/json"
	"time"

	"sova/server/domain"
)

// ensureWarnSurvey keeps the reporting form (domain.WarnSurvey) published
// for the current areas and languages: a new version whenever they change.
// Phones that queued reports on an older version still send them; every
// version stays.
func (s *Server) ensureWarnSurvey() error {
	areas, err := s.cfg.Store.Areas()
	if err != nil {
		return err
	}
	var langs []string
	text := func(lang, key string) string {
		if cat := s.cfg.Studio.Catalog(lang); cat != nil {
			return cat.T(key)
		}
		return key
	}
	for _, cat := range s.cfg.Studio.Languages() {
		langs = append(langs, cat.Lang)
	}
	want := domain.WarnSurvey(0, langs, text, areas)
	latest := 0
	for _, old := range s.cfg.Store.Versions(domain.WarnSurveyID) {
		latest = max(latest, old.Version)
	}
	if cur, err := s.cfg.Store.LatestSurvey(domain.WarnSurveyID); err == nil && cur.Version == latest && sameDefinition(cur, want) {
		return nil
	}
	want.Version = latest + 1
	return s.cfg.Store.PutSurvey(want)
}

// sameDefinition compares two definitions but for their version.
func sameDefinition(a, b *domain.Survey) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

// liveWarnings are the approved warnings members see on day: published and
// not yet expired, newest first.
func liveWarnings(all []*domain.Warning, day string) []*domain.Warning {
	var out []*domain.Warning
	for _, w := range all {
		if w.State == domain.ReportApproved && w.Expires >= day {
			out = append(out, w)
		}
	}
	return out
}

// RefreshWarnings rebuilds the member site when a warning it shows has
// expired, so phones drop it at their next update. The app calls it hourly;
// phones that stay offline hide expired warnings themselves.
func (s *Server) RefreshWarnings() error {
	st := s.site.Load()
	today := s.cfg.Now().UTC().Format(time.DateOnly)
	for _, w := range st.b.warnings {
		if w.Expires < today {
			return s.Rebuild()
		}
	}
	return nil
}

package member

import (
	"time"

	"sova/server/domain"
)

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
func (s *Site) RefreshWarnings() error {
	st := s.live.Load()
	today := s.cfg.Now().UTC().Format(time.DateOnly)
	for _, w := range st.b.warnings {
		if w.Expires < today {
			return s.Rebuild()
		}
	}
	return nil
}

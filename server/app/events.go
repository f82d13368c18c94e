package app

import "sova/server/domain"

// events is how what staff change reaches the rest of Sova (domain.Events):
// the member site is rebuilt, the organisation's words are given voice in
// the background (speakLoop), members who asked are notified.
type events App

func (e *events) SiteChanged() error { return e.web.Rebuild() }

func (e *events) WordsChanged() error {
	if err := e.web.Rebuild(); err != nil {
		return err
	}
	select {
	case e.speak <- struct{}{}:
	default: // already asked
	}
	return nil
}

func (e *events) Notify(n domain.Notice) {
	if err := e.push.Notify(n); err != nil {
		e.cfg.Log.Error("queueing a notification", "kind", n.Kind, "err", err)
	}
}

package member

import (
	"encoding/json"

	"sova/server/domain"
)

// PushPayload is the notification for a language and kind of notice: the
// app's (or its disguise's) name and icon and the organisation's neutral
// words, the page a tap opens, and the words of the "stop" action. The
// push service cannot read it, but the lock screen shows it to anyone.
func (s *Site) PushPayload(lang, kind string, settings domain.Settings) []byte {
	st := s.live.Load()
	cat := st.catalog(lang)
	if cat == nil {
		cat = st.langs[0] // the language went away: still say the neutral words
	}
	id := st.b.identity(cat)
	url := "/" + cat.Lang + "/"
	if kind == domain.NoticeWarning {
		url += "warnings"
	}
	body := settings.PushText[cat.Lang]
	if body == "" {
		body = cat.T("push.neutral")
	}
	data, _ := json.Marshal(map[string]string{
		"title": id.name, "body": body, "icon": st.b.icon[id.png192], "url": url, "stop": cat.T("notify.stop"),
	})
	return data
}

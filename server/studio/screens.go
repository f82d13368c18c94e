package studio

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"sova/server/domain"
)

// A translator records a phrase best when she sees where a member meets it:
// the screen, its icon, the words around it. Screens groups a language's
// phrases that way, and each phrase carries its icon and the words it
// translates.

// Kinds of screen.
const (
	ScreenApp    = "app"    // a page of the app, in Sova's words
	ScreenSurvey = "survey" // one question of a survey
	ScreenOwn    = "own"    // the organisation's own words (services, information, warnings)
)

// Screen is the phrases a member meets together, in the order she meets
// them.
type Screen struct {
	ID   string // for links: letters, digits, '-' and '_'
	Kind string
	// Page names an app or own screen for the console (its words are
	// "studio.page."+Page); "" for a survey's.
	Page string
	// Title is the survey's title for a survey's screen, an information
	// page's title for its page, in the language.
	Title string
	// Question is a survey screen's question, in the language (else in
	// the survey's first).
	Question string
	Survey   string
	// Number is a survey screen's place among the survey's Of questions,
	// from 1.
	Number, Of int
	Icon       string
	Phrases    []Phrase
}

// rule files one phrase, or every phrase under a prefix (ending in "."),
// into an app screen, with the icon the member sees beside it.
type rule struct {
	match string
	icon  func(rest string) string // rest: the key past a prefix
}

func is(key, icon string) rule { return rule{key, func(string) string { return icon }} }

// appScreens are the app's pages, as the member app draws them
// (server/web/member/pages.templ); a phrase shown on several is filed where
// she meets it first. A survey files its own words (surveyScreens) before
// these rules run, so the reporting form's words are on its screens.
func appScreens() []struct {
	page, icon string
	rules      []rule
} {
	scale := []rule{}
	for n := 1; n <= 5; n++ {
		scale = append(scale, is("scale."+strconv.Itoa(n), "face-"+strconv.Itoa(n)))
	}
	of := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cats := map[string]string{}
	for c, icon := range domain.CategoryIcons {
		cats[string(c)] = icon
	}
	return []struct {
		page, icon string
		rules      []rule
	}{
		{"picker", "globe", []rule{is("lang.self", "globe")}},
		{"frame", "exit", []rule{is("control.exit", "exit"), is("control.sound_on", "sound-on"), is("control.replay", "speaker"),
			is("voice.missing", "sound-off"), is("nav.home", "home"), is("outbox.sent", "check")}},
		{"home", "sova", []rule{is("home.title", "sova"), is("app.name", "sova"), is("outbox.empty", "check"),
			{"outbox.waiting.", func(string) string { return "outbox" }}, is("outbox.waiting_many", "outbox"),
			is("home.warnings", "warning"), is("home.check", "check-client"), is("home.warn", "megaphone"), is("home.services", "services"), is("home.info", "info"),
			is("home.notify", "bell"), is("home.outbox", "outbox"), is("lang.choose", "globe"), is("wipe.title", "eraser"),
			is("wipe.confirm", "eraser"), is("wipe.unsent", "eraser"), is("voice.download", "download"), is("voice.ready", "check"),
			is("voice.explain", "speaker")}},
		{"survey", "survey", append(append([]rule{is("survey.progress", ""), is("nav.back", "back"), is("nav.skip", "skip"),
			is("nav.next", "next"), is("answer.yes", "yes"), is("answer.no", "no")}, scale...),
			is("number.minus", "minus"), is("number.plus", "plus"), is("text.hint", "write"), is("answer.prefer_not", "prefer-not"),
			is("answer.noted", ""), is("answer.required", ""), is("survey.more", ""), is("survey.submit", "send"),
			is("survey.sealing", ""), is("survey.failed", ""), rule{"digit.", func(string) string { return "phone" }},
			rule{"warn.site.", func(site string) string { return "site-" + site }})},
		{"thanks", "thanks", []rule{is("thanks.title", "thanks"), is("thanks.body", "lock"), is("thanks.report", "moderator")}},
		{"outbox", "outbox", []rule{is("outbox.title", "outbox"), is("outbox.offline", "cloud-off"), is("outbox.send_now", "send"),
			is("outbox.rejected_title", "error"), is("outbox.remove", "trash"), {"error.", func(string) string { return "error" }}}},
		{"warnings", "warning", []rule{is("warnings.title", "warning"), is("warnings.all", "route"), is("warnings.none", ""),
			is("warnings.other_lang", "globe"), {"warn.kind.", of(domain.ReportIcons)}, {"warn.", func(string) string { return "" }},
			// The check (/<lang>/check) is filed with the warnings it
			// reads: a page of its own would need its name in the
			// console's words.
			is("check.title", "check-client"), is("check.phone", "phone"), is("check.plate", "car"), is("check.handle", "at"),
			is("check.go", "search"), {"check.found.", func(string) string { return "warning" }}, is("check.found_many", "warning"),
			{"check.ago.", func(string) string { return "calendar" }}, {"check.", func(string) string { return "" }}}},
		{"services", "services", []rule{is("services.title", "services"), is("services.none", ""), {"dir.cat.", of(cats)},
			is("services.always", "clock"), is("services.open_today", "open"), is("services.closed_today", "closed"),
			{"days.", func(string) string { return "calendar" }}}},
		{"info", "info", []rule{is("info.none", ""), is("info.link", "internet"), {"info.", of(domain.TopicIcons)}}},
		{"notify", "bell", []rule{is("notify.explain", "bell"), is("notify.warnings", "warning"), is("notify.surveys", "survey"),
			is("notify.areas", "route"), is("notify.on", "bell"), is("notify.stop", "bell-off"), {"notify.", func(string) string { return "" }},
			is("push.neutral", "bell")}},
		{"phone", "sova", []rule{{"disguise.", func(name string) string { return "disguise-" + name }}}},
	}
}

// Screens is every phrase of lang (as Phrases lists them), each in exactly
// one screen: the app's pages, each survey's questions, and the
// organisation's own words, in the order a member meets them. A phrase no
// screen claims (a key added to the catalogs and not yet placed) is kept in
// a last screen, "other", so nothing is ever out of the translator's
// reach.
func (s *Studio) Screens(lang string) ([]Screen, error) {
	phrases, err := s.Phrases(lang)
	if err != nil {
		return nil, err
	}
	if err := s.addSources(lang, phrases); err != nil {
		return nil, err
	}
	byKey := make(map[string]*Phrase, len(phrases))
	for i := range phrases {
		byKey[phrases[i].Key] = &phrases[i]
	}
	taken := map[string]bool{}
	take := func(sc *Screen, key, icon string) {
		if p := byKey[key]; p != nil && !taken[key] {
			taken[key] = true
			p.Icon = icon
			sc.Phrases = append(sc.Phrases, *p)
		}
	}

	// Surveys first: their words, the reporting form's among them, are
	// met on their own screens.
	var surveys, reporting []Screen
	for _, sv := range s.surveys() {
		if !sv.HasLanguage(lang) {
			continue
		}
		title := cmp.Or(sv.Texts[lang][sv.Title], sv.Texts[sv.Languages[0]][sv.Title])
		for i, q := range sv.Questions {
			sc := Screen{ID: "s-" + sv.ID + "-" + q.ID, Kind: ScreenSurvey, Title: title, Survey: sv.ID, Number: i + 1, Of: len(sv.Questions), Icon: q.Icon}
			if i == 0 {
				take(&sc, sv.Title, sv.Icon) // on the home page's tile, then above every screen
			}
			take(&sc, q.Text, q.Icon)
			if p := byKey[q.Text]; p != nil {
				sc.Question = cmp.Or(p.Text, p.Source)
			}
			for _, c := range q.Choices {
				take(&sc, c.Text, c.Icon)
			}
			if len(sc.Phrases) == 0 {
				continue
			}
			if sv.ID == domain.WarnSurveyID {
				reporting = append(reporting, sc)
			} else {
				surveys = append(surveys, sc)
			}
		}
	}

	// The app's pages, by their rules, over the keys in a natural order
	// (outbox.waiting.2 before .10).
	keys := make([]string, 0, len(phrases))
	for _, p := range phrases {
		if p.Edit == "" || p.Edit == CatalogFile {
			keys = append(keys, p.Key)
		}
	}
	slices.SortFunc(keys, natural)
	app := map[string]Screen{}
	for _, page := range appScreens() {
		sc := Screen{ID: page.page, Kind: ScreenApp, Page: page.page, Icon: page.icon}
		for _, r := range page.rules {
			prefix, ok := strings.CutSuffix(r.match, ".")
			if !ok {
				take(&sc, r.match, r.icon(""))
				continue
			}
			for _, k := range keys {
				if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
					// An information page's title goes with its paragraphs
					// (below) when it has some.
					if page.page == "info" && byKey[domain.InfoVoice(rest, 0)] != nil {
						continue
					}
					take(&sc, k, r.icon(rest))
				}
			}
		}
		app[page.page] = sc
	}

	// The organisation's own words: each information page with its title,
	// the services listed, the warnings published.
	var info []Screen
	for _, topic := range domain.Topics {
		sc := Screen{ID: "info-" + topic, Kind: ScreenOwn, Page: "info-topic", Icon: domain.TopicIcons[topic]}
		if byKey[domain.InfoVoice(topic, 0)] == nil {
			continue
		}
		title := "info." + topic
		if p := byKey[title]; p != nil {
			sc.Title = p.Text
		}
		take(&sc, title, sc.Icon)
		for n := 0; byKey[domain.InfoVoice(topic, n)] != nil; n++ {
			take(&sc, domain.InfoVoice(topic, n), "")
		}
		info = append(info, sc)
	}
	own := func(id, icon, prefix string) Screen {
		sc := Screen{ID: id, Kind: ScreenOwn, Page: id, Icon: icon}
		for _, p := range phrases {
			if p.Edit != "" && p.Edit != CatalogFile && strings.HasPrefix(p.Key, prefix) {
				take(&sc, p.Key, icon)
			}
		}
		return sc
	}
	services, areas, warnings := own("own-services", "services", "svc."), own("own-areas", "route", "area."), own("own-warnings", "warning", "warning.")
	other := Screen{ID: "other", Kind: ScreenApp, Page: "other"}
	for _, p := range phrases {
		take(&other, p.Key, "")
	}

	// In the order she meets them: home, what every screen has, the
	// surveys, then each page home leads to; last what she meets once,
	// before the app (the language picker, its name on her phone).
	var out []Screen
	add := func(scs ...Screen) {
		for _, sc := range scs {
			if len(sc.Phrases) > 0 {
				out = append(out, sc)
			}
		}
	}
	add(app["home"], app["frame"], app["survey"])
	add(surveys...)
	add(app["thanks"], app["outbox"])
	add(reporting...)
	add(app["warnings"], warnings, areas, app["services"], services, app["info"])
	add(info...)
	add(app["notify"], app["picker"], app["phone"], other)
	return out, nil
}

// SourceLang is the language the app's words are translated from: English,
// or the first language there is. A survey's words are translated from
// the survey's first language.
func (s *Studio) SourceLang() string {
	if s.Catalog("en") != nil || len(s.catalogs) == 0 {
		return "en"
	}
	return s.catalogs[0].Lang
}

// addSources sets each phrase's Source: its words, as they are now, in the
// language it is translated from, unless that is lang itself.
func (s *Studio) addSources(lang string, phrases []Phrase) error {
	from := map[string]string{} // survey id → its first language
	for _, sv := range s.surveys() {
		if len(sv.Languages) > 0 {
			from[sv.ID] = sv.Languages[0]
		}
	}
	texts := map[string]map[string]string{}
	for i, p := range phrases {
		src := s.SourceLang()
		if p.Survey != "" {
			src = cmp.Or(from[p.Survey], src)
		}
		if src == lang {
			continue
		}
		if texts[src] == nil {
			all, err := s.Phrases(src)
			if err != nil {
				return err
			}
			texts[src] = make(map[string]string, len(all))
			for _, q := range all {
				texts[src][q.Key] = q.Text
			}
		}
		phrases[i].Source, phrases[i].SourceLang = texts[src][p.Key], src
	}
	return nil
}

// natural orders keys as people count: "outbox.waiting.2" before
// "outbox.waiting.10".
func natural(a, b string) int {
	ia, ib := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	if ia >= 0 && ib >= 0 && a[:ia] == b[:ib] {
		na, errA := strconv.Atoi(a[ia+1:])
		nb, errB := strconv.Atoi(b[ib+1:])
		if errA == nil && errB == nil {
			return cmp.Compare(na, nb)
		}
	}
	return strings.Compare(a, b)
}

// Missing reports whether p has no voice for its words: none at all, or a
// recording of words since changed.
func Missing(p Phrase) bool { return p.Voice == Silent || p.Voice == Outdated }

// MachineOnly reports whether only Sova's own voice speaks p.
func MachineOnly(p Phrase) bool { return p.Voice == Synthetic }

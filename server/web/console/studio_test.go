package console_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/studio"
	"sova/server/voice"
)

// The translators' studio, through the real router, on real Badger, with
// real ffmpeg converting real speech.

// homePrompt is the voice stem /en/ plays on arrival (the home.title phrase).
var homePrompt = regexp.MustCompile(`<main class="home" data-prompt="([^"]+)"`)

func memberHome(t *testing.T, h http.Handler) (stem, page string) {
	t.Helper()
	rec := testapp.NewConsole(h).Get(t, "/en/")
	m := homePrompt.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("GET /en/: %d, no prompt in %.300s", rec.Code, rec.Body)
	}
	return m[1], rec.Body.String()
}

// hello is a translator's recording of home.title, the home page's prompt.
func hello(t *testing.T) *testapp.File {
	return &testapp.File{Field: "audio", Name: "take1.wav", Data: testapp.Speech(t, "en", "Hello! What would you like to do?")}
}

func TestStudio_ARecordingBecomesTheMembersVoiceAndCoverageGrows(t *testing.T) {
	t.Parallel()
	var before coverage
	var oldStem, oldVersion string
	testapp.Scenario{
		Name: "a translator records home.title",
		Role: domain.RoleTranslator,
		URL:  "/staff/studio/en/voice",
		Form: url.Values{"key": {"home.title"}},
		File: hello(t),
		Before: func(t *testing.T, e *testapp.Env) {
			before = coverageOf(t, e.As(domain.RoleTranslator).Get(t, "/staff/studio/en").Body.String())
			if before.recorded != 0 || before.total < 100 {
				t.Fatalf("a fresh studio: %+v; want 0 recorded of the app's and the needs survey's phrases", before)
			}
			oldStem, _ = memberHome(t, e.H)
			oldVersion = e.App.Version()
		},
		ExpectedStatus: http.StatusSeeOther,
		// The audit log says who recorded what, and nothing else.
		ExpectedAudit: []testapp.Audit{{Action: "voice recorded", Target: "en/home.title"}},
		After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
			if loc := res.Header().Get("Location"); loc != "/staff/studio/en?done=home.title#p-home.title" {
				t.Fatalf("upload: to %q", loc)
			}
			// The studio counts it, and shows it as a person's voice.
			page := e.As(domain.RoleTranslator).Get(t, "/staff/studio/en?done=home.title").Body.String()
			after := coverageOf(t, page)
			if after.recorded != 1 || after.total != before.total {
				t.Fatalf("coverage after one recording: %+v, before %+v", after, before)
			}
			if !regexp.MustCompile(`id="p-home.title"(?s:.)*?voice-recorded`).MatchString(page) {
				t.Error("the studio does not show home.title as recorded")
			}

			// Members get it: a new app version, whose home page plays the new file.
			if e.App.Version() == oldVersion {
				t.Fatal("the app version did not change: phones would never update")
			}
			newStem, _ := memberHome(t, e.H)
			if newStem == oldStem {
				t.Fatalf("/en/ still plays %s", oldStem)
			}
			st := e.App.Store()
			recs, err := st.Recordings("en")
			if err != nil || recs["home.title"] == nil {
				t.Fatalf("stored recordings: %v %v", recs, err)
			}
			r := recs["home.title"]
			if r.Phrase.Source != voice.SourceRecorded || r.By != testapp.StaffID(t, domain.RoleTranslator) {
				t.Errorf("stored recording: source %q by %q", r.Phrase.Source, r.By)
			}
			data, err := st.RecordingData("en", "home.title")
			if err != nil || len(data) != 2 {
				t.Fatalf("the recording's files: %d, %v", len(data), err)
			}
			for _, f := range r.Phrase.Files {
				ext := strings.TrimPrefix(f.File, "home.title")
				res := e.Member().Get(t, newStem+ext)
				if res.Code != http.StatusOK || res.Body.String() != string(data[f.File]) || !strings.HasPrefix(res.Header().Get("Content-Type"), strings.Split(f.Mime, ";")[0]) {
					t.Errorf("GET %s%s: %d %s, %d bytes; want the recording's %d bytes", newStem, ext, res.Code, res.Header().Get("Content-Type"), res.Body.Len(), len(data[f.File]))
				}
			}

			// Admins see the coverage on their home page.
			if home := e.As(domain.RoleAdmin).Get(t, "/staff/").Body.String(); !strings.Contains(home, "Voice coverage") || !strings.Contains(home, "(1 of "+strconv.Itoa(after.total)+" phrases recorded)") {
				t.Error("the admin's home page does not show the new coverage")
			}
		},
	}.Test(t)
}

func TestStudio_BadRecordingsAreRefusedClearlyAndNothingIsLost(t *testing.T) {
	t.Parallel()
	// A copy where home.title has a recording, for every row to refuse
	// another.
	e := testapp.OpenFixture(t)
	tr := e.As(domain.RoleTranslator)
	good := hello(t)
	if rec := tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {tr.CSRF(t)}, "key": {"home.title"}}, good.Field, good.Name, good.Data); rec.Code != http.StatusSeeOther {
		t.Fatalf("good upload: %d %.300s", rec.Code, rec.Body)
	}
	stem, _ := memberHome(t, e.H)
	version := e.App.Version()
	nothingLost := func(t *testing.T, e *testapp.Env) {
		t.Helper()
		if now, _ := memberHome(t, e.H); now != stem || e.App.Version() != version {
			t.Errorf("a refused recording changed the member's voice: %s → %s", stem, now)
		}
		if recs, _ := e.App.Store().Recordings("en"); len(recs) != 1 || recs["home.title"] == nil {
			t.Errorf("recordings after refusals: %v", recs)
		}
	}
	upload := func(name string, file *testapp.File) testapp.Scenario {
		return testapp.Scenario{Name: name, Env: e, Role: domain.RoleTranslator, URL: "/staff/studio/en/voice", Form: url.Values{"key": {"home.title"}}, File: file}
	}

	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string // the start of the reason shown
	}{
		{"silent", "quiet.wav", testapp.Silence(t), "we heard nothing"},
		{"not audio", "notes.txt", []byte("Hello! What would you like to do?\n"), "the file is not a sound recording"},
		{"corrupt", "take2.webm", append([]byte("\x1aE\xdf\xa3"), make([]byte, 4000)...), "the recording is damaged"},
		{"empty", "take3.webm", nil, "the recording is empty"},
		{"too large", "take4.wav", make([]byte, voice.RecordingLimits.MaxBytes+1), "the file is 8.1 MB"},
	} {
		file := &testapp.File{Field: "audio", Name: tc.file, Data: tc.data}
		// Without JavaScript: the page again, with the reason beside the phrase.
		s := upload(tc.name, file)
		s.ExpectedStatus = http.StatusUnprocessableEntity
		s.ExpectedContent = []string{`role="alert"`, html.EscapeString(tc.want)}
		s.After = func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) { nothingLost(t, e) }
		s.Test(t)
		// The studio's script asks for JSON.
		s = upload(tc.name+" as JSON", file)
		s.Headers = map[string]string{"Accept": "application/json"}
		s.ExpectedStatus = http.StatusUnprocessableEntity
		s.After = func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
			var got struct{ Error, Message string }
			if json.Unmarshal(res.Body.Bytes(), &got) != nil || !strings.Contains(got.Message, tc.want) {
				t.Errorf("%s", res.Body)
			}
			nothingLost(t, e)
		}
		s.Test(t)
	}
	// A body far over the limit is cut off before anything reads it.
	s := upload("a huge upload", &testapp.File{Field: "audio", Name: "huge.wav", Data: make([]byte, voice.RecordingLimits.MaxBytes+1<<20)})
	s.ExpectedStatus = http.StatusRequestEntityTooLarge
	s.ExpectedContent = []string{"larger than 9 MB"}
	s.After = func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) { nothingLost(t, e) }
	s.Test(t)
}

func TestStudio_EditedTextReachesMembersAndOutdatesItsRecording(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	tr := e.As(domain.RoleTranslator)
	csrf := tr.CSRF(t)
	tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {csrf}, "key": {"home.outbox"}},
		"audio", "take1.wav", testapp.Speech(t, "en", "Waiting to be sent"))

	rec := tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {csrf}, "key": {"home.outbox"}, "text": {"  Not sent yet  "}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save text: %d %.300s", rec.Code, rec.Body)
	}
	if _, page := memberHome(t, e.H); !strings.Contains(page, "Not sent yet") {
		t.Error("the member's home page does not show the new words")
	}
	page := tr.Get(t, "/staff/studio/en").Body.String()
	if !regexp.MustCompile(`id="p-home.outbox"(?s:.)*?voice-outdated`).MatchString(page) {
		t.Error("the recording of the old words is not shown as outdated")
	}
	if c := coverageOf(t, page); c.recorded != 0 {
		t.Errorf("an outdated recording still counts: %+v", c)
	}

	// A survey's phrase: members see the new words, the stored survey
	// stays as published.
	rec = tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {csrf}, "key": {"needs.title"}, "text": {"What you need"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save survey text: %d %.300s", rec.Code, rec.Body)
	}
	if body := e.Member().Get(t, "/en/s/needs").Body.String(); !strings.Contains(body, "What you need") {
		t.Error("the survey page does not show the new title")
	}
	sv, err := e.App.Store().LatestSurvey("needs")
	if err != nil || sv.Texts["en"]["needs.title"] == "What you need" {
		t.Errorf("the stored survey was changed: %v", err)
	}

	// Empty words are refused, and the old ones kept.
	rec = tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {csrf}, "key": {"home.outbox"}, "text": {"   "}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "needs words") {
		t.Errorf("empty text: %d", rec.Code)
	}
	if _, page := memberHome(t, e.H); !strings.Contains(page, "Not sent yet") {
		t.Error("refusing empty words lost the edited ones")
	}

	// The shipped words again: the edit is gone, and the recording fits again.
	rec = tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {csrf}, "key": {"home.outbox"}, "text": {"Waiting to be sent"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("shipped text: %d", rec.Code)
	}
	if texts, _ := e.App.Store().Texts("en"); texts["home.outbox"] != nil {
		t.Error("the shipped words are kept as an edit")
	}
	if c := coverageOf(t, tr.Get(t, "/staff/studio/en").Body.String()); c.recorded != 1 {
		t.Errorf("the recording does not count again: %+v", c)
	}
}

type coverage struct{ recorded, total int }

var coverageText = regexp.MustCompile(`\((\d+) of (\d+) phrases recorded\)`)

func coverageOf(t *testing.T, page string) coverage {
	t.Helper()
	m := coverageText.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no coverage on the page: %.500s", page)
	}
	var c coverage
	c.recorded, _ = strconv.Atoi(m[1])
	c.total, _ = strconv.Atoi(m[2])
	return c
}

func TestStudio_PackZipGoesOutAndComesBack(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	tr := e.As(domain.RoleTranslator)
	res := tr.Get(t, "/staff/studio/en/pack.zip")
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "application/zip" ||
		res.Header().Get("Content-Disposition") != `attachment; filename="sova-voice-en.zip"` {
		t.Fatalf("export: %d %v", res.Code, res.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(res.Body.Bytes()), int64(res.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	// The translator adds a recording to the pack she downloaded.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("recordings/home.title.wav")
	w.Write(testapp.Speech(t, "en", "Hello! What would you like to do?"))
	w, _ = zw.Create("recordings/nav.next.wav")
	w.Write(testapp.Silence(t))
	zw.Close()

	version := e.App.Version()
	rec := tr.PostFile(t, "/staff/studio/en/pack.zip", url.Values{"csrf": {tr.CSRF(t)}}, "pack", "sova-voice-en.zip", buf.Bytes())
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Pack imported: 1 recordings and 0 texts taken") ||
		!strings.Contains(body, "nav.next</a>: we heard nothing") {
		t.Fatalf("import: %d %.2000s", rec.Code, body)
	}
	if c := coverageOf(t, body); c.recorded != 1 {
		t.Errorf("coverage after the import: %+v", c)
	}
	if e.App.Version() == version {
		t.Error("the import did not reach members")
	}
	// Not a zip: said so, nothing changed.
	rec = tr.PostFile(t, "/staff/studio/en/pack.zip", url.Values{"csrf": {tr.CSRF(t)}}, "pack", "notes.zip", []byte("just text"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "this is not a zip file") {
		t.Errorf("not a zip: %d", rec.Code)
	}
}

// The studio a screen at a time: every screen and part of a language under a
// filter, as a translator pages through them.

var (
	phraseID   = regexp.MustCompile(`<section class="card phrase[^"]*" id="p-([^"]+)"`)
	studioLink = regexp.MustCompile(`href="(/staff/studio/[a-z]+\?[^"#]*)"`)
)

// studioWalk follows lang's studio from its first page through every
// screen and part under the filter show, and returns the phrases shown and
// the largest page.
func studioWalk(t *testing.T, tr *testapp.Console, lang, show string) (shown map[string]bool, largest int, largestURL string) {
	t.Helper()
	first := "/staff/studio/" + lang
	if show != "" {
		first += "?show=" + show
	}
	shown, seen, queue := map[string]bool{}, map[string]bool{first: true}, []string{first}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		res := tr.Get(t, u)
		body := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", u, res.Code, body)
		}
		if len(body) > largest {
			largest, largestURL = len(body), u
		}
		// A key in the console's words shows where a translation is missing.
		if strings.Contains(body, ">studio.") || strings.Contains(body, "studio.page.") {
			t.Errorf("%s shows a key of the console's words", u)
		}
		for _, m := range phraseID.FindAllStringSubmatch(body, -1) {
			shown[m[1]] = true
		}
		for _, m := range studioLink.FindAllStringSubmatch(body, -1) {
			link := html.UnescapeString(m[1])
			q, _ := url.Parse(link)
			if q.Query().Get("show") != show || (q.Query().Get("screen") == "" && q.Query().Get("part") == "") || seen[link] {
				continue
			}
			seen[link] = true
			queue = append(queue, link)
		}
	}
	return shown, largest, largestURL
}

// manyServices lists n services in every language, with long words, and
// no voice yet (Sova speaks them later): an organisation with a big
// directory.
func manyServices(t *testing.T, e *testapp.Env, n int) {
	t.Helper()
	for i := range n {
		svc := &domain.Service{ID: "svc" + strconv.Itoa(i), Category: "clinic", Days: [7]bool{true}, Texts: map[string]domain.ServiceText{}}
		for _, lang := range []string{"en", "ru", "es", "fr", "ar"} {
			svc.Texts[lang] = domain.ServiceText{Name: "Клиника " + strconv.Itoa(i), About: strings.Repeat("Бесплатные тесты, консультации и помощь без документов. ", 5)}
		}
		if err := e.App.Store().PutService(svc); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStudio_PagesAreSmallInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	manyServices(t, e, 70)
	tr := e.As(domain.RoleTranslator)
	const budget = 300 << 10
	for _, lang := range []string{"en", "ru", "es", "fr", "ar"} {
		// The console in the language studied, as a translator would have it.
		if rec := tr.Post(t, "/staff/me/lang", url.Values{"csrf": {tr.CSRF(t)}, "lang": {lang}, "back": {"/staff/studio"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("console in %s: %d", lang, rec.Code)
		}
		phrases, err := e.App.Studio().Phrases(lang)
		if err != nil {
			t.Fatal(err)
		}
		largest, where := 0, ""
		for _, show := range []string{"", "missing", "machine"} {
			shown, n, u := studioWalk(t, tr, lang, show)
			if n > largest {
				largest, where = n, u
			}
			if show == "" && len(shown) != len(phrases) {
				t.Errorf("%s: paging through every screen shows %d phrases of %d", lang, len(shown), len(phrases))
			}
		}
		t.Logf("%s: the largest studio page is %d bytes (%s)", lang, largest, where)
		if largest > budget {
			t.Errorf("%s: %s is %d bytes, over %d", lang, where, largest, budget)
		}
	}
}

func TestStudio_FiltersShowExactlyThePhrasesMissingOrMachineVoiced(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	manyServices(t, e, 40) // no voice yet, and more than one part
	tr := e.As(domain.RoleTranslator)
	csrf := tr.CSRF(t)
	// A recording, then new words: outdated, so missing too.
	tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {csrf}, "key": {"home.outbox"}}, "audio", "take1.wav", testapp.Speech(t, "en", "Waiting to be sent"))
	tr.Post(t, "/staff/studio/en/text", url.Values{"csrf": {csrf}, "key": {"home.outbox"}, "text": {"Not sent yet"}})
	phrases, err := e.App.Studio().Phrases("en")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]bool{"missing": {}, "machine": {}}
	for _, p := range phrases {
		switch p.Voice {
		case studio.Silent, studio.Outdated:
			want["missing"][p.Key] = true
		case studio.Synthetic:
			want["machine"][p.Key] = true
		}
	}
	if !want["missing"]["home.outbox"] || !want["missing"]["svc.svc39"] || len(want["machine"]) < 100 {
		t.Fatalf("the fixture: missing %v, %d machine-voiced", want["missing"], len(want["machine"]))
	}
	for show, keys := range want {
		shown, _, _ := studioWalk(t, tr, "en", show)
		for k := range keys {
			if !shown[k] {
				t.Errorf("show=%s: %s is not shown", show, k)
			}
		}
		for k := range shown {
			if !keys[k] {
				t.Errorf("show=%s: %s is shown", show, k)
			}
		}
	}
	// Recording from the filtered list comes back to it, with the phrase
	// just recorded shown recorded.
	rec := tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {csrf}, "key": {"home.outbox"}, "show": {"missing"}}, "audio", "take2.wav", testapp.Speech(t, "en", "Not sent yet"))
	if loc := rec.Header().Get("Location"); loc != "/staff/studio/en?done=home.outbox&show=missing#p-home.outbox" {
		t.Fatalf("after recording: %d to %q", rec.Code, loc)
	}
	page := tr.Get(t, "/staff/studio/en?done=home.outbox&show=missing").Body.String()
	if !regexp.MustCompile(`id="p-home.outbox"(?s:.)*?voice-recorded`).MatchString(page) || strings.Contains(page, `id="p-home.title"`) {
		t.Error("the filtered page after recording: not the phrase just recorded, or phrases with a voice")
	}
}

// Each screen holds what its member page shows: a phrase whose voice a page
// plays is filed on that page's screen, or on "every screen", or on another
// page that plays it too (where she meets it first); a survey's words on
// its own screens.
func TestStudio_AppScreensAreThePagesMembersSee(t *testing.T) {
	t.Parallel()
	e := testapp.Shared(t)
	screens, err := e.App.Studio().Screens("en")
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{}
	for _, sc := range screens {
		for _, p := range sc.Phrases {
			where[p.Key] = sc.ID
			if sc.Kind == studio.ScreenSurvey {
				where[p.Key] = "survey:" + sc.Survey
			}
		}
	}
	pages := map[string]string{"home": "/en/", "thanks": "/en/thanks", "outbox": "/en/outbox", "services": "/en/services",
		"info": "/en/info", "warnings": "/en/warnings", "notify": "/en/notify", "survey:needs": "/en/s/needs", "survey:warn": "/en/s/warn"}
	say := regexp.MustCompile(`/audio/en/([a-z0-9._-]+)\.[0-9a-f]{8}`)
	plays := map[string]map[string]bool{} // key → the screens of the pages that play it
	for screen, path := range pages {
		body := e.Member().Get(t, path).Body.String()
		for _, m := range say.FindAllStringSubmatch(body, -1) {
			if plays[m[1]] == nil {
				plays[m[1]] = map[string]bool{}
			}
			plays[m[1]][screen] = true
			if strings.HasPrefix(screen, "survey:") {
				plays[m[1]]["survey"] = true // the controls of every survey
			}
		}
	}
	for key, on := range plays {
		got := where[key]
		// A survey's title is on its tile at home, and above its screens.
		if strings.HasPrefix(got, "survey:") && on["home"] {
			continue
		}
		if !on[got] && !(got == "frame" && len(on) >= len(pages)-1) {
			t.Errorf("%s is filed on %q; the pages that play it: %v", key, got, on)
		}
	}
	if len(plays) < 100 {
		t.Errorf("only %d phrases played on the member's pages", len(plays))
	}
}

// A refused recording, words or pack, and a draft's refused recordings,
// are said in the staffer's language, their numbers as her locale writes
// them: to the page, and to the studio's script.
func TestStudio_RefusalsSpeakTheStaffersLanguage(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	tr, admin := e.As(domain.RoleTranslator), e.As(domain.RoleAdmin)
	draft := testapp.Zip(t, map[string][]byte{
		"needs.xlsx": needsForm(t, func(b *excelize.File) {
			b.SetCellStr("survey", "Q1", "media::audio::en (en)")
			b.SetCellStr("survey", "Q2", "find_clients.mp3")
		}),
		"find_clients.mp3": []byte("ID3"),
	})
	for _, tc := range []struct {
		lang                  string
		size, max, long, most string // 8.1 MB of at most 8, and 501 characters of at most 500
	}{
		{"ru", "8,1", "8", "501", "500"},
		{"ar", "٨٫١", "٨", "٥٠١", "٥٠٠"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			for _, c := range []*testapp.Console{tr, admin} {
				if rec := c.Post(t, "/staff/me/lang", url.Values{"csrf": {c.CSRF(t)}, "lang": {tc.lang}}); rec.Code != http.StatusSeeOther {
					t.Fatalf("choose %s: %d", tc.lang, rec.Code)
				}
			}
			cw := consoleIn(t, tc.lang)
			said := func(code string, pairs ...string) string {
				return html.EscapeString(strings.NewReplacer(pairs...).Replace(cw.T("studio.refused." + code)))
			}
			csrf := tr.CSRF(t)
			for _, r := range []struct {
				name, url string
				form      url.Values
				file      *testapp.File
				want      string
			}{
				{"silent", "/staff/studio/en/voice", url.Values{"key": {"home.title"}}, &testapp.File{Field: "audio", Name: "quiet.wav", Data: testapp.Silence(t)},
					said("recording.silent")},
				{"too large", "/staff/studio/en/voice", url.Values{"key": {"home.title"}}, &testapp.File{Field: "audio", Name: "big.wav", Data: make([]byte, voice.RecordingLimits.MaxBytes+1)},
					said("recording.too_large", "{size}", tc.size, "{max}", tc.max)},
				{"too long", "/staff/studio/en/text", url.Values{"key": {"home.outbox"}, "text": {strings.Repeat("a", studio.MaxText+1)}}, nil,
					said("text.long", "{length}", tc.long, "{max}", tc.most)},
				{"not a pack", "/staff/studio/en/pack.zip", url.Values{}, &testapp.File{Field: "pack", Name: "notes.zip", Data: []byte("just text")},
					html.EscapeString(strings.Split(cw.T("studio.refused.pack.zip"), "{")[0])},
			} {
				r.form.Set("csrf", csrf)
				var rec *httptest.ResponseRecorder
				if r.file != nil {
					rec = tr.PostFile(t, r.url, r.form, r.file.Field, r.file.Name, r.file.Data)
				} else {
					rec = tr.Post(t, r.url, r.form)
				}
				if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), r.want) {
					t.Errorf("%s: %d, the page lacks %s:\n%.3000s", r.name, rec.Code, r.want, rec.Body)
				}
			}
			// The studio's script shows the message it is given.
			rec := tr.PostFile(t, "/staff/studio/en/voice", url.Values{"csrf": {csrf}, "key": {"home.title"}}, "audio", "quiet.wav", testapp.Silence(t), "Accept", "application/json")
			var got struct{ Message string }
			if json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.Message != cw.T("studio.refused.recording.silent") {
				t.Errorf("to the script: %s", rec.Body)
			}
			// A draft's refused recording, on the Surveys page.
			rec = admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "needs.zip", draft)
			if want := "<td>" + said("recording.corrupt") + "</td>"; rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("a draft's recording: %d, the page lacks %s", rec.Code, want)
			}
		})
	}
}

// findClients is the voice stem of the needs survey's first question on
// its member page.
var findClients = regexp.MustCompile(`data-q="find_clients"[^>]*?data-prompt="([^"]+)"`)

func findClientsStem(t *testing.T, e *testapp.Env) string {
	t.Helper()
	rec := e.Member().Get(t, "/en/s/needs")
	m := findClients.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("GET /en/s/needs: %d, no prompt for find_clients", rec.Code)
	}
	return m[1]
}

// A new version uploaded with its recordings: nothing of them is heard,
// whatever staff and members read, until it is published; then members
// hear them at once, with nothing read in between.
func TestStudio_ADraftsRecordingSpeaksOncePublished(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin, st := e.As(domain.RoleAdmin), e.App.Store()
	v2 := testapp.Zip(t, map[string][]byte{
		"needs.xlsx": needsForm(t, func(b *excelize.File) {
			b.SetCellStr("settings", "A2", "needs")
			b.SetCellStr("settings", "B2", "2")
			b.SetCellStr("survey", "Q1", "media::audio::en (en)")
			b.SetCellStr("survey", "Q2", "find_clients.wav")
		}),
		"find_clients.wav": testapp.Speech(t, "en", "How do you find clients?"),
	})
	if rec := admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "needs.zip", v2); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %.2000s", rec.Code, rec.Body)
	}
	synthetic := findClientsStem(t, e)
	for _, path := range []string{"/staff/studio/en", "/staff/studio/en/pack.zip", "/staff/surveys"} {
		admin.Get(t, path)
	}
	if waiting, err := st.DraftVoice("needs", 2); err != nil || len(waiting["en"]) != 1 {
		t.Fatalf("after reads, waiting with the draft: %v %v", waiting, err)
	}
	if recs, _ := st.Recordings("en"); recs["needs.find_clients"] != nil || findClientsStem(t, e) != synthetic {
		t.Fatal("a draft's recording reached members before it was published")
	}

	if rec := admin.Post(t, "/staff/surveys/needs/2/publish", url.Values{"csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d", rec.Code)
	}
	stem := findClientsStem(t, e)
	data, err := st.RecordingData("en", "needs.find_clients")
	if err != nil || stem == synthetic || len(data) != 2 {
		t.Fatalf("after publishing, members hear %s (before %s); recording files %d, %v", stem, synthetic, len(data), err)
	}
	if res := e.Member().Get(t, stem+".webm"); res.Code != http.StatusOK || res.Body.String() != string(data["needs.find_clients.webm"]) {
		t.Errorf("GET %s.webm: %d, %d bytes; want the recording's %d", stem, res.Code, res.Body.Len(), len(data["needs.find_clients.webm"]))
	}
	if waiting, err := st.DraftVoice("needs", 2); err != nil || len(waiting) != 0 {
		t.Errorf("still waiting after publishing: %v %v", waiting, err)
	}
}

package studio_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/store"
	"sova/server/studio"
	"sova/server/voice"
)

// publishedNeeds is a studio over the store's published surveys, with the
// needs survey's version 1 published, and a draft of version 2 whose
// English title says other words: the two versions share their phrase
// keys. The office takes drafts and publishes them into the same store.
func publishedNeeds(t *testing.T) (*studio.Studio, *store.DB, *domain.Office, *domain.Survey) {
	t.Helper()
	s, db := studioOver(t, func(db *store.DB) func() []*domain.Survey { return db.Surveys })
	office := &domain.Office{Repo: db, Events: &siteEvents{}, Now: time.Now}
	v1 := needs(t)
	if err := db.PutSurvey(v1); err != nil {
		t.Fatal(err)
	}
	v2 := *v1
	v2.Version = 2
	v2.Texts = maps.Clone(v1.Texts)
	v2.Texts["en"] = maps.Clone(v1.Texts["en"])
	v2.Texts["en"]["needs.title"] = "What you need"
	return s, db, office, &v2
}

// siteEvents stands for the app's events: onSite runs where the member
// site would be rebuilt.
type siteEvents struct{ onSite func() }

func (e *siteEvents) SiteChanged() error {
	if e.onSite != nil {
		e.onSite()
	}
	return nil
}
func (e *siteEvents) WordsChanged() error  { return nil }
func (e *siteEvents) Notify(domain.Notice) {}

// addDraft takes v as a draft with recs, as the console does.
func addDraft(s *studio.Studio, office *domain.Office, v *domain.Survey, recs []studio.Recording) error {
	return office.AddDraftWith(tina.Login, v, s.DraftVoice(context.Background(), tina, v, recs))
}

func TestAddDraft_RecordingsSpeakOnceTheDraftIsPublished(t *testing.T) {
	s, db, office, v2 := publishedNeeds(t)
	question := v2.Questions[0].Text
	recs := []studio.Recording{
		{Lang: "en", Key: "needs.title", File: "title-en.wav", Data: testapp.Speech(t, "en", "What you need")},
		{Lang: "ru", Key: question, File: "q1-ru.wav", Data: testapp.Speech(t, "ru", v2.Texts["ru"][question])},
	}
	if err := addDraft(s, office, v2, recs); err != nil {
		t.Fatal(err)
	}
	if st := db.StateOf("needs", 2); st != domain.SurveyDraft {
		t.Fatalf("version 2 is %q", st)
	}
	if log, err := db.AuditLog(10); err != nil || len(log) != 1 || log[0].Action != "survey uploaded" || log[0].Target != "needs v2" || log[0].Staff != "tina" {
		t.Errorf("audit log: %+v %v", log, err)
	}
	waiting, err := db.DraftVoice("needs", 2)
	if err != nil || len(waiting["en"]) != 1 || len(waiting["ru"]) != 1 {
		t.Fatalf("waiting with the draft: %v %v", waiting, err)
	}
	if ph := waiting["en"]["needs.title"].Phrase; ph.Source != voice.SourceRecorded || ph.TextSha256 != voice.TextSha256("What you need") || len(ph.Files) != 2 {
		t.Errorf("converted: %+v", ph)
	}

	// While a draft, its voice is not version 1's: members hear the
	// published words' voice.
	if p := phrase(t, s, "en", "needs.title"); p.Text != "Your needs" || p.Voice != studio.Synthetic {
		t.Errorf("before publishing: %+v", p)
	}
	if pack, err := s.Pack("en"); err != nil || pack.Phrases["needs.title"].Source == voice.SourceRecorded {
		t.Errorf("a draft's recording reached members: %+v %v", pack.Phrases["needs.title"], err)
	}
	// Reading is not publishing: every read of the studio left the
	// recordings where they wait.
	if _, err := s.Content(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Coverage("ru"); err != nil {
		t.Fatal(err)
	}
	if waiting, err := db.DraftVoice("needs", 2); err != nil || len(waiting["en"])+len(waiting["ru"]) != 2 {
		t.Errorf("reads moved the draft's voice: %v %v", waiting, err)
	}
	if recs, err := db.Recordings("en"); err != nil || len(recs) != 0 {
		t.Errorf("reads moved the draft's voice: %v %v", recs, err)
	}

	// Publishing moves them: by the time the site is rebuilt, before
	// anything is read, they are the phrases' recordings.
	office.Events.(*siteEvents).onSite = func() {
		if recs, err := db.Recordings("en"); err != nil || recs["needs.title"] == nil || recs["needs.title"].By != tina.ID {
			t.Errorf("the site is rebuilt without the draft's voice: %v %v", recs, err)
		}
	}
	if err := office.SetSurveyState("ada", "needs", 2, domain.SurveyPublished); err != nil {
		t.Fatal(err)
	}
	for lang, key := range map[string]string{"en": "needs.title", "ru": question} {
		if p := phrase(t, s, lang, key); p.Voice != studio.Recorded || p.By != "tina" || p.Text != v2.Texts[lang][key] {
			t.Errorf("%s %s after publishing: %+v", lang, key, p)
		}
		if cov, err := s.Coverage(lang); err != nil || cov.Recorded != 1 {
			t.Errorf("%s coverage after publishing: %d recorded, %v", lang, cov.Recorded, err)
		}
	}
	c, err := s.Content()
	if err != nil {
		t.Fatal(err)
	}
	if ph := c.Packs["en"].Phrases["needs.title"]; ph.Source != voice.SourceRecorded || ph.TextSha256 != voice.TextSha256("What you need") {
		t.Errorf("members' pack after publishing: %+v", ph)
	}
	if waiting, err := db.DraftVoice("needs", 2); err != nil || len(waiting) != 0 {
		t.Errorf("still waiting after publishing: %v %v", waiting, err)
	}
}

func TestAddDraft_OneBadRecordingRefusesAllAndStoresNothing(t *testing.T) {
	s, db, office, v2 := publishedNeeds(t)
	question := v2.Questions[1].Text
	// A translator reworded a question after version 1: members would read
	// her words, so a recording of the form's is refused.
	if err := s.SetText("en", question, "Which days do you work?", tina); err != nil {
		t.Fatal(err)
	}
	speech := testapp.Speech(t, "en", "What you need")
	recs := []studio.Recording{
		{Lang: "en", Key: "needs.title", File: "good.wav", Data: speech},
		{Lang: "ru", Key: "needs.title", File: "silent.wav", Data: testapp.Silence(t)},
		{Lang: "es", Key: "needs.title", File: "notes.txt", Data: []byte("not audio at all")},
		{Lang: "en", Key: "needs.nothing", File: "unknown.wav", Data: speech},
		{Lang: "xx", Key: "needs.title", File: "nolang.wav", Data: speech},
		{Lang: "en", Key: "needs.title", File: "twice.wav", Data: speech},
		{Lang: "en", Key: question, File: "reworded.wav", Data: testapp.Speech(t, "en", v2.Texts["en"][question])},
	}
	err := addDraft(s, office, v2, recs)
	var ve *studio.VoiceError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *VoiceError, got %v", err)
	}
	var files []string
	for _, r := range ve.Refused {
		files = append(files, r.File)
		if r.Reason == "" || r.Code == "" || r.Lang == "" || r.Key == "" {
			t.Errorf("refusal without its reason or phrase: %+v", r)
		}
	}
	want := []string{"silent.wav", "notes.txt", "unknown.wav", "nolang.wav", "twice.wav", "reworded.wav"}
	if len(files) != len(want) {
		t.Fatalf("refused %v, want %v", files, want)
	}
	for i := range want {
		if files[i] != want[i] {
			t.Errorf("refused %v, want %v", files, want)
			break
		}
	}
	if _, err := db.Version("needs", 2); err == nil {
		t.Error("the draft was stored without its recordings")
	}
	if waiting, err := db.DraftVoice("needs", 2); err != nil || len(waiting) != 0 {
		t.Errorf("recordings stored: %v %v", waiting, err)
	}
	if recs, _ := db.Recordings("en"); len(recs) != 0 {
		t.Errorf("recordings stored: %v", recs)
	}
	if log, _ := db.AuditLog(10); len(log) != 1 { // the text edit only
		t.Errorf("audit log: %+v", log)
	}

	// The office refuses a version that exists with other words, or
	// published, before anything is converted: no recording is refused,
	// the draft is.
	v1 := needs(t)
	v1.Texts["en"]["needs.title"] = "Other words"
	for name, v := range map[string]*domain.Survey{"other words": v1, "published": needs(t)} {
		err := addDraft(s, office, v, recs)
		if domain.ErrorCode(err) != domain.CodeInvalid || errors.As(err, &ve) {
			t.Errorf("an existing version with %s: %v", name, err)
		}
	}
	if recs, _ := db.Recordings("en"); len(recs) != 0 {
		t.Errorf("recordings stored: %v", recs)
	}
}

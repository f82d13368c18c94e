package studio_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"sova/assets"
	"sova/i18n"
	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/store"
	"sova/server/studio"
	"sova/server/voice"
)

// A studio over real Badger, Sova's shipped catalogs, packs and needs
// survey, converting real speech with real ffmpeg.
func newStudio(t *testing.T) (*studio.Studio, *store.DB) {
	t.Helper()
	sv := needs(t)
	return studioOver(t, func(*store.DB) func() []*domain.Survey {
		return func() []*domain.Survey { return []*domain.Survey{sv} }
	})
}

// studioOver is a studio over a new store, for the surveys members get
// from it.
func studioOver(t *testing.T, surveys func(*store.DB) func() []*domain.Survey) (*studio.Studio, *store.DB) {
	t.Helper()
	key := make([]byte, store.KeySize)
	db, err := store.Open(t.TempDir(), key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	day := func() time.Time { return time.Date(2026, 11, 28, 15, 4, 5, 0, time.UTC) }
	return studio.New(db, assets.Audio, cats, surveys(db), day), db
}

// needs is Sova's needs survey, as shipped.
func needs(t *testing.T) *domain.Survey {
	t.Helper()
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	sv, err := domain.ParseSurvey("needs.json", data, shippedIcons{})
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// shippedIcons: the needs survey's icons are checked where Sova imports it.
type shippedIcons struct{}

func (shippedIcons) HasIcon(string) bool { return true }

func phrase(t *testing.T, s *studio.Studio, lang, key string) studio.Phrase {
	t.Helper()
	all, err := s.Phrases(lang)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("%s has no phrase %s", lang, key)
	return studio.Phrase{}
}

func TestPhrases_EveryTextOfTheAppAndItsSurveysOnce(t *testing.T) {
	s, _ := newStudio(t)
	for _, cat := range s.Languages() {
		all, err := s.Phrases(cat.Lang)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range all {
			if seen[p.Key] {
				t.Errorf("%s: %s listed twice", cat.Lang, p.Key)
			}
			seen[p.Key] = true
			if p.Text == "" || p.Text != p.Shipped {
				t.Errorf("%s %s: text %q, shipped %q", cat.Lang, p.Key, p.Text, p.Shipped)
			}
			// Sova ships machine voice for every phrase; nothing is
			// recorded yet.
			if p.Voice != studio.Synthetic {
				t.Errorf("%s %s: voice %s, want synthetic", cat.Lang, p.Key, p.Voice)
			}
		}
		for _, key := range []string{"home.title", "lang.self", "needs.title", "voice.download"} {
			if !seen[key] {
				t.Errorf("%s: no phrase %s", cat.Lang, key)
			}
		}
		if p := phrase(t, s, cat.Lang, "needs.title"); p.Survey != "needs" {
			t.Errorf("needs.title belongs to %q", p.Survey)
		}
		cov, err := s.Coverage(cat.Lang)
		if err != nil || cov.Recorded != 0 || cov.Percent() != 0 || len(cov.Missing) != len(all) {
			t.Errorf("%s coverage %+v, %v", cat.Lang, cov, err)
		}
	}
	if _, err := s.Phrases("xx"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("unknown language: %v", err)
	}
}

func TestRecord_ARecordingWinsOverTheSyntheticVoice(t *testing.T) {
	s, db := newStudio(t)
	ctx := context.Background()
	if err := s.Record(ctx, "en", "home.title", tina, testapp.Speech(t, "en", "Hello! What would you like to do?")); err != nil {
		t.Fatal(err)
	}
	if p := phrase(t, s, "en", "home.title"); p.Voice != studio.Recorded || p.By != "tina" {
		t.Errorf("after recording: %+v", p)
	}
	if log, err := db.AuditLog(10); err != nil || len(log) != 1 || log[0].Action != "voice recorded" || log[0].Staff != "tina" || log[0].Target != "en/home.title" {
		t.Errorf("audit log after recording: %+v %v", log, err)
	}
	cov, _ := s.Coverage("en")
	if cov.Recorded != 1 || slices.ContainsFunc(cov.Missing, func(p studio.Phrase) bool { return p.Key == "home.title" }) {
		t.Errorf("coverage %d recorded; missing lists home.title: %v", cov.Recorded, cov.Missing)
	}

	// The member's pack has the recording, and other phrases as shipped.
	c, err := s.Content()
	if err != nil {
		t.Fatal(err)
	}
	pack := c.Packs["en"]
	ph := pack.Phrases["home.title"]
	rec, _ := db.Recordings("en")
	if ph.Source != voice.SourceRecorded || !slices.Equal(ph.Files, rec["home.title"].Phrase.Files) {
		t.Fatalf("pack phrase %+v", ph)
	}
	stored, err := db.RecordingData("en", "home.title")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ph.Files {
		data, err := pack.ReadFile(f.File)
		if err != nil || len(data) == 0 || !bytes.Equal(data, stored[f.File]) {
			t.Errorf("%s: %d bytes, %v", f.File, len(data), err)
		}
	}
	if pack.Phrases["nav.next"].Source != voice.SourceSynthetic {
		t.Error("other phrases lost their shipped voice")
	}
	if c.Packs["ru"].Phrases["home.title"].Source != voice.SourceSynthetic {
		t.Error("an English recording changed the Russian pack")
	}

	// A refused recording changes nothing.
	err = s.Record(ctx, "en", "home.title", tina, []byte("not a recording"))
	var se *studio.Error
	if !errors.As(err, &se) || se.Code != "recording.format" || domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("text as a recording: %v", err)
	}
	if again, _ := db.Recordings("en"); !slices.Equal(again["home.title"].Phrase.Files, rec["home.title"].Phrase.Files) {
		t.Error("a refused recording replaced the good one")
	}
	if err := s.Record(ctx, "en", "no.such.key", tina, testapp.Speech(t, "en", "Hello")); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("unknown key: %v", err)
	}
}

func TestSetText_EditsReachMembersAndLeaveWhatSovaShipsAlone(t *testing.T) {
	s, db := newStudio(t)
	ctx := context.Background()
	if err := s.Record(ctx, "ar", "home.outbox", tina, testapp.Speech(t, "ar", "في انتظار الإرسال")); err != nil {
		t.Fatal(err)
	}
	// Arabic words with shadda before the vowel mark: kept exactly as typed
	// (NFC would reorder them, and espeak-ng would misread the result).
	const words = "\u0627\u0644\u0635\u0651\u064e\u0648\u0652\u062a"
	if err := s.SetText("ar", "home.outbox", "  "+words+"\n", tina); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Texts("ar"); got["home.outbox"] == nil || got["home.outbox"].Text != words || got["home.outbox"].Day != "2026-11-28" {
		t.Fatalf("stored edit %+v", got["home.outbox"])
	}
	if p := phrase(t, s, "ar", "home.outbox"); p.Text != words || p.Voice != studio.Outdated {
		t.Errorf("after the edit: %+v", p)
	}
	if err := s.SetText("ar", "needs.title", "عنوان", tina); err != nil {
		t.Fatal(err)
	}
	c, err := s.Content()
	if err != nil {
		t.Fatal(err)
	}
	var ar *i18n.Catalog
	for _, cat := range c.Catalogs {
		if cat.Lang == "ar" {
			ar = cat
		}
	}
	if ar.T("home.outbox") != words || s.Catalog("ar").T("home.outbox") == words {
		t.Error("the edit should reach the built catalog and not the shipped one")
	}
	if c.Surveys[0].Texts["ar"]["needs.title"] != "عنوان" || c.Surveys[0].Texts["en"]["needs.title"] == "عنوان" {
		t.Error("the survey's Arabic title was not edited (or another language was)")
	}

	for _, bad := range []string{"", "   ", strings.Repeat("a", studio.MaxText+1), "\xff\xfe"} {
		if err := s.SetText("ar", "home.outbox", bad, tina); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("text %.20q: %v", bad, err)
		}
	}
	if p := phrase(t, s, "ar", "home.outbox"); p.Text != words {
		t.Error("a refused edit lost the good one")
	}
	// Sova's own words again: the edit is gone, the recording fits again.
	if err := s.SetText("ar", "home.outbox", phrase(t, s, "ar", "home.outbox").Shipped, tina); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Texts("ar"); len(got) != 1 { // only needs.title is left
		t.Errorf("edits left: %v", got)
	}
	if p := phrase(t, s, "ar", "home.outbox"); p.Voice != studio.Recorded {
		t.Errorf("back to the shipped words: %+v", p)
	}
}

// zipFiles reads a zip into memory.
func zipFiles(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// importZip imports a pack held in memory.
func importZip(s *studio.Studio, data []byte, lang string, by *domain.Staff) (*studio.ImportReport, error) {
	return s.Import(context.Background(), bytes.NewReader(data), int64(len(data)), lang, by)
}

func TestZip_ExportImportAndBackAgain(t *testing.T) {
	a, dbA := newStudio(t)
	var exported bytes.Buffer
	if err := a.Export(&exported, "en"); err != nil {
		t.Fatal(err)
	}
	files := zipFiles(t, exported.Bytes())
	var texts struct {
		Lang  string
		Texts map[string]string
	}
	if err := json.Unmarshal(files["texts.json"], &texts); err != nil || texts.Lang != "en" || texts.Texts["home.title"] != "Hello! What would you like to do?" {
		t.Fatalf("texts.json: %v %+v", err, texts)
	}
	m, err := voice.ParseManifest(files["manifest.json"])
	if err != nil {
		t.Fatal(err)
	}
	all, _ := a.Phrases("en")
	if len(m.Phrases) != len(all) || files["README.txt"] == nil {
		t.Fatalf("the zip has %d phrases of %d, README %v", len(m.Phrases), len(all), files["README.txt"] != nil)
	}
	for key, ph := range m.Phrases {
		for _, f := range ph.Files {
			if int64(len(files[f.File])) != f.Bytes {
				t.Fatalf("%s: %s has %d bytes in the zip, manifest says %d", key, f.File, len(files[f.File]), f.Bytes)
			}
		}
	}

	// Unchanged, it imports as nothing.
	rep, err := importZip(a, exported.Bytes(), "en", tina)
	if err != nil || len(rep.Texts)+len(rep.Recorded)+len(rep.Refused) != 0 || rep.Skipped == 0 {
		t.Fatalf("unchanged import: %+v %v", rep, err)
	}

	// A translator offline changes words and records into recordings/.
	texts.Texts["home.outbox"] = "Not sent yet"
	files["texts.json"], _ = json.Marshal(texts)
	files["recordings/home.title.wav"] = testapp.Speech(t, "en", "Hello! What would you like to do?")
	files["recordings/nav.next.txt"] = []byte("next")
	files["recordings/no.such.key.wav"] = testapp.Speech(t, "en", "Hello")
	rep, err = importZip(a, testapp.Zip(t, files), "en", tina)
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{}
	for _, r := range rep.Refused {
		refused[r.Key] = r.Reason
	}
	if !slices.Equal(rep.Texts, []string{"home.outbox"}) || !slices.Equal(rep.Recorded, []string{"home.title"}) ||
		len(refused) != 2 || !strings.Contains(refused["nav.next"], "not a sound recording") || refused["no.such.key"] == "" {
		t.Fatalf("import: %+v", rep)
	}
	if p := phrase(t, a, "en", "home.title"); p.Voice != studio.Recorded {
		t.Errorf("home.title after import: %+v", p)
	}
	// The import is one action in the audit log, named for who did it;
	// the import that changed nothing left none.
	if log, err := dbA.AuditLog(10); err != nil || len(log) != 1 || log[0].Action != "voice pack imported" || log[0].Staff != "tina" || log[0].Target != "en" {
		t.Errorf("audit log after imports: %+v %v", log, err)
	}

	// Another Sova takes A's recording and words from A's export, keeping
	// the words it was recorded for.
	var fromA bytes.Buffer
	if err := a.Export(&fromA, "en"); err != nil {
		t.Fatal(err)
	}
	b, dbB := newStudio(t)
	rep, err = importZip(b, fromA.Bytes(), "en", sam)
	if err != nil || !slices.Equal(rep.Recorded, []string{"home.title"}) || !slices.Equal(rep.Texts, []string{"home.outbox"}) || len(rep.Refused) != 0 {
		t.Fatalf("import into another Sova: %+v %v", rep, err)
	}
	recA, _ := dbA.Recordings("en")
	recB, _ := dbB.Recordings("en")
	if recB["home.title"].Phrase.TextSha256 != recA["home.title"].Phrase.TextSha256 || phrase(t, b, "en", "home.title").Voice != studio.Recorded {
		t.Error("the imported recording lost the words it was recorded for")
	}

	// Not a pack of this language, or not a zip at all: refused whole.
	if _, err := importZip(b, fromA.Bytes(), "ru", sam); err == nil || !strings.Contains(err.Error(), `pack of "en"`) {
		t.Errorf("an English pack imported as Russian: %v", err)
	}
	if _, err := importZip(b, []byte("PK\x03\x04 not really"), "en", sam); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("not a zip: %v", err)
	}
	// Unzipped and zipped again in its folder, it is still the pack; a zip
	// of anything else is refused whole.
	inFolder := map[string][]byte{}
	for name, data := range zipFiles(t, fromA.Bytes()) {
		inFolder["sova-voice-en/"+name] = data
	}
	inFolder["sova-voice-en/recordings/nav.next.wav"] = testapp.Speech(t, "en", "Next")
	if rep, err := importZip(b, testapp.Zip(t, inFolder), "en", sam); err != nil || !slices.Equal(rep.Recorded, []string{"nav.next"}) {
		t.Errorf("a pack in a folder: %+v %v", rep, err)
	}
	if _, err := importZip(b, testapp.Zip(t, map[string][]byte{"photos/a.jpg": []byte("jpeg")}), "en", sam); err == nil || !strings.Contains(err.Error(), "is it a Sova voice pack?") {
		t.Errorf("a zip of photos: %v", err)
	}

	// An old export never undoes newer work: words edited here since are
	// neither reverted nor overwritten, and a recording made here is not
	// replaced by the pack's.
	var old bytes.Buffer
	if err := b.Export(&old, "en"); err != nil {
		t.Fatal(err)
	}
	if err := b.SetText("en", "nav.back", "Go back", sam); err != nil {
		t.Fatal(err)
	}
	if rep, err := importZip(b, old.Bytes(), "en", sam); err != nil || len(rep.Texts)+len(rep.Recorded) != 0 {
		t.Errorf("the old pack, unchanged: %+v %v", rep, err)
	}
	files = zipFiles(t, old.Bytes())
	var tf struct {
		Lang   string            `json:"lang"`
		Texts  map[string]string `json:"texts"`
		Was    map[string]string `json:"was"`
		Edited []string          `json:"edited"`
	}
	json.Unmarshal(files["texts.json"], &tf)
	tf.Texts["nav.back"] = "Back again"
	files["texts.json"], _ = json.Marshal(tf)
	rep, err = importZip(b, testapp.Zip(t, files), "en", sam)
	if err != nil || len(rep.Texts) != 0 || len(rep.Refused) != 1 || !strings.Contains(rep.Refused[0].Reason, "changed here since") {
		t.Errorf("a text changed on both sides: %+v %v", rep, err)
	}
	if p := phrase(t, b, "en", "nav.back"); p.Text != "Go back" {
		t.Errorf("nav.back became %q", p.Text)
	}

	// A manifest entry whose file was swapped is refused alone.
	files = zipFiles(t, fromA.Bytes())
	files["home.title.webm"] = files["nav.next.webm"]
	c, _ := newStudio(t)
	rep, err = importZip(c, testapp.Zip(t, files), "en", sam)
	if err != nil || len(rep.Recorded) != 0 || len(rep.Refused) != 1 || rep.Refused[0].Key != "home.title" {
		t.Errorf("a swapped file: %+v %v", rep, err)
	}
}

// Two translators, as the studio knows them: their id is kept with their
// work, their login names them in the audit log.
var (
	tina = &domain.Staff{ID: "tina", Login: "tina", Roles: []domain.Role{domain.RoleTranslator}}
	sam  = &domain.Staff{ID: "sam", Login: "sam", Roles: []domain.Role{domain.RoleTranslator}}
)

// Every phrase of every language is on exactly one screen, and Sova's own
// catalogs leave none unplaced; each question of the needs survey is a
// screen of its own, with its words, its choices and their icons, and the
// English it is translated from.
func TestScreens_EveryPhraseOnceWhereAMemberMeetsIt(t *testing.T) {
	s, _ := newStudio(t)
	for _, cat := range s.Languages() {
		phrases, err := s.Phrases(cat.Lang)
		if err != nil {
			t.Fatal(err)
		}
		screens, err := s.Screens(cat.Lang)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		ids := map[string]bool{}
		for _, sc := range screens {
			if ids[sc.ID] {
				t.Errorf("%s: two screens %s", cat.Lang, sc.ID)
			}
			ids[sc.ID] = true
			if sc.ID == "other" {
				t.Errorf("%s: phrases no screen claims: %v", cat.Lang, keysOf(sc.Phrases))
			}
			for _, p := range sc.Phrases {
				if other, dup := seen[p.Key]; dup {
					t.Errorf("%s: %s on %s and %s", cat.Lang, p.Key, other, sc.ID)
				}
				seen[p.Key] = sc.ID
				if cat.Lang != "en" && (p.Source == "" || p.SourceLang != "en") {
					t.Errorf("%s: %s has no English beside it", cat.Lang, p.Key)
				}
			}
		}
		if len(seen) != len(phrases) {
			t.Errorf("%s: %d phrases on screens, %d phrases", cat.Lang, len(seen), len(phrases))
		}
		q := screenOf(t, screens, "s-needs-phone")
		if q.Kind != studio.ScreenSurvey || q.Number != 3 || q.Of != 26 || q.Title == "" {
			t.Errorf("%s: the phone question's screen: %+v", cat.Lang, q)
		}
		if got := keysOf(q.Phrases); !slices.Equal(got, []string{"needs.phone", "needs.phone.smartphone", "needs.phone.basic", "needs.phone.shared", "needs.phone.none"}) {
			t.Errorf("%s: the phone question's phrases %v", cat.Lang, got)
		}
		if q.Phrases[0].Icon != "phone" {
			t.Errorf("%s: the question's icon %q", cat.Lang, q.Phrases[0].Icon)
		}
		if first := screenOf(t, screens, "s-needs-find_clients"); first.Phrases[0].Key != "needs.title" {
			t.Errorf("%s: the survey's title is not on its first screen: %v", cat.Lang, keysOf(first.Phrases))
		}
		if home := screenOf(t, screens, "home"); !slices.Contains(keysOf(home.Phrases), "outbox.waiting.10") {
			t.Errorf("%s: home lacks the counts it says: %v", cat.Lang, keysOf(home.Phrases))
		}
	}
	en, _ := s.Screens("en")
	ru, _ := s.Screens("ru")
	if p, want := screenOf(t, ru, "s-needs-phone").Phrases[0], screenOf(t, en, "s-needs-phone").Phrases[0]; p.Source != want.Text || p.Text == want.Text || want.Source != "" {
		t.Errorf("needs.phone: ru %q from %q; en %q", p.Text, p.Source, want.Text)
	}
}

func screenOf(t *testing.T, screens []studio.Screen, id string) studio.Screen {
	t.Helper()
	for _, sc := range screens {
		if sc.ID == id {
			return sc
		}
	}
	t.Fatalf("no screen %s", id)
	return studio.Screen{}
}

func keysOf(ps []studio.Phrase) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	return out
}

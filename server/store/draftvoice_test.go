package store_test

import (
	"errors"
	"testing"

	"sova/server/domain"
	"sova/server/store"
	"sova/server/voice"
)

// draftRec is a converted recording of key, whose one file holds data.
func draftRec(key, data string) store.DraftRecording {
	file := key + ".webm"
	return store.DraftRecording{Lang: "en", Key: key, Recording: &store.Recording{
		Phrase: voice.Phrase{Source: voice.SourceRecorded, TextSha256: voice.TextSha256(data), Files: []voice.File{{File: file}}},
		Data:   map[string][]byte{file: []byte(data)},
	}}
}

// waiting counts the recordings waiting for version v of needs.
func waiting(t *testing.T, db *store.DB, v int) int {
	t.Helper()
	w, err := db.DraftVoice("needs", v)
	if err != nil {
		t.Fatal(err)
	}
	return len(w["en"])
}

// heard is what members hear for key: the file of its recording, or "".
func heard(t *testing.T, db *store.DB, key string) string {
	t.Helper()
	data, err := db.RecordingData("en", key)
	if err != nil {
		t.Fatal(err)
	}
	return string(data[key+".webm"])
}

func TestSetState_PublishingMakesTheDraftsVoiceMembersAtOnce(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	if err := db.PutSurvey(survey("needs", 1)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDraftWithVoice(survey("needs", 2), []store.DraftRecording{draftRec("t.title", "v2 title"), draftRec("t.police", "v2 police")}); err != nil {
		t.Fatal(err)
	}
	// Reading is not publishing: what waits, waits.
	if waiting(t, db, 2) != 2 || heard(t, db, "t.title") != "" {
		t.Fatalf("before publishing: %d waiting, members hear %q", waiting(t, db, 2), heard(t, db, "t.title"))
	}
	if err := db.SetState("needs", 2, domain.SurveyPublished); err != nil {
		t.Fatal(err)
	}
	if heard(t, db, "t.title") != "v2 title" || heard(t, db, "t.police") != "v2 police" || waiting(t, db, 2) != 0 {
		t.Errorf("after publishing: members hear %q and %q, %d still waiting", heard(t, db, "t.title"), heard(t, db, "t.police"), waiting(t, db, 2))
	}
	// Retiring and publishing again moves nothing more: the voice moved once.
	if err := db.SetState("needs", 2, domain.SurveyRetired); err != nil {
		t.Fatal(err)
	}
	if heard(t, db, "t.title") != "v2 title" {
		t.Error("retiring took the recordings away")
	}
}

func TestDraftVoice_GoesWithADraftReplacedOrPassedOver(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	put := func(v int, recs ...store.DraftRecording) {
		t.Helper()
		if err := db.PutDraftWithVoice(survey("needs", v), recs); err != nil {
			t.Fatal(err)
		}
	}

	// The same draft uploaded again keeps the recordings of that upload
	// only, none if it brings none.
	put(1, draftRec("t.title", "first"), draftRec("t.police", "first"))
	put(1, draftRec("t.title", "second"))
	if waiting(t, db, 1) != 1 {
		t.Errorf("uploaded again with one recording: %d waiting", waiting(t, db, 1))
	}
	if err := db.PutDraft(survey("needs", 1)); err != nil {
		t.Fatal(err)
	}
	if waiting(t, db, 1) != 0 {
		t.Errorf("uploaded again without recordings: %d waiting", waiting(t, db, 1))
	}

	// A draft retired without being published never speaks.
	put(1, draftRec("t.title", "v1"))
	if err := db.SetState("needs", 1, domain.SurveyRetired); err != nil {
		t.Fatal(err)
	}
	if waiting(t, db, 1) != 0 || heard(t, db, "t.title") != "" {
		t.Errorf("a retired draft: %d waiting, members hear %q", waiting(t, db, 1), heard(t, db, "t.title"))
	}

	// Publishing version 3 passes over the draft of version 2: members
	// get the newest published version, so version 2's recordings could
	// only speak for version 3's words.
	put(2, draftRec("t.title", "v2"))
	put(3, draftRec("t.police", "v3"))
	if err := db.SetState("needs", 3, domain.SurveyPublished); err != nil {
		t.Fatal(err)
	}
	if waiting(t, db, 2) != 0 || heard(t, db, "t.title") != "" || heard(t, db, "t.police") != "v3" {
		t.Errorf("a draft passed over: %d waiting, members hear %q and %q", waiting(t, db, 2), heard(t, db, "t.title"), heard(t, db, "t.police"))
	}
	// Publishing it now would not give members its words either.
	if err := db.SetState("needs", 2, domain.SurveyPublished); err != nil {
		t.Fatal(err)
	}
	if heard(t, db, "t.title") != "" {
		t.Error("an older version's publishing gave its voice to the newer one's words")
	}

	// A version members may have met never changes, its voice included.
	if err := db.PutDraftWithVoice(survey("needs", 3), []store.DraftRecording{draftRec("t.title", "late")}); !errors.Is(err, domain.ErrVersionExists) {
		t.Errorf("recordings for a published version: %v, want ErrVersionExists", err)
	}
	if waiting(t, db, 3) != 0 || heard(t, db, "t.title") != "" {
		t.Error("recordings for a published version were kept")
	}
}

// A draft uploaded under a newer published version waits for nothing: no
// change of state comes to drop its voice, so the hourly settling does.
func TestSettleDraftVoice_DropsWhatCanNeverSpeak(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	if err := db.PutSurvey(survey("needs", 2)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDraftWithVoice(survey("needs", 1), []store.DraftRecording{draftRec("t.title", "v1")}); err != nil {
		t.Fatal(err)
	}
	if taken, dropped, err := db.SettleDraftVoice(); err != nil || taken != 0 || dropped != 1 {
		t.Errorf("settling: %d taken, %d dropped, %v; want 1 dropped", taken, dropped, err)
	}
	if waiting(t, db, 1) != 0 || heard(t, db, "t.title") != "" {
		t.Errorf("after settling: %d waiting, members hear %q", waiting(t, db, 1), heard(t, db, "t.title"))
	}
	if taken, dropped, err := db.SettleDraftVoice(); err != nil || taken+dropped != 0 {
		t.Errorf("settling again: %d taken, %d dropped, %v", taken, dropped, err)
	}
}

package store

import (
	"log/slog"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
	"sova/server/voice"
)

// An older Sova moved a draft's voice when the site was next built after
// publishing, which a full disk could refuse: the voice of a version it
// published may still wait, and settling (at start) makes it members'.
func TestSettleDraftVoice_TakesWhatAnOlderSovaLeftWaiting(t *testing.T) {
	dir, key := t.TempDir(), make([]byte, KeySize)
	db, err := Open(dir, key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sv := &domain.Survey{ID: "needs", Version: 1, Languages: []string{"en"}, Title: "t.title",
		Texts: map[string]map[string]string{"en": {"t.title": "Title"}}}
	rec := &Recording{Phrase: voice.Phrase{Source: voice.SourceRecorded, Files: []voice.File{{File: "t.title.webm"}}},
		Data: map[string][]byte{"t.title.webm": []byte("voice")}}
	if err := db.PutDraftWithVoice(sv, []DraftRecording{{Lang: "en", Key: "t.title", Recording: rec}}); err != nil {
		t.Fatal(err)
	}
	// Published as the older Sova did: the state alone.
	if err := db.update(func(txn *badger.Txn) error {
		return txn.Set([]byte(statePrefix+stateKey("needs", 1)), []byte(domain.SurveyPublished))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(dir, key, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	if taken, dropped, err := db.SettleDraftVoice(); err != nil || taken != 1 || dropped != 0 {
		t.Fatalf("settling: %d taken, %d dropped, %v; want 1 taken", taken, dropped, err)
	}
	if data, err := db.RecordingData("en", "t.title"); err != nil || string(data["t.title.webm"]) != "voice" {
		t.Errorf("members hear %q, %v", data["t.title.webm"], err)
	}
}

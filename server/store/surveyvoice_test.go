package store_test

import (
	"fmt"
	"slices"
	"testing"

	"sova/server/domain"
	"sova/server/store"
	"sova/server/voice"
)

// recorded is a person's recording of text, in Opus and MP3, each file's
// bytes naming what it is.
func recorded(key, text string) *store.Recording {
	ph := voice.Phrase{Source: voice.SourceRecorded, TextSha256: voice.TextSha256(text)}
	data := map[string][]byte{}
	for _, f := range []voice.File{{File: key + ".mp3", Codec: voice.CodecMP3}, {File: key + ".webm", Codec: voice.CodecOpus}} {
		ph.Files = append(ph.Files, f)
		data[f.File] = []byte(text + " in " + f.Codec)
	}
	return &store.Recording{Phrase: ph, Data: data}
}

// A version's voice is the recordings of its own words: its draft's first,
// then the studio's; not a recording of other words, nor a synthetic one.
func TestSurveyVoice_IsTheRecordingsOfTheVersionsOwnWords(t *testing.T) {
	db := openDB(t, t.TempDir(), newKey(t))
	sv := &domain.Survey{ID: "clinic", Version: 2, Languages: []string{"en", "ru"}, Title: "clinic.title", Icon: "clinic",
		Questions: []domain.Question{{ID: "late", Type: domain.YesNo, Text: "clinic.late", Icon: "clock"}},
		Texts: map[string]map[string]string{
			"en": {"clinic.title": "The clinic", "clinic.late": "Did you wait long?"},
			"ru": {"clinic.title": "Клиника", "clinic.late": "Вы долго ждали?"},
		}}
	synthetic := recorded("clinic.title", "Клиника")
	synthetic.Phrase.Source = voice.SourceSynthetic
	for _, r := range []struct {
		lang, key string
		rec       *store.Recording
	}{
		{"en", "clinic.title", recorded("clinic.title", "The clinic")},
		{"en", "clinic.late", recorded("clinic.late", "Did you wait long at all?")}, // version 1's words
		{"ru", "clinic.title", synthetic},
		{"ru", "clinic.late", recorded("clinic.late", "Вы долго ждали?")},
	} {
		if err := db.PutRecording(r.lang, r.key, r.rec); err != nil {
			t.Fatal(err)
		}
	}
	draft := []store.DraftRecording{{Lang: "en", Key: "clinic.late", Recording: recorded("clinic.late", "Did you wait long?")}}
	if err := db.PutDraftWithVoice(sv, draft); err != nil {
		t.Fatal(err)
	}
	got, err := db.SurveyVoice(sv)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, v := range got {
		data, err := db.PhraseVoiceData(v)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s: %s", v.Lang, v.Key, v.File.File, data))
	}
	want := []string{
		"en clinic.title clinic.title.webm: The clinic in opus",
		"en clinic.late clinic.late.webm: Did you wait long? in opus",
		"ru clinic.late clinic.late.webm: Вы долго ждали? in opus",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("voice:\n%q\nwant\n%q", lines, want)
	}
}

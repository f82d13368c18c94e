package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
	"sova/server/voice"
)

// The translators' work: recordings under vr/<lang>/<key>, edited texts under
// vt/<lang>/<key>. Both outrank what Sova ships (assets/audio, i18n and the
// built-in surveys) until they are removed. The voice Sova speaks itself
// for the organisation's own words (service names, information pages, area
// names) sits on a shelf of its own, vs/ and vsd/, under the recordings.
const (
	recordingPrefix = "vr/"
	audioPrefix     = "vd/"
	textPrefix      = "vt/"
	spokenPrefix    = "vs/"
	spokenAudio     = "vsd/"
)

// Recording is a translator's recording of one phrase, converted to the pack
// formats: its description (source recorded, the hash of the text read out,
// the files) and the files' bytes by name, kept as one value so a phrase is
// whole or absent. The voice is a staff member's, never a member's.
type Recording struct {
	Phrase voice.Phrase
	// Data is kept apart (vd/<lang>/<key>/<file>, raw bytes), so that
	// listing a language's recordings reads no audio; Recordings leaves it
	// nil and RecordingData reads it.
	Data map[string][]byte `json:"-"`
	By   string            // staff id
	Day  string            // YYYY-MM-DD
	// From is the hex SHA-256 of the file it was converted from, so the
	// same file imported again is known and not converted again.
	From string
}

// TextEdit is a translator's wording of one phrase, in place of the shipped
// one.
type TextEdit struct {
	Text string
	By   string
	Day  string
}

func phraseKey(prefix, lang, key string) string { return prefix + lang + "/" + key }

// PutRecording stores (or replaces) the recording of lang's phrase key,
// its description and its files in one transaction.
func (s *DB) PutRecording(lang, key string, r *Recording, audit ...domain.AuditEntry) error {
	return s.putVoice(recordingPrefix, audioPrefix, lang, key, r, audit...)
}

// RecordingData reads the files of lang's recording of key, by file name.
func (s *DB) RecordingData(lang, key string) (map[string][]byte, error) {
	return s.voiceData(audioPrefix, lang, key)
}

// Recordings returns every recording of lang, by phrase key.
func (s *DB) Recordings(lang string) (map[string]*Recording, error) {
	return scanPhrases[Recording](s, recordingPrefix, lang)
}

// PutSpoken stores the voice Sova synthesized for lang's phrase key of the
// organisation's own words.
func (s *DB) PutSpoken(lang, key string, r *Recording) error {
	return s.putVoice(spokenPrefix, spokenAudio, lang, key, r)
}

// SpokenData reads the files of lang's synthesized phrase key.
func (s *DB) SpokenData(lang, key string) (map[string][]byte, error) {
	return s.voiceData(spokenAudio, lang, key)
}

// Spoken returns every synthesized phrase of lang, by key.
func (s *DB) Spoken(lang string) (map[string]*Recording, error) {
	return scanPhrases[Recording](s, spokenPrefix, lang)
}

// DeleteSpoken removes lang's synthesized phrase key and its files (its
// words were taken off the app).
func (s *DB) DeleteSpoken(lang, key string) error {
	files := phraseKey(spokenAudio, lang, key) + "/"
	var keys [][]byte
	err := s.prefixScan([]byte(files), func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		for _, k := range append(keys, []byte(phraseKey(spokenPrefix, lang, key))) {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) putVoice(meta, audio, lang, key string, r *Recording, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return putVoiceTxn(txn, meta, audio, lang, key, r) })
}

// putVoiceTxn writes a phrase's description under meta and its files under
// audio.
func putVoiceTxn(txn *badger.Txn, meta, audio, lang, key string, r *Recording) error {
	if err := setJSON(txn, phraseKey(meta, lang, key), r, 0); err != nil {
		return err
	}
	for _, f := range r.Phrase.Files {
		if err := txn.Set([]byte(phraseKey(audio, lang, key)+"/"+f.File), r.Data[f.File]); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) voiceData(audio, lang, key string) (map[string][]byte, error) {
	prefix := phraseKey(audio, lang, key) + "/"
	out := map[string][]byte{}
	err := s.prefixScan([]byte(prefix), func(k, v []byte) error {
		out[string(k[len(prefix):])] = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// PutText stores a translator's text for lang's phrase key.
func (s *DB) PutText(lang, key string, t *TextEdit, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, phraseKey(textPrefix, lang, key), t, 0) })
}

// DeleteText goes back to the shipped text of lang's phrase key.
func (s *DB) DeleteText(lang, key string, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return txn.Delete([]byte(phraseKey(textPrefix, lang, key))) })
}

// Texts returns every edited text of lang, by phrase key.
func (s *DB) Texts(lang string) (map[string]*TextEdit, error) {
	return scanPhrases[TextEdit](s, textPrefix, lang)
}

// scanAll decodes every JSON value under prefix, in key order.
func scanAll[T any](s *DB, prefix string) ([]*T, error) {
	return viewing(s, func(txn *badger.Txn) ([]*T, error) { return scanTxn[T](txn, prefix) })
}

func scanPhrases[T any](s *DB, prefix, lang string) (map[string]*T, error) {
	out := map[string]*T{}
	err := s.scanJSON(prefix+lang+"/", func(key string, dec func(any) error) error {
		v := new(T)
		if err := dec(v); err != nil {
			return err
		}
		out[key] = v
		return nil
	})
	return out, err
}

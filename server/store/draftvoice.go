package store

import (
	"errors"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// A draft's voice: recordings that came with a survey version before it was
// published (an XLSForm's media::audio), described under
// vq/<id>/<version>/<lang>/<key> and their files under vqd/. They wait on
// this shelf, not among the recordings, because a survey's versions share
// their phrase keys: a draft's recording of new words must not speak for
// the published version's old ones, nor reach members before the draft.
// TakeDraftVoice moves them once the version is published.
const (
	draftVoicePrefix = "vq/"
	draftAudioPrefix = "vqd/"
)

// DraftRecording is one recording that comes with a draft: lang's phrase
// key, converted.
type DraftRecording struct {
	Lang, Key string
	Recording *Recording
}

// shelf is where a version's recordings wait, below either prefix.
func shelf(id string, version int) string { return stateKey(id, version) + "/" }

// PutDraftWithVoice stores sv as a draft (as PutDraft does) with its
// recordings, in one transaction: the draft is kept with all of them or not
// at all. The same draft uploaded again keeps the recordings of this upload
// only.
func (s *DB) PutDraftWithVoice(sv *domain.Survey, recs []DraftRecording, audit ...domain.AuditEntry) error {
	at := shelf(sv.ID, sv.Version)
	return s.putSurvey(sv, domain.SurveyDraft, func(txn *badger.Txn) error {
		if _, err := moveUnder(txn, draftVoicePrefix+at, ""); err != nil {
			return err
		}
		if _, err := moveUnder(txn, draftAudioPrefix+at, ""); err != nil {
			return err
		}
		for _, r := range recs {
			if err := putVoiceTxn(txn, draftVoicePrefix+at, draftAudioPrefix+at, r.Lang, r.Key, r.Recording); err != nil {
				return err
			}
		}
		return nil
	}, audit...)
}

// DraftVoice returns the recordings waiting for a version, by language and
// phrase key, without their files.
func (s *DB) DraftVoice(id string, version int) (map[string]map[string]*Recording, error) {
	prefix := draftVoicePrefix + shelf(id, version)
	out := map[string]map[string]*Recording{}
	err := s.scanJSON(prefix, func(name string, dec func(any) error) error {
		r := new(Recording)
		if err := dec(r); err != nil {
			return err
		}
		lang, key, _ := strings.Cut(name, "/")
		if out[lang] == nil {
			out[lang] = map[string]*Recording{}
		}
		out[lang][key] = r
		return nil
	})
	return out, err
}

// TakeDraftVoice makes the recordings that came with a version its
// phrases' recordings, each replacing the one its key had, and empties the
// shelf, in one transaction: for a version now published. It says how many
// it moved; a version with none costs one read and writes nothing.
func (s *DB) TakeDraftVoice(id string, version int) (int, error) {
	at := shelf(id, version)
	waiting := false
	err := s.prefixScan([]byte(draftVoicePrefix+at), func(_, _ []byte) error {
		waiting = true
		return errStop
	})
	if !waiting || err != nil && !errors.Is(err, errStop) {
		return 0, err
	}
	var n int
	err = s.update(func(txn *badger.Txn) error {
		var err error
		if n, err = moveUnder(txn, draftVoicePrefix+at, recordingPrefix); err != nil {
			return err
		}
		_, err = moveUnder(txn, draftAudioPrefix+at, audioPrefix)
		return err
	})
	return n, err
}

// errStop ends a scan at its first key.
var errStop = errors.New("scan stopped")

// moveUnder moves every key under from to the same name under to, or
// deletes it where to is "", and says how many.
func moveUnder(txn *badger.Txn, from, to string) (int, error) {
	type kv struct{ k, v []byte }
	var all []kv
	err := eachUnder(txn, []byte(from), func(k, v []byte) error {
		all = append(all, kv{append([]byte(nil), k...), append([]byte(nil), v...)})
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, e := range all {
		if to != "" {
			if err := txn.Set(append([]byte(to), e.k[len(from):]...), e.v); err != nil {
				return 0, err
			}
		}
		if err := txn.Delete(e.k); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

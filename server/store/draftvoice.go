package store

import (
	"strconv"
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
// Whatever changes a version's state settles its survey's shelves in the
// same transaction (fate), so no read ever moves voice.
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
// only. Recordings for a version stored already as other than a draft are
// refused (domain.ErrVersionExists): a version members may have met never
// changes, and the shelf is emptied for good when a version leaves draft.
func (s *DB) PutDraftWithVoice(sv *domain.Survey, recs []DraftRecording, audit ...domain.AuditEntry) error {
	at := shelf(sv.ID, sv.Version)
	return s.putSurvey(sv, domain.SurveyDraft, func(txn *badger.Txn) error {
		if len(recs) > 0 {
			st, err := stateIn(txn, sv.ID, sv.Version)
			if err != nil {
				return err
			}
			if st != domain.SurveyDraft {
				return domain.ErrVersionExists
			}
		}
		if _, err := settleShelf(txn, at, drop); err != nil {
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

// stateIn reads a version's state in txn, its own writes included.
func stateIn(txn *badger.Txn, id string, version int) (domain.SurveyState, error) {
	item, err := txn.Get([]byte(statePrefix + stateKey(id, version)))
	if err != nil {
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return domain.SurveyState(v), err
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

// A shelf's fate: what becomes of the voice waiting for a version.
type shelfFate int

const (
	wait shelfFate = iota
	take           // it becomes the version's phrases' recordings
	drop
)

// fate is what becomes of the voice waiting for version v of a survey
// whose versions are in states. Members get a survey's newest published
// version (LatestSurvey), so the voice waits while v is a draft that
// publishing would make that; it becomes v's recordings once v is
// published and is that; and it is dropped once publishing v cannot make
// it that (a newer version is published: its recordings would speak for
// that version's words), or v is retired or gone without having been.
func fate(states map[int]domain.SurveyState, v int) shelfFate {
	for w, st := range states {
		if w > v && st == domain.SurveyPublished {
			return drop
		}
	}
	switch states[v] {
	case domain.SurveyDraft:
		return wait
	case domain.SurveyPublished:
		return take
	}
	return drop
}

// settleShelf takes or drops the voice on the shelf at (below both
// prefixes), and says how many recordings it was.
func settleShelf(txn *badger.Txn, at string, f shelfFate) (int, error) {
	if f == wait {
		return 0, nil
	}
	meta, audio := recordingPrefix, audioPrefix
	if f == drop {
		meta, audio = "", ""
	}
	n, err := moveUnder(txn, draftVoicePrefix+at, meta)
	if err != nil {
		return 0, err
	}
	_, err = moveUnder(txn, draftAudioPrefix+at, audio)
	return n, err
}

// shelves lists the versions with voice waiting below prefix (vq/ for
// every survey, vq/<id>/ for one), by survey id. It reads keys only.
func shelves(txn *badger.Txn, prefix string) map[string][]int {
	out := map[string][]int{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	for it.Rewind(); it.Valid(); {
		// vq/<id>/<version, 8 digits>/<lang>/<key>
		rest := strings.TrimPrefix(string(it.Item().Key()), draftVoicePrefix)
		id, rest, _ := strings.Cut(rest, "/")
		num, _, _ := strings.Cut(rest, "/")
		if v, err := strconv.Atoi(num); err == nil {
			out[id] = append(out[id], v)
		}
		// On to the next version's shelf.
		it.Seek([]byte(draftVoicePrefix + id + "/" + num + "/\xff"))
	}
	return out
}

// statesOf is every version of survey id and its state, as the cache has
// them.
func (s *DB) statesOf(id string) map[int]domain.SurveyState {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	out := map[int]domain.SurveyState{}
	for v := range s.surveys.byID[id] {
		out[v] = s.surveys.state[stateKey(id, v)]
	}
	return out
}

// settleSurvey settles, in txn, the shelves of survey id whose versions
// are in states: for a change of state, in its transaction.
func settleSurvey(txn *badger.Txn, id string, states map[int]domain.SurveyState) error {
	for _, v := range shelves(txn, draftVoicePrefix+id+"/")[id] {
		if _, err := settleShelf(txn, shelf(id, v), fate(states, v)); err != nil {
			return err
		}
	}
	return nil
}

// SettleDraftVoice settles every shelf by its version's state as it is
// now, a version at a time, and says how many recordings became members'
// voice and how many were dropped. A change of state settles its survey
// itself; what is left for this is voice an older Sova left waiting (it
// moved voice when the site was next built, which a full disk could
// refuse), and a draft's voice once a newer version was published before
// the draft was uploaded. Nothing to settle writes nothing.
func (s *DB) SettleDraftVoice() (taken, dropped int, err error) {
	var todo map[string][]int
	if err := s.db.View(func(txn *badger.Txn) error {
		todo = shelves(txn, draftVoicePrefix)
		return nil
	}); err != nil {
		return 0, 0, err
	}
	for id, versions := range todo {
		states := s.statesOf(id)
		for _, v := range versions {
			f := fate(states, v)
			if f == wait {
				continue
			}
			var n int
			if err := s.update(func(txn *badger.Txn) (err error) {
				n, err = settleShelf(txn, shelf(id, v), f)
				return err
			}); err != nil {
				return taken, dropped, err
			}
			if f == take {
				taken += n
			} else {
				dropped += n
			}
		}
	}
	return taken, dropped, nil
}

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

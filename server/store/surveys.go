package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Survey definitions live under s/<id>/<version, zero-padded> so that a
// prefix scan yields the versions in order. A published version never
// changes: answers are stored against it.
const surveyPrefix = "s/"

func surveyKey(id string, version int) []byte {
	return fmt.Appendf(nil, "%s%s/%08d", surveyPrefix, id, version)
}

// Each version's state lives under ss/<id>/<version>: a new upload is a
// draft; publishing shows it to members; retiring hides it. Answers are
// accepted for published and retired versions (phones may hold answers to
// a version for weeks), never for drafts.
const statePrefix = "ss/"

// surveyCache keeps every definition in memory: they are small, few, and
// read for every response that arrives.
type surveyCache struct {
	mu    sync.RWMutex
	byID  map[string]map[int]*domain.Survey
	state map[string]domain.SurveyState // "<id>/<version>" → state
}

func stateKey(id string, version int) string { return fmt.Sprintf("%s/%08d", id, version) }

// PutSurvey stores a validated definition as published (for built-in
// surveys and tests). Putting the same definition again does nothing, so
// built-in surveys can be imported at every start.
func (s *DB) PutSurvey(sv *domain.Survey) error { return s.putSurvey(sv, domain.SurveyPublished, nil) }

// PutDraft stores an uploaded definition as a draft, without voice: the
// same draft again drops what voice came with it before
// (PutDraftWithVoice).
func (s *DB) PutDraft(sv *domain.Survey, audit ...domain.AuditEntry) error {
	return s.PutDraftWithVoice(sv, nil, audit...)
}

// putSurvey stores sv in state initial, unless it is stored already, and
// runs also (when set) in the same transaction: what comes with the
// version is kept with it or not at all.
func (s *DB) putSurvey(sv *domain.Survey, initial domain.SurveyState, also func(*badger.Txn) error, audit ...domain.AuditEntry) error {
	val, err := json.Marshal(sv)
	if err != nil {
		return err
	}
	key := surveyKey(sv.ID, sv.Version)
	// The built-in surveys are put at every start: the same one again is
	// no write at all, so a start on a full disk still serves.
	if old, err := s.get(key); err == nil && bytes.Equal(old, val) && len(audit) == 0 && also == nil {
		return nil
	}
	err = s.audited(audit, func(txn *badger.Txn) error {
		if err := putVersion(txn, key, val, stateKey(sv.ID, sv.Version), initial); err != nil {
			return err
		}
		if also != nil {
			return also(txn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.cacheSurvey(sv)
	s.surveys.mu.Lock()
	if _, ok := s.surveys.state[stateKey(sv.ID, sv.Version)]; !ok {
		s.surveys.state[stateKey(sv.ID, sv.Version)] = initial
	}
	s.surveys.mu.Unlock()
	return nil
}

// putVersion stores a definition and its first state, or nothing where
// the same definition is stored already.
func putVersion(txn *badger.Txn, key, val []byte, state string, initial domain.SurveyState) error {
	item, err := txn.Get(key)
	if err == nil {
		return item.Value(func(old []byte) error {
			if !bytes.Equal(old, val) {
				return domain.ErrVersionExists
			}
			return nil
		})
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	if err := txn.Set([]byte(statePrefix+state), []byte(initial)); err != nil {
		return err
	}
	return txn.Set(key, val)
}

// SetState publishes, retires or un-retires a stored version. The voice
// that came with the survey's drafts follows in the same transaction
// (fate): publishing a version makes its voice members' at once, and
// drops the voice of the older drafts it passes over.
func (s *DB) SetState(id string, version int, st domain.SurveyState, audit ...domain.AuditEntry) error {
	if _, err := s.version(id, version); err != nil {
		return err
	}
	states := s.statesOf(id)
	states[version] = st
	err := s.audited(audit, func(txn *badger.Txn) error {
		if err := txn.Set([]byte(statePrefix+stateKey(id, version)), []byte(st)); err != nil {
			return err
		}
		return settleSurvey(txn, id, states)
	})
	if err == nil {
		s.surveys.mu.Lock()
		s.surveys.state[stateKey(id, version)] = st
		s.surveys.mu.Unlock()
	}
	return err
}

// StateOf returns a stored version's state.
func (s *DB) StateOf(id string, version int) domain.SurveyState {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	return s.surveys.state[stateKey(id, version)]
}

func (s *DB) cacheSurvey(sv *domain.Survey) {
	s.surveys.mu.Lock()
	defer s.surveys.mu.Unlock()
	if s.surveys.byID == nil {
		s.surveys.byID = map[string]map[int]*domain.Survey{}
		s.surveys.state = map[string]domain.SurveyState{}
	}
	if s.surveys.byID[sv.ID] == nil {
		s.surveys.byID[sv.ID] = map[int]*domain.Survey{}
	}
	s.surveys.byID[sv.ID][sv.Version] = sv
}

// loadSurveys fills the cache at open.
func (s *DB) loadSurveys() error {
	s.surveys.byID = map[string]map[int]*domain.Survey{}
	s.surveys.state = map[string]domain.SurveyState{}
	err := s.prefixScan([]byte(surveyPrefix), func(_, v []byte) error {
		var sv domain.Survey
		if err := json.Unmarshal(v, &sv); err != nil {
			return err
		}
		s.cacheSurvey(&sv)
		return nil
	})
	if err != nil {
		return err
	}
	err = s.prefixScan([]byte(statePrefix), func(k, v []byte) error {
		s.surveys.state[string(k[len(statePrefix):])] = domain.SurveyState(v)
		return nil
	})
	// Versions stored before states existed were all shown to members.
	for id, versions := range s.surveys.byID {
		for v := range versions {
			if _, ok := s.surveys.state[stateKey(id, v)]; !ok {
				s.surveys.state[stateKey(id, v)] = domain.SurveyPublished
			}
		}
	}
	return err
}

// version returns a stored version in any state.
func (s *DB) version(id string, version int) (*domain.Survey, error) {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	versions := s.surveys.byID[id]
	if versions == nil {
		return nil, domain.Refuse(domain.CodeUnknownSurvey, "survey.none", "no survey %q on this server", "id", id)
	}
	sv := versions[version]
	if sv == nil {
		return nil, domain.Refuse(domain.CodeUnknownVersion, "survey.noversion", "survey %q has no version %d", "id", id, "version", version)
	}
	return sv, nil
}

// FindSurvey returns a version that answers may be sent to (published or
// retired), per domain.SurveyFinder. Drafts are unknown to members.
func (s *DB) FindSurvey(id string, version int) (*domain.Survey, error) {
	sv, err := s.version(id, version)
	if err == nil && s.StateOf(id, version) == domain.SurveyDraft {
		return nil, domain.Errorf(domain.CodeUnknownVersion, "survey %q has no published version %d", id, version)
	}
	return sv, err
}

// Version returns a stored version in any state, for the console.
func (s *DB) Version(id string, version int) (*domain.Survey, error) { return s.version(id, version) }

// Versions returns every stored version of a survey, oldest first.
func (s *DB) Versions(id string) []*domain.Survey {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	var out []*domain.Survey
	for _, sv := range s.surveys.byID[id] {
		out = append(out, sv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// LatestSurvey returns the newest published version of a survey.
func (s *DB) LatestSurvey(id string) (*domain.Survey, error) {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	var latest *domain.Survey
	for v, sv := range s.surveys.byID[id] {
		if s.surveys.state[stateKey(id, v)] != domain.SurveyPublished {
			continue
		}
		if latest == nil || sv.Version > latest.Version {
			latest = sv
		}
	}
	if latest == nil {
		return nil, domain.Errorf(domain.CodeUnknownSurvey, "no published survey %q on this server", id)
	}
	return latest, nil
}

// SurveyIDs returns the id of every stored survey, sorted.
func (s *DB) SurveyIDs() []string {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	ids := make([]string, 0, len(s.surveys.byID))
	for id := range s.surveys.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Surveys returns the newest published version of every survey, ordered by
// id: what members see.
func (s *DB) Surveys() []*domain.Survey {
	ids := s.SurveyIDs()
	out := make([]*domain.Survey, 0, len(ids))
	for _, id := range ids {
		if sv, err := s.LatestSurvey(id); err == nil {
			out = append(out, sv)
		}
	}
	return out
}

// ReplaceWords stores sv over the stored version with its id and number,
// keeping its state: for a release's corrected words of a built-in
// survey. The caller has checked that the questions are the same
// (domain.Survey.SameQuestions).
func (s *DB) ReplaceWords(sv *domain.Survey) error {
	val, err := json.Marshal(sv)
	if err != nil {
		return err
	}
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(surveyKey(sv.ID, sv.Version), val) }); err != nil {
		return err
	}
	s.cacheSurvey(sv)
	return nil
}

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

// surveyCache keeps every definition in memory: they are small, few, and
// read for every response that arrives.
type surveyCache struct {
	mu   sync.RWMutex
	byID map[string]map[int]*domain.Survey
}

// ErrVersionExists is returned when a different definition is put under a
// survey version that is already stored.
var ErrVersionExists = errors.New("store: this survey version already exists with different content; publish a new version")

// PutSurvey stores a validated definition. Putting the same definition again
// does nothing, so built-in surveys can be imported at every start.
func (s *DB) PutSurvey(sv *domain.Survey) error {
	val, err := json.Marshal(sv)
	if err != nil {
		return err
	}
	key := surveyKey(sv.ID, sv.Version)
	err = s.update(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err == nil {
			return item.Value(func(old []byte) error {
				if !bytes.Equal(old, val) {
					return ErrVersionExists
				}
				return nil
			})
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		return txn.Set(key, val)
	})
	if err != nil {
		return err
	}
	s.cacheSurvey(sv)
	return nil
}

func (s *DB) cacheSurvey(sv *domain.Survey) {
	s.surveys.mu.Lock()
	defer s.surveys.mu.Unlock()
	if s.surveys.byID == nil {
		s.surveys.byID = map[string]map[int]*domain.Survey{}
	}
	if s.surveys.byID[sv.ID] == nil {
		s.surveys.byID[sv.ID] = map[int]*domain.Survey{}
	}
	s.surveys.byID[sv.ID][sv.Version] = sv
}

// loadSurveys fills the cache at open.
func (s *DB) loadSurveys() error {
	return s.prefixScan([]byte(surveyPrefix), func(_, v []byte) error {
		var sv domain.Survey
		if err := json.Unmarshal(v, &sv); err != nil {
			return err
		}
		s.cacheSurvey(&sv)
		return nil
	})
}

// FindSurvey returns one version of a survey, per domain.SurveyFinder.
func (s *DB) FindSurvey(id string, version int) (*domain.Survey, error) {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	versions := s.surveys.byID[id]
	if versions == nil {
		return nil, domain.Errorf(domain.CodeUnknownSurvey, "no survey %q on this server", id)
	}
	sv := versions[version]
	if sv == nil {
		return nil, domain.Errorf(domain.CodeUnknownVersion, "survey %q has no version %d", id, version)
	}
	return sv, nil
}

// LatestSurvey returns the newest version of a survey.
func (s *DB) LatestSurvey(id string) (*domain.Survey, error) {
	s.surveys.mu.RLock()
	defer s.surveys.mu.RUnlock()
	var latest *domain.Survey
	for _, sv := range s.surveys.byID[id] {
		if latest == nil || sv.Version > latest.Version {
			latest = sv
		}
	}
	if latest == nil {
		return nil, domain.Errorf(domain.CodeUnknownSurvey, "no survey %q on this server", id)
	}
	return latest, nil
}

// Surveys returns the newest version of every survey, ordered by id.
func (s *DB) Surveys() []*domain.Survey {
	s.surveys.mu.RLock()
	ids := make([]string, 0, len(s.surveys.byID))
	for id := range s.surveys.byID {
		ids = append(ids, id)
	}
	s.surveys.mu.RUnlock()
	sort.Strings(ids)
	out := make([]*domain.Survey, 0, len(ids))
	for _, id := range ids {
		if sv, err := s.LatestSurvey(id); err == nil {
			out = append(out, sv)
		}
	}
	return out
}

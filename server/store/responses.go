package store

import (
	"encoding/json"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Responses live under r/<id>. Keys are ordered by the random id, never by
// time, so the key order reveals nothing about when anyone answered.
const responsePrefix = "r/"

// Response is what is stored of one response, and nothing else: the survey
// version, the language, the answers and the day it arrived.
type Response struct {
	domain.Content
	Day string `json:"day"`
	// Assisted names the field worker and site of an outreach response.
	Assisted *domain.Assisted `json:"assisted,omitempty"`
}

// SaveAll stores each record unless its id is already there, per
// domain.ResponseStore. It returns once the new records are synced to disk.
func (s *DB) SaveAll(records []domain.Record) ([]domain.Verdict, error) {
	verdicts := make([]domain.Verdict, len(records))
	for start := 0; start < len(records); {
		n, err := s.saveChunk(records[start:], verdicts[start:])
		if err != nil {
			return nil, err
		}
		start += n
	}
	return verdicts, nil
}

// saveChunk stores as many records as fit in one transaction and says how
// many that was. One transaction per batch means one disk sync per batch.
func (s *DB) saveChunk(records []domain.Record, verdicts []domain.Verdict) (int, error) {
	var done int
	err := s.update(func(txn *badger.Txn) error {
		done = 0
		for i, r := range records {
			v, err := saveOne(txn, r)
			if errors.Is(err, badger.ErrTxnTooBig) && i > 0 {
				return nil // commit what fits; the caller goes on from here
			}
			if err != nil {
				return err
			}
			verdicts[i] = v
			done = i + 1
		}
		return nil
	})
	return done, err
}

func saveOne(txn *badger.Txn, r domain.Record) (domain.Verdict, error) {
	key := []byte(responsePrefix + r.ID)
	item, err := txn.Get(key)
	switch {
	case err == nil:
		var old Response
		if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &old) }); err != nil {
			return 0, err
		}
		if old.Content.Equal(r.Content) {
			return domain.Duplicate, nil
		}
		return domain.Conflict, nil
	case !errors.Is(err, badger.ErrKeyNotFound):
		return 0, err
	}
	val, err := json.Marshal(Response{Content: *r.Content, Day: r.Day, Assisted: r.Assisted})
	if err != nil {
		return 0, err
	}
	// A report the domain filed is kept in the same transaction as its
	// response, so a crash cannot keep one without the other.
	if r.Report != nil {
		if err := setJSON(txn, warningPrefix+r.ID, r.Report, 0); err != nil {
			return 0, err
		}
	}
	return domain.Accepted, txn.Set(key, val)
}

// Response returns the stored response with id, or nil.
func (s *DB) Response(id string) (*Response, error) {
	v, err := s.get([]byte(responsePrefix + id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Response
	return &r, json.Unmarshal(v, &r)
}

// EachResponse calls fn for every stored response, in id order.
func (s *DB) EachResponse(fn func(id string, r *Response) error) error {
	return s.prefixScan([]byte(responsePrefix), func(k, v []byte) error {
		var r Response
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		return fn(string(k[len(responsePrefix):]), &r)
	})
}

package store

import (
	"crypto/rand"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
	"sova/server/screening"
)

// Areas live under area/<code>; reports and warnings under wr/<id>, made
// with the report's response (domain.Ingest files them; see saveOne).
const (
	areaPrefix    = "area/"
	warningPrefix = "wr/"
)

// PutArea adds or renames an area.
func (s *DB) PutArea(a domain.Area, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, areaPrefix+a.Code, a, 0) })
}

// DeleteArea takes an area off the list; warnings keep its code.
func (s *DB) DeleteArea(code string, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return txn.Delete([]byte(areaPrefix + code)) })
}

// Warning returns the report or warning with id, or nil.
func (s *DB) Warning(id string) (*domain.Warning, error) {
	return load[domain.Warning](s, warningPrefix+id)
}

// PutWarning stores a moderator's decision on a report.
func (s *DB) PutWarning(w *domain.Warning, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, warningPrefix+w.ID, w, 0) })
}

// ForgetNote is domain.Repository's: the private note goes from the report
// and from the answer it came in, in one transaction.
func (s *DB) ForgetNote(id string) error {
	return s.update(func(txn *badger.Txn) error {
		var w domain.Warning
		if err := getJSON(txn, warningPrefix+id, &w); err != nil {
			return ignoreMissing(err)
		}
		w.Private = ""
		if err := setJSON(txn, warningPrefix+id, &w, 0); err != nil {
			return err
		}
		var r Response
		if err := getJSON(txn, responsePrefix+id, &r); err != nil {
			return ignoreMissing(err)
		}
		delete(r.Content.Answers, "private")
		return setJSON(txn, responsePrefix+id, &r, 0)
	})
}

// DropReport is domain.Repository's: the report and its answer go.
func (s *DB) DropReport(id string) error {
	return s.update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(warningPrefix + id)); err != nil {
			return err
		}
		return txn.Delete([]byte(responsePrefix + id))
	})
}

func ignoreMissing(err error) error {
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	return err
}

// DecideReport is domain.Repository's: the decision, and the answers it
// no longer keeps gone from the report's answer, in one transaction.
func (s *DB) DecideReport(w *domain.Warning, forget []string, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error {
		if err := setJSON(txn, warningPrefix+w.ID, w, 0); err != nil {
			return err
		}
		if len(forget) == 0 {
			return nil
		}
		var r Response
		if err := getJSON(txn, responsePrefix+w.ID, &r); err != nil {
			return ignoreMissing(err)
		}
		for _, k := range forget {
			delete(r.Content.Answers, k)
		}
		return setJSON(txn, responsePrefix+w.ID, &r, 0)
	})
}

// ScreeningParams is domain.Repository's. The salt is made once and kept
// with the other secrets, so a restored backup checks the same list.
func (s *DB) ScreeningParams() (screening.Params, error) {
	const name = "screening/salt"
	salt, err := s.Secret(name)
	if err != nil {
		return screening.Params{}, err
	}
	if salt == nil {
		s.saltMu.Lock()
		defer s.saltMu.Unlock()
		if salt, err = s.Secret(name); err == nil && salt == nil {
			salt = make([]byte, screening.SaltBytes)
			rand.Read(salt)
			err = s.PutSecret(name, salt)
		}
		if err != nil {
			return screening.Params{}, err
		}
	}
	return screening.Params{Salt: salt, Iterations: screening.Iterations, Bytes: screening.Bytes}, nil
}

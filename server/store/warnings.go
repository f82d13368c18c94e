package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
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

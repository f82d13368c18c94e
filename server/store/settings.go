package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

const settingsKey = "settings"

// PutSettings stores the organisation's settings.
func (s *DB) PutSettings(st domain.Settings, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, settingsKey, st, 0) })
}

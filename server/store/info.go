package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Information pages live under info/<topic>.
const infoPrefix = "info/"

// PutInfoPage stores a topic's page.
func (s *DB) PutInfoPage(p *domain.InfoPage, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, infoPrefix+p.Topic, p, 0) })
}

package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// The friendly-services directory lives under svc/<id>.
const servicePrefix = "svc/"

// PutService adds or replaces a service.
func (s *DB) PutService(svc *domain.Service, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, servicePrefix+svc.ID, svc, 0) })
}

// Service returns the service with id, or nil.
func (s *DB) Service(id string) (*domain.Service, error) {
	return load[domain.Service](s, servicePrefix+id)
}

// DeleteService removes a service.
func (s *DB) DeleteService(id string, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return txn.Delete([]byte(servicePrefix + id)) })
}

package store

import (
	"cmp"
	"slices"

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

// Services lists the directory in category order, then by id (the order
// entries were made in).
func (s *DB) Services() ([]*domain.Service, error) {
	out, err := scanAll[domain.Service](s, servicePrefix)
	slices.SortStableFunc(out, func(a, b *domain.Service) int {
		return cmp.Or(cmp.Compare(slices.Index(domain.Categories, a.Category), slices.Index(domain.Categories, b.Category)), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

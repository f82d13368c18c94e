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

// InfoPages returns the pages written so far, in domain.Topics order.
func (s *DB) InfoPages() ([]*domain.InfoPage, error) {
	var out []*domain.InfoPage
	for _, topic := range domain.Topics {
		p, err := load[domain.InfoPage](s, infoPrefix+topic)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

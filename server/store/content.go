package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// SiteContent reads everything of the organisation's that members are
// served in one transaction, so a site is never built from half of a
// change.
func (s *DB) SiteContent() (*domain.SiteContent, error) {
	c := &domain.SiteContent{}
	return c, s.db.View(func(txn *badger.Txn) (err error) {
		if c.Settings, err = settings(txn); err != nil {
			return err
		}
		if c.Services, err = services(txn); err != nil {
			return err
		}
		if c.InfoPages, err = infoPages(txn); err != nil {
			return err
		}
		if c.Areas, err = areas(txn); err != nil {
			return err
		}
		c.Warnings, err = warnings(txn)
		return err
	})
}

// viewing runs one of the readers below in a transaction of its own.
func viewing[T any](s *DB, read func(txn *badger.Txn) (T, error)) (out T, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		out, err = read(txn)
		return err
	})
	return out, err
}

// Services lists the directory in category order, then by id (the order
// entries were made in).
func (s *DB) Services() ([]*domain.Service, error) { return viewing(s, services) }

func services(txn *badger.Txn) ([]*domain.Service, error) {
	out, err := scanTxn[domain.Service](txn, servicePrefix)
	slices.SortStableFunc(out, func(a, b *domain.Service) int {
		return cmp.Or(cmp.Compare(slices.Index(domain.Categories, a.Category), slices.Index(domain.Categories, b.Category)), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// InfoPages returns the pages written so far, in domain.Topics order.
func (s *DB) InfoPages() ([]*domain.InfoPage, error) { return viewing(s, infoPages) }

func infoPages(txn *badger.Txn) ([]*domain.InfoPage, error) {
	all, err := scanTxn[domain.InfoPage](txn, infoPrefix)
	var out []*domain.InfoPage
	for _, topic := range domain.Topics {
		if i := slices.IndexFunc(all, func(p *domain.InfoPage) bool { return p.Topic == topic }); i >= 0 {
			out = append(out, all[i])
		}
	}
	return out, err
}

// Areas lists the organisation's areas by code.
func (s *DB) Areas() ([]domain.Area, error) { return viewing(s, areas) }

func areas(txn *badger.Txn) ([]domain.Area, error) {
	all, err := scanTxn[domain.Area](txn, areaPrefix)
	out := make([]domain.Area, len(all))
	for i, a := range all {
		out[i] = *a
	}
	return out, err
}

// Warnings lists every report and warning, newest day first.
func (s *DB) Warnings() ([]*domain.Warning, error) { return viewing(s, warnings) }

func warnings(txn *badger.Txn) ([]*domain.Warning, error) {
	out, err := scanTxn[domain.Warning](txn, warningPrefix)
	slices.SortStableFunc(out, func(a, b *domain.Warning) int { return cmp.Compare(b.Day, a.Day) })
	return out, err
}

// Settings returns the organisation's settings, or the defaults.
func (s *DB) Settings() (domain.Settings, error) { return viewing(s, settings) }

func settings(txn *badger.Txn) (domain.Settings, error) {
	var st domain.Settings
	if err := getJSON(txn, settingsKey, &st); errors.Is(err, badger.ErrKeyNotFound) {
		return domain.DefaultSettings(), nil
	} else if err != nil {
		return domain.DefaultSettings(), err
	}
	if st.WarningDays == 0 { // stored before the setting existed
		st.WarningDays = domain.WarningDays
	}
	st.PushDefaults()
	return st, nil
}

// scanTxn decodes every value under prefix, in key order.
func scanTxn[T any](txn *badger.Txn, prefix string) ([]*T, error) {
	var out []*T
	err := eachUnder(txn, []byte(prefix), func(_, v []byte) error {
		t := new(T)
		if err := json.Unmarshal(v, t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// eachUnder calls fn for each key under prefix, in key order.
func eachUnder(txn *badger.Txn, prefix []byte, fn func(key, val []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
			return err
		}
	}
	return nil
}

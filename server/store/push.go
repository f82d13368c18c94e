package store

import (
	"encoding/json"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Push subscriptions live under ps/<PushSubscription.ID>: the endpoint,
// keys, language, topics and delivery state, and nothing about the person.
const subscriberPrefix = "ps/"

// MaxSubscribers bounds the subscriptions kept, so that anyone posting
// made-up subscriptions cannot fill the disk or slow every fan-out.
const MaxSubscribers = 100_000

// Change is what UpdateSubscribers does with a subscriber after fn.
type Change int

const (
	Keep   Change = iota // leave it as it was
	Save                 // store fn's changes
	Remove               // delete it (its endpoint is gone)
)

// Subscribe stores a subscription. A new one for a known endpoint replaces
// its keys, language and topics and keeps its delivery state, so
// resubscribing cannot dodge the daily cap.
func (s *DB) Subscribe(p domain.PushSubscription, origin string) error {
	key := []byte(subscriberPrefix + p.ID())
	// Counted before, not inside, the write: there every key counted would
	// join the transaction's reads, and any two new subscriptions at once
	// would conflict and start over. So a burst may pass the cap by as many
	// as arrive together.
	var full bool
	if err := s.db.View(func(txn *badger.Txn) error {
		full = countKeys(txn, subscriberPrefix, MaxSubscribers) >= MaxSubscribers
		return nil
	}); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		sub := &domain.Subscriber{}
		err := getJSON(txn, string(key), sub)
		if errors.Is(err, badger.ErrKeyNotFound) {
			if full {
				return domain.Errorf(domain.CodeBusy, "this Sova has all the subscriptions it can take")
			}
		} else if err != nil {
			return err
		}
		sub.PushSubscription, sub.Origin = p, origin
		return setJSON(txn, string(key), sub, 0)
	})
}

// Subscriber returns the subscription with id, or nil.
func (s *DB) Subscriber(id string) (*domain.Subscriber, error) {
	return load[domain.Subscriber](s, subscriberPrefix+id)
}

// Unsubscribe deletes the subscription with id; an unknown one is no error.
func (s *DB) Unsubscribe(id string) error {
	return s.update(func(txn *badger.Txn) error { return txn.Delete([]byte(subscriberPrefix + id)) })
}

// Subscribers lists every subscription.
func (s *DB) Subscribers() ([]*domain.Subscriber, error) {
	return scanAll[domain.Subscriber](s, subscriberPrefix)
}

// EachSubscriber calls fn with each subscriber in turn, decoding one at a
// time: a push round keeps only what it needs of each, never all 100,000.
func (s *DB) EachSubscriber(fn func(*domain.Subscriber)) error {
	return s.scanJSON(subscriberPrefix, func(_ string, dec func(any) error) error {
		var sub domain.Subscriber
		if err := dec(&sub); err != nil {
			return err
		}
		fn(&sub)
		return nil
	})
}

// SubscribersByID returns the subscribers with ids, in that order, leaving
// out those gone meanwhile.
func (s *DB) SubscribersByID(ids []string) ([]*domain.Subscriber, error) {
	return viewing(s, func(txn *badger.Txn) ([]*domain.Subscriber, error) {
		out := make([]*domain.Subscriber, 0, len(ids))
		for _, id := range ids {
			sub := new(domain.Subscriber)
			if err := getJSON(txn, subscriberPrefix+id, sub); errors.Is(err, badger.ErrKeyNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			out = append(out, sub)
		}
		return out, nil
	})
}

// UpdateEverySubscriber runs fn on every subscriber, as UpdateSubscribers.
func (s *DB) UpdateEverySubscriber(fn func(*domain.Subscriber) Change) error {
	var ids []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(subscriberPrefix)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, string(it.Item().Key()[len(subscriberPrefix):]))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.UpdateSubscribers(ids, fn)
}

// UpdateSubscribers runs fn on the subscribers with ids and saves or
// removes each as it says. Each chunk is one transaction that reads what it
// changes, so a member changing her topics at the same moment is retried
// over, not overwritten.
func (s *DB) UpdateSubscribers(ids []string, fn func(*domain.Subscriber) Change) error {
	const chunk = 500 // well inside Badger's transaction size
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		part := ids[:n]
		ids = ids[n:]
		err := s.update(func(txn *badger.Txn) error {
			for _, id := range part {
				key := subscriberPrefix + id
				var sub domain.Subscriber
				if err := getJSON(txn, key, &sub); errors.Is(err, badger.ErrKeyNotFound) {
					continue // gone meanwhile
				} else if err != nil {
					return err
				}
				switch fn(&sub) {
				case Save:
					data, err := json.Marshal(&sub)
					if err != nil {
						return err
					}
					if err := txn.Set([]byte(key), data); err != nil {
						return err
					}
				case Remove:
					if err := txn.Delete([]byte(key)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// countKeys counts keys under prefix, stopping at limit.
func countKeys(txn *badger.Txn, prefix string, limit int) int {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < limit; it.Next() {
		n++
	}
	return n
}

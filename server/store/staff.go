package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Staff accounts live under u/<id>, with an index l/<login> → id. Sessions
// and invites live under their token's hash, with Badger TTLs so that an
// expired one is gone from disk too, not just refused.
const (
	staffPrefix   = "u/"
	loginPrefix   = "l/"
	sessionPrefix = "sess/"
	invitePrefix  = "inv/"
	auditPrefix   = "a/"
)

func getJSON(txn *badger.Txn, key string, v any) error {
	item, err := txn.Get([]byte(key))
	if err != nil {
		return err
	}
	return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	e := badger.NewEntry([]byte(key), b)
	if ttl > 0 {
		e = e.WithTTL(ttl)
	}
	return txn.SetEntry(e)
}

// view reads key into v; found is false when there is no such key.
func (s *DB) view(key string, v any) (found bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key, v) })
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// load returns the JSON value under key, or nil when there is none.
func load[T any](s *DB, key string) (*T, error) {
	var v T
	found, err := s.view(key, &v)
	if !found {
		return nil, err
	}
	return &v, nil
}

// CreateStaff stores a new account; its login must be free.
func (s *DB) CreateStaff(st *domain.Staff) error {
	return s.update(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(loginPrefix + st.Login)); err == nil {
			return domain.ErrLoginTaken
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if err := txn.Set([]byte(loginPrefix+st.Login), []byte(st.ID)); err != nil {
			return err
		}
		return setJSON(txn, staffPrefix+st.ID, st, 0)
	})
}

// ChangeStaff is domain.Repository's: every account is read inside the
// transaction, so a concurrent change to any of them conflicts and the
// whole change runs again on what is then stored.
func (s *DB) ChangeStaff(id string, change func(st *domain.Staff, all []*domain.Staff) (domain.AuditEntry, error)) error {
	return s.update(func(txn *badger.Txn) error {
		var st *domain.Staff
		var all []*domain.Staff
		err := eachUnder(txn, []byte(staffPrefix), func(_, val []byte) error {
			o := new(domain.Staff)
			if err := json.Unmarshal(val, o); err != nil {
				return err
			}
			if o.ID == id {
				st = o
			}
			all = append(all, o)
			return nil
		})
		if err != nil {
			return err
		}
		e, err := change(st, all)
		if err != nil {
			return err
		}
		if err := setJSON(txn, staffPrefix+st.ID, st, 0); err != nil {
			return err
		}
		return appendAudit(txn, e)
	})
}

// Staff returns the account with id, or nil.
func (s *DB) Staff(id string) (*domain.Staff, error) {
	return load[domain.Staff](s, staffPrefix+id)
}

// StaffByLogin returns the account with login, or nil.
func (s *DB) StaffByLogin(login string) (*domain.Staff, error) {
	var id []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(loginPrefix + login))
		if err != nil {
			return err
		}
		id, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.Staff(string(id))
}

// AllStaff returns every account, ordered by login.
func (s *DB) AllStaff() ([]*domain.Staff, error) {
	var out []*domain.Staff
	err := s.prefixScan([]byte(loginPrefix), func(_, id []byte) error {
		st, err := s.Staff(string(id))
		if st != nil {
			out = append(out, st)
		}
		return err
	})
	return out, err
}

// HasAdmin reports whether any enabled account holds the admin role.
func (s *DB) HasAdmin() (bool, error) {
	all, err := s.AllStaff()
	for _, st := range all {
		if st.Has(domain.RoleAdmin) {
			return true, err
		}
	}
	return false, err
}

// PutSession stores a session under its token hash until the absolute
// timeout.
func (s *DB) PutSession(hash string, sess *domain.Session, ttl time.Duration) error {
	return s.update(func(txn *badger.Txn) error { return setJSON(txn, sessionPrefix+hash, sess, ttl) })
}

// Session returns the live session with the token hash, or nil.
func (s *DB) Session(hash string) (*domain.Session, error) {
	return load[domain.Session](s, sessionPrefix+hash)
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(hash string) error {
	return s.update(func(txn *badger.Txn) error { return txn.Delete([]byte(sessionPrefix + hash)) })
}

// PutInvite stores a one-time invite under its token hash.
func (s *DB) PutInvite(hash string, inv *domain.Invite, ttl time.Duration, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, invitePrefix+hash, inv, ttl) })
}

// Invite returns a live invite without using it, or nil.
func (s *DB) Invite(hash string) (*domain.Invite, error) {
	return load[domain.Invite](s, invitePrefix+hash)
}

// UseInvite deletes the invite and creates the account in one transaction,
// so a link works exactly once even when two people race to use it.
func (s *DB) UseInvite(hash string, st *domain.Staff, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error {
		var inv domain.Invite
		if err := getJSON(txn, invitePrefix+hash, &inv); err != nil {
			if errors.Is(err, badger.ErrKeyNotFound) {
				return domain.ErrNoInvite
			}
			return err
		}
		if _, err := txn.Get([]byte(loginPrefix + st.Login)); err == nil {
			return domain.ErrLoginTaken
		}
		st.Roles = inv.Roles
		if err := txn.Delete([]byte(invitePrefix + hash)); err != nil {
			return err
		}
		if err := txn.Set([]byte(loginPrefix+st.Login), []byte(st.ID)); err != nil {
			return err
		}
		return setJSON(txn, staffPrefix+st.ID, st, 0)
	})
}

// Audit appends entries to the audit log, for actions that change nothing
// stored (an export, a pack taken from the command line).
func (s *DB) Audit(audit ...domain.AuditEntry) error { return s.audited(audit, nil) }

// audited runs fn and appends the audit entries in the same transaction: a
// change is never kept without its record, nor recorded without being kept.
// fn may be nil.
func (s *DB) audited(audit []domain.AuditEntry, fn func(txn *badger.Txn) error) error {
	return s.update(func(txn *badger.Txn) error {
		if fn != nil {
			if err := fn(txn); err != nil {
				return err
			}
		}
		for _, e := range audit {
			if err := appendAudit(txn, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendAudit keys an entry by its time: this log is about staff, whose
// actions are meant to be traceable.
func appendAudit(txn *badger.Txn, e domain.AuditEntry) error {
	key := fmt.Sprintf("%s%020d", auditPrefix, e.Time.UnixNano())
	for { // two entries in the same nanosecond keep both
		if _, err := txn.Get([]byte(key)); errors.Is(err, badger.ErrKeyNotFound) {
			break
		}
		key += "+"
	}
	return setJSON(txn, key, e, 0)
}

// AuditLog returns the newest entries first, at most n.
func (s *DB) AuditLog(n int) ([]domain.AuditEntry, error) {
	var out []domain.AuditEntry
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(auditPrefix), Reverse: true, PrefetchValues: true})
		defer it.Close()
		for it.Seek([]byte(auditPrefix + "\xff")); it.Valid() && len(out) < n; it.Next() {
			var e domain.AuditEntry
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &e) }); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// DropAuditBefore is domain.Repository's. Entries are keyed by their time,
// so the old ones are the first keys; they go a thousand a transaction.
func (s *DB) DropAuditBefore(t time.Time) (int, error) {
	end := []byte(fmt.Sprintf("%s%020d", auditPrefix, t.UnixNano()))
	dropped := 0
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(auditPrefix)})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < 1000 && bytes.Compare(it.Item().Key(), end) < 0; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return dropped, err
		}
		if err := s.update(func(txn *badger.Txn) error {
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return dropped, err
		}
		dropped += len(keys)
	}
}

package store

import (
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Secrets are the server's own keys (response keys, later push keys), kept
// in the encrypted store rather than in loose files.
const secretPrefix = "k/"

// Secret returns the secret called name, or nil if there is none.
func (s *DB) Secret(name string) ([]byte, error) {
	v, err := s.get([]byte(secretPrefix + name))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	return v, err
}

// PutSecret stores a secret durably.
func (s *DB) PutSecret(name string, val []byte) error {
	return s.update(func(txn *badger.Txn) error { return txn.Set([]byte(secretPrefix+name), val) })
}

// Secrets returns every secret whose name starts with prefix.
func (s *DB) Secrets(prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	p := []byte(secretPrefix + prefix)
	err := s.prefixScan(p, func(k, v []byte) error {
		out[string(k[len(secretPrefix):])] = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// PutSecrets stores several secrets in one transaction: all or none.
func (s *DB) PutSecrets(secrets map[string][]byte) error {
	return s.update(func(txn *badger.Txn) error {
		for name, val := range secrets {
			if err := txn.Set([]byte(secretPrefix+name), val); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteSecret removes a secret; a missing one is no error.
func (s *DB) DeleteSecret(name string) error {
	return s.update(func(txn *badger.Txn) error { return txn.Delete([]byte(secretPrefix + name)) })
}

package store

import (
	"encoding/json"
	"sort"

	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

// Outreach devices live under dev/<token hash>; sites under site/<code>.
const (
	devicePrefix = "dev/"
	sitePrefix   = "site/"
)

// PutDevice stores a field worker's device under its token's hash.
func (s *DB) PutDevice(hash string, d *domain.Device, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, devicePrefix+hash, d, 0) })
}

// Device returns the device with the token hash, or nil.
func (s *DB) Device(hash string) (*domain.Device, error) {
	return load[domain.Device](s, devicePrefix+hash)
}

// DeviceEntry is a device as the console lists it.
type DeviceEntry struct {
	Hash string
	domain.Device
}

// Devices lists every device, newest first.
func (s *DB) Devices() ([]DeviceEntry, error) {
	var out []DeviceEntry
	err := s.scanJSON(devicePrefix, func(key string, dec func(any) error) error {
		var e DeviceEntry
		e.Hash = key
		if err := dec(&e.Device); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, err
}

// PutSite adds or renames a site.
func (s *DB) PutSite(site domain.Site, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, sitePrefix+site.Code, site, 0) })
}

// DeleteSite removes a site from the list. Responses already stored keep
// its code.
func (s *DB) DeleteSite(code string, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return txn.Delete([]byte(sitePrefix + code)) })
}

// Sites lists the sites, ordered by code.
func (s *DB) Sites() ([]domain.Site, error) {
	var out []domain.Site
	err := s.scanJSON(sitePrefix, func(_ string, dec func(any) error) error {
		var site domain.Site
		if err := dec(&site); err != nil {
			return err
		}
		out = append(out, site)
		return nil
	})
	return out, err
}

// HasSite reports whether code is on the list.
func (s *DB) HasSite(code string) bool {
	var site domain.Site
	found, _ := s.view(sitePrefix+code, &site)
	return found
}

// scanJSON calls fn for each key under prefix with the key's rest and a
// decoder of its JSON value.
func (s *DB) scanJSON(prefix string, fn func(key string, dec func(any) error) error) error {
	return s.prefixScan([]byte(prefix), func(k, v []byte) error {
		return fn(string(k[len(prefix):]), func(out any) error { return json.Unmarshal(v, out) })
	})
}

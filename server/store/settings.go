package store

import (
	"github.com/dgraph-io/badger/v4"

	"sova/server/domain"
)

const settingsKey = "settings"

// Settings returns the organisation's settings, or the defaults.
func (s *DB) Settings() (domain.Settings, error) {
	st, err := load[domain.Settings](s, settingsKey)
	if err != nil || st == nil {
		return domain.DefaultSettings(), err
	}
	if st.WarningDays == 0 { // stored before the setting existed
		st.WarningDays = domain.WarningDays
	}
	st.PushDefaults()
	return *st, nil
}

// PutSettings stores the organisation's settings.
func (s *DB) PutSettings(st domain.Settings, audit ...domain.AuditEntry) error {
	return s.audited(audit, func(txn *badger.Txn) error { return setJSON(txn, settingsKey, st, 0) })
}

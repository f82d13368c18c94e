package domain

// ValidName reports whether s may be a question id or a choice value. Other
// formats that name questions (XLSForm) check their names by this, so the
// rule lives in one place.
func ValidName(s string) bool { return wordPattern.MatchString(s) }

// ValidLanguage reports whether s is a language code a survey may list.
func ValidLanguage(s string) bool { return langPattern.MatchString(s) }

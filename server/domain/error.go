package domain

import (
	"errors"
	"fmt"
)

// Code names a kind of failure. Codes are part of the public API (clients match
// on them and show a translated message keyed "error.<code>"), so they never
// change meaning once published.
type Code string

const (
	// Batch-level problems: the whole request is refused.
	CodeMalformed Code = "malformed"
	CodeTooLarge  Code = "too_large"
	CodeNotFound  Code = "not_found"
	// CodeUnsupportedEncoding: a body in a Content-Encoding other than gzip.
	CodeUnsupportedEncoding Code = "unsupported_encoding"
	// CodeUnsupportedType: a sync body not sent as application/json (a
	// cross-site form could otherwise post without asking first).
	CodeUnsupportedType Code = "unsupported_type"
	CodeInternal        Code = "internal"
	// CodeBusy: the server is at its limit of batches in progress; the
	// client retries later, as its outbox does anyway.
	CodeBusy Code = "busy"
	// CodeDiskFull: the server's disk is nearly full, so it stores
	// nothing new; nothing was acknowledged, and the client retries later.
	CodeDiskFull Code = "disk_full"
	// CodeForbidden: a staff member lacks the role, or a form's CSRF
	// token is missing or stale.
	CodeForbidden Code = "forbidden"
	// CodeInvalid: a console form was filled in wrongly; the message says how.
	CodeInvalid Code = "invalid"

	// Item-level rejections in a sync batch: one item is refused, the rest go on.
	CodeInvalidID        Code = "invalid_id"
	CodeUnknownSurvey    Code = "unknown_survey"
	CodeUnknownVersion   Code = "unknown_version"
	CodeUnknownKey       Code = "unknown_key"
	CodeDecryptFailed    Code = "decrypt_failed"
	CodeInvalidPlaintext Code = "invalid_plaintext"
	CodeUnknownLanguage  Code = "unknown_language"
	CodeConflict         Code = "conflict"
	CodeMissingAnswer    Code = "missing_answer"
	CodeInvalidAnswer    Code = "invalid_answer"
	CodeUnknownQuestion  Code = "unknown_question"
	CodeHiddenAnswer     Code = "hidden_answer"
	CodeUnauthorized     Code = "unauthorized" // assisted item without its field worker's live device token
	CodeUnknownSite      Code = "unknown_site"

	// A survey definition that breaks the format.
	CodeInvalidSurvey Code = "invalid_survey"
)

// ErrDiskFull is every write's answer while the server's disk is nearly full.
var ErrDiskFull = Refuse(CodeDiskFull, "diskfull", "the server's disk is full, so nothing new can be stored; nothing was lost, try again later")

// Error is the one error type that crosses package boundaries. Message is
// written for the person who sent the input (an outreach client, a staffer
// uploading a survey); it never holds member data. Question, when set, names
// the survey question the problem is about.
type Error struct {
	Code     Code
	Message  string
	Question string
	// Key names the sentence that says Message in a staff member's
	// language (error.<Key> in the console's catalogs), and Args what
	// fills its {places}, by name and as values (a number, a Role), so
	// that the console writes each as she reads it. Neither is in JSON:
	// API clients read Code and Message, as they always have.
	Key  string         `json:"-"`
	Args map[string]any `json:"-"`
}

func (e *Error) Error() string {
	if e.Question != "" {
		return fmt.Sprintf("%s: question %q: %s", e.Code, e.Question, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Refuse builds an *Error that the console can say in its reader's
// language. key is a literal (a test finds every one in the source and
// checks that each console catalog says error.<key> with one {place} per
// name); pairs are each a name and its value, the values filling format's
// verbs in order for the English Message. A value is kept as it is: a
// translation quotes it in its own way where English writes %q.
func Refuse(code Code, key, format string, pairs ...any) *Error {
	msg, args := named(format, pairs)
	return &Error{Code: code, Message: msg, Key: key, Args: args}
}

// named fills format's verbs with the values of pairs (name, value, name,
// value…), giving the message and the values by name.
func named(format string, pairs []any) (string, map[string]any) {
	values := make([]any, 0, len(pairs)/2)
	var args map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		if args == nil {
			args = map[string]any{}
		}
		values = append(values, pairs[i+1])
		args[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	return fmt.Sprintf(format, values...), args
}

// ErrorCode returns the code of err, or CodeInternal for anything that is not
// an *Error: an unexpected failure must never be reported as the sender's fault.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

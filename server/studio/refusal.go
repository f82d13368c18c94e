package studio

import (
	"errors"
	"fmt"
	"strings"

	"sova/server/domain"
	"sova/server/voice"
)

// Error is a change the studio refuses for what was sent: words that do
// not fit, a phrase or language that is not there, a file that is not a
// pack, a recording ffmpeg refused. Code names why, and is stable: the
// console says it in its reader's language (studio.refused.<Code> in its
// catalogs), filling the places Args names; a recording's refusal is
// "recording." and voice.InputError's code. The English, for logs and the
// command line, is a domain.Error's (CodeInvalid, or CodeNotFound for
// what is not there), which whatever tells errors apart by their domain
// code finds through Unwrap.
type Error struct {
	Code string
	Args map[string]string
	err  *domain.Error
}

func (e *Error) Error() string { return e.err.Message }
func (e *Error) Unwrap() error { return e.err }

// refused is an Error of kind: english says it with its {places} filled
// from pairs of name and value.
func refused(kind domain.Code, code, english string, pairs ...any) *Error {
	e := &Error{Code: code, Args: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Args[pairs[i].(string)] = fmt.Sprint(pairs[i+1])
	}
	for name, val := range e.Args {
		english = strings.ReplaceAll(english, "{"+name+"}", val)
	}
	e.err = &domain.Error{Code: kind, Message: english}
	return e
}

// invalid and missing are refused of the two kinds.
func invalid(code, english string, pairs ...any) *Error {
	return refused(domain.CodeInvalid, code, english, pairs...)
}

func missing(code, english string, pairs ...any) *Error {
	return refused(domain.CodeNotFound, code, english, pairs...)
}

// recordingRefused is a refused recording (voice.InputError) as the
// studio's Error, and any other error as it is: a server's fault.
func recordingRefused(err error) error {
	var ie *voice.InputError
	if !errors.As(err, &ie) {
		return err
	}
	return &Error{Code: "recording." + ie.Code, Args: ie.Args, err: &domain.Error{Code: domain.CodeInvalid, Message: ie.Detail}}
}

// TooLarge is the refusal of a recording of n bytes, over s.Limits; n < 0
// is an upload cut off at the limit (voice.Limits.TooLarge).
func (s *Studio) TooLarge(n int64) error { return recordingRefused(s.Limits.TooLarge(n)) }

// Refusal is one thing an import or a draft did not take.
type Refusal struct {
	Key string
	// Reason is why, in English (logs, the command line); Code and Args
	// say it for the console, as Error's do.
	Reason string
	Code   string
	Args   map[string]string
	// File and Lang name a recording that came with a draft
	// (DraftVoice); "" for a pack, which is of one language and names its
	// files after their keys.
	File, Lang string
}

// refusal is key refused for err: a refusal as it was refused, anything
// else as a file that could not be read.
func refusal(key string, err error) Refusal {
	var e *Error
	if !errors.As(recordingRefused(err), &e) {
		e = invalid("unreadable", "could not be read: {detail}", "detail", err.Error())
	}
	return Refusal{Key: key, Reason: e.Error(), Code: e.Code, Args: e.Args}
}

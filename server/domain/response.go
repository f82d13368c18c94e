package domain

import (
	"encoding/base64"
	"regexp"
)

// SealInfo is the HPKE info string every response is sealed with. It ties a
// ciphertext to this protocol and version, so it cannot be replayed into
// another use of the same key.
const SealInfo = "sova response v1"

// MaxBatch is the most items one sync request may carry.
const MaxBatch = 500

// Sealed is one queued response as the phone sends it: the id and the survey
// version are in the clear (the server needs them to route and deduplicate),
// the answers only inside Sealed, which is HPKE enc||ciphertext with the id as
// AAD, so a payload cannot be moved to another id.
type Sealed struct {
	ID      string `json:"id"`
	Survey  string `json:"survey"`
	Version int    `json:"version"`
	Kid     string `json:"kid"`
	Sealed  string `json:"sealed"`
	// Assisted is set when a field worker collected it (outreach mode).
	Assisted *Assisted `json:"assisted,omitempty"`
}

// Rejection says why one item was refused. The item stays on the phone.
type Rejection struct {
	ID       string `json:"id"`
	Error    Code   `json:"error"`
	Question string `json:"question,omitempty"`
	Message  string `json:"message"`
}

// Outcome is the server's judgement of a batch, item by item.
type Outcome struct {
	Accepted  []string    `json:"accepted"`
	Duplicate []string    `json:"duplicate"`
	Rejected  []Rejection `json:"rejected"`
}

// Verdict is what the store made of one opened response.
type Verdict int

const (
	Accepted Verdict = iota
	Duplicate
	Conflict
)

// Record is one opened, checked response waiting to be stored under its id.
// Day is the UTC date of receipt: stored dates are days, never times.
type Record struct {
	ID       string
	Day      string
	Content  *Content
	Assisted *Assisted
	// Report is the warning a report files for moderation, kept with its
	// response or not at all.
	Report *Warning
}

// Opener opens sealed responses. It returns an *Error with CodeUnknownKey or
// CodeDecryptFailed when it cannot.
type Opener interface {
	Open(kid string, aad, sealed []byte) ([]byte, error)
}

// SurveyFinder finds a survey version, published or older. It returns an
// *Error with CodeUnknownSurvey or CodeUnknownVersion when there is none.
type SurveyFinder interface {
	FindSurvey(id string, version int) (*Survey, error)
}

// ResponseStore keeps responses exactly once. SaveAll returns a verdict for
// each record only after the accepted ones are durably on disk.
type ResponseStore interface {
	SaveAll(records []Record) ([]Verdict, error)
}

// uuidV4 is the canonical lower-case form that crypto.randomUUID() makes.
// Only one spelling is accepted because the id string is the AAD.
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ValidResponseID reports whether id is a canonical UUIDv4 string.
func ValidResponseID(id string) bool { return uuidV4.MatchString(id) }

// Ingest judges a batch: each item is opened and checked alone, so one bad
// item never sinks the others, and the good ones are stored together.
func Ingest(items []Sealed, day string, keys Opener, surveys SurveyFinder, store ResponseStore) (*Outcome, error) {
	out := &Outcome{Accepted: []string{}, Duplicate: []string{}, Rejected: []Rejection{}}
	var records []Record
	for _, it := range items {
		content, err := open(it, keys, surveys)
		if err != nil {
			if ErrorCode(err) == CodeInternal {
				return nil, err
			}
			out.Rejected = append(out.Rejected, reject(it.ID, err))
			continue
		}
		r := Record{ID: it.ID, Day: day, Content: content, Assisted: it.Assisted}
		if content.Survey == WarnSurveyID {
			// A report waits for moderation from the moment it is acknowledged.
			w := WarningFrom(it.ID, day, content.Lang, content.Answers)
			r.Report = &w
		}
		records = append(records, r)
	}
	if len(records) == 0 {
		return out, nil
	}
	verdicts, err := store.SaveAll(records)
	if err != nil {
		return nil, err
	}
	for i, v := range verdicts {
		id := records[i].ID
		switch v {
		case Accepted:
			out.Accepted = append(out.Accepted, id)
		case Duplicate:
			out.Duplicate = append(out.Duplicate, id)
		case Conflict:
			out.Rejected = append(out.Rejected, reject(id, Errorf(CodeConflict, "this id was already sent with different answers")))
		}
	}
	return out, nil
}

func open(it Sealed, keys Opener, surveys SurveyFinder) (*Content, error) {
	if !ValidResponseID(it.ID) {
		return nil, Errorf(CodeInvalidID, "id must be a lower-case UUIDv4 string")
	}
	survey, err := surveys.FindSurvey(it.Survey, it.Version)
	if err != nil {
		return nil, err
	}
	sealed, err := base64.RawURLEncoding.DecodeString(it.Sealed)
	if err != nil {
		return nil, Errorf(CodeDecryptFailed, "sealed is not unpadded base64url")
	}
	plain, err := keys.Open(it.Kid, []byte(it.ID), sealed)
	if err != nil {
		return nil, err
	}
	return survey.Check(plain)
}

func reject(id string, err error) Rejection {
	r := Rejection{ID: id, Error: ErrorCode(err), Message: err.Error()}
	if e, ok := err.(*Error); ok {
		r.Message, r.Question = e.Message, e.Question
		if e.Question != "" {
			// The message names the question too, for clients that show
			// only the message.
			r.Message = "question " + e.Question + ": " + e.Message
		}
	}
	return r
}

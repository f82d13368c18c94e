package studio

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"sova/server/domain"
	"sova/server/store"
)

// Recording is a recording that comes with a survey not yet published, such
// as an XLSForm's media::audio file: lang's words for key, in any common
// audio format, and the file's name as it came, for messages.
type Recording struct {
	Lang, Key, File string
	Data            []byte
}

// VoiceError refuses a draft for its recordings: every one that cannot be
// taken, and why. Nothing of the draft was stored.
type VoiceError struct{ Refused []Refusal }

func (e *VoiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the survey's recordings cannot be taken, so the survey was not taken either:", len(e.Refused))
	for _, r := range e.Refused {
		fmt.Fprintf(&b, "\n%s (%s, %s): %s", r.File, r.Lang, r.Key, r.Reason)
	}
	return b.String()
}

// DraftVoice is how the recordings that came with sv come in with it, for
// domain.Office.AddDraftWith, which refuses the draft itself or takes it:
// each recording checked and converted as one made in the studio is. One
// refused recording refuses them all and the draft with them (a
// *VoiceError listing every one): nothing is half-imported. The
// recordings wait with the draft and become its phrases' voice when it is
// published (store.SetState), for its words as they are then in the
// studio: a recording is of the words it says, so one of words a
// translator has since reworded is refused.
func (s *Studio) DraftVoice(ctx context.Context, by *domain.Staff, sv *domain.Survey, recs []Recording) func() (domain.DraftPut, error) {
	return func() (domain.DraftPut, error) {
		out, err := s.convertAll(ctx, by, sv, recs)
		if err != nil {
			return nil, err
		}
		return func(sv *domain.Survey, audit ...domain.AuditEntry) error {
			return s.db.PutDraftWithVoice(sv, out, audit...)
		}, nil
	}
}

// convertAll converts recs, or refuses them all.
func (s *Studio) convertAll(ctx context.Context, by *domain.Staff, sv *domain.Survey, recs []Recording) ([]store.DraftRecording, error) {
	// The words each recording says, as members will read them.
	texts := make([]string, len(recs))
	refusals := make([]*Refusal, len(recs))
	words, err := s.draftWords(sv, recs)
	if err != nil {
		return nil, err
	}
	refuse := func(i int, err error) {
		r := refusal(recs[i].Key, err)
		r.File, r.Lang = recs[i].File, recs[i].Lang
		refusals[i] = &r
	}
	seen := map[string]bool{}
	for i, r := range recs {
		texts[i], err = words(r.Lang, r.Key)
		if err == nil && seen[r.Lang+"/"+r.Key] {
			err = invalid("draft.twice", "another file is already the recording of this phrase in {lang}", "lang", r.Lang)
		}
		seen[r.Lang+"/"+r.Key] = true
		if err != nil {
			refuse(i, err)
		}
	}
	// Converted side by side (bounded keeps them to the cores there are),
	// each checked whatever the others' fate, so that every refusal is
	// told at once.
	out := make([]store.DraftRecording, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		if refusals[i] != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := s.convert(ctx, r.Lang, r.Key, by, texts[i], r.Data)
			if err != nil {
				refuse(i, err)
				return
			}
			out[i] = store.DraftRecording{Lang: r.Lang, Key: r.Key, Recording: rec}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var refused []Refusal
	for _, r := range refusals {
		if r != nil {
			refused = append(refused, *r)
		}
	}
	if len(refused) > 0 {
		return nil, &VoiceError{Refused: refused}
	}
	return out, nil
}

// draftWords returns what says the words of sv that each recording is of,
// or why there are none: sv's words, unless a translator has reworded
// them in the studio, where members will read hers instead (Content).
func (s *Studio) draftWords(sv *domain.Survey, recs []Recording) (func(lang, key string) (string, error), error) {
	edits := map[string]map[string]*store.TextEdit{}
	for _, r := range recs {
		if _, ok := edits[r.Lang]; ok || s.Catalog(r.Lang) == nil {
			continue
		}
		e, err := s.db.Texts(r.Lang)
		if err != nil {
			return nil, err
		}
		edits[r.Lang] = e
	}
	keys := sv.TextKeys()
	return func(lang, key string) (string, error) {
		text := sv.Texts[lang][key]
		switch e := edits[lang][key]; {
		case s.Catalog(lang) == nil:
			return "", invalid("draft.lang", "members cannot choose the language \"{lang}\" in Sova", "lang", lang)
		case !sv.HasLanguage(lang):
			return "", invalid("draft.words", "the survey has no words in {lang}", "lang", lang)
		case !slices.Contains(keys, key):
			return "", invalid("draft.phrase", "the survey has no phrase \"{key}\"", "key", key)
		case e != nil && e.Text != text:
			return "", invalid("draft.reworded", "a translator changed these words in the studio to \"{text}\", and members will read those: record them, or put them in the form", "text", e.Text)
		}
		return text, nil
	}, nil
}

package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
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

// AddDraft takes sv as a draft with the recordings that came with it, each
// checked and converted as a recording made in the studio is. One refused
// recording refuses them all and the draft with them (a *VoiceError listing
// every one): nothing is half-imported. The recordings wait with the draft
// and become its phrases' voice when it is published (takeDraftVoice), for
// its words as they are then in the studio: a recording is of the words
// it says, so one of words a translator has since reworded is refused.
// Without recordings, a draft goes through domain.Office.AddDraft.
func (s *Studio) AddDraft(ctx context.Context, by *domain.Staff, sv *domain.Survey, recs []Recording) error {
	// The two refusals of domain.Office.AddDraft, which this write
	// bypasses: the console tells them apart by what is stored.
	if sv.ID == domain.WarnSurveyID {
		return domain.Errorf(domain.CodeInvalid, "The id %q is Sova's own reporting form; give the survey another id.", sv.ID)
	}
	exists := domain.Errorf(domain.CodeInvalid, "Version %d of %s already exists with other content. Raise \"version\" in the file and upload it again.", sv.Version, sv.ID)
	if old, err := s.db.Version(sv.ID, sv.Version); err == nil && !sameSurvey(old, sv) {
		return exists // before converting anything
	}
	// The words each recording says, as members will read them.
	texts := make([]string, len(recs))
	reasons := make([]string, len(recs))
	words, err := s.draftWords(sv, recs)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, r := range recs {
		texts[i], err = words(r.Lang, r.Key)
		if err == nil && seen[r.Lang+"/"+r.Key] {
			err = domain.Errorf(domain.CodeInvalid, "another file is already the recording of this phrase in %s", r.Lang)
		}
		seen[r.Lang+"/"+r.Key] = true
		if err != nil {
			reasons[i] = reason(err)
		}
	}
	// Converted side by side (bounded keeps them to the cores there are),
	// each checked whatever the others' fate, so that every refusal is
	// told at once.
	out := make([]store.DraftRecording, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		if reasons[i] != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := s.convert(ctx, r.Lang, r.Key, by, texts[i], r.Data)
			if err != nil {
				reasons[i] = reason(err)
				return
			}
			out[i] = store.DraftRecording{Lang: r.Lang, Key: r.Key, Recording: rec}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var refused []Refusal
	for i, r := range recs {
		if reasons[i] != "" {
			refused = append(refused, Refusal{Key: r.Key, Reason: reasons[i], File: r.File, Lang: r.Lang})
		}
	}
	if len(refused) > 0 {
		return &VoiceError{Refused: refused}
	}
	err = s.db.PutDraftWithVoice(sv, out, s.audit(by, "survey uploaded", sv.ID+" v"+strconv.Itoa(sv.Version))...)
	if errors.Is(err, domain.ErrVersionExists) {
		return exists
	}
	return err
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
			return "", domain.Errorf(domain.CodeInvalid, "members cannot choose the language %q in Sova", lang)
		case !sv.HasLanguage(lang):
			return "", domain.Errorf(domain.CodeInvalid, "the survey has no words in %s", lang)
		case !slices.Contains(keys, key):
			return "", domain.Errorf(domain.CodeInvalid, "the survey has no phrase %q", key)
		case e != nil && e.Text != text:
			return "", domain.Errorf(domain.CodeInvalid, "a translator changed these words in the studio to %q, and members will read those: record them, or put them in the form", e.Text)
		}
		return text, nil
	}, nil
}

// sameSurvey reports whether two definitions are the same to the letter, as
// the store compares them.
func sameSurvey(a, b *domain.Survey) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// takeDraftVoice gives each published survey version the recordings that
// came with it as a draft (store.TakeDraftVoice). Publishing is what makes
// them speak, and the studio and the member site are read after it: the
// site is rebuilt on publishing (Content). A version with none costs a read.
func (s *Studio) takeDraftVoice() error {
	for _, sv := range s.surveys() {
		if _, err := s.db.TakeDraftVoice(sv.ID, sv.Version); err != nil {
			return err
		}
	}
	return nil
}

// settleVoice is takeDraftVoice where members are served: a full disk
// refuses the move, and the site is still built, with Sova's voice for
// those phrases, until a later rebuild moves them.
func (s *Studio) settleVoice() { _ = s.takeDraftVoice() }

package studio

import (
	"context"
	"errors"
	"sync"
	"unicode/utf8"

	"sova/server/domain"
	"sova/server/store"
	"sova/server/voice"
)

// content is lang's phrases of the organisation's own words, as the store
// has them now.
func (s *Studio) content(lang string) ([]domain.ContentPhrase, error) {
	services, err := s.db.Services()
	if err != nil {
		return nil, err
	}
	info, err := s.db.InfoPages()
	if err != nil {
		return nil, err
	}
	areas, err := s.db.Areas()
	if err != nil {
		return nil, err
	}
	warnings, err := s.db.Warnings()
	if err != nil {
		return nil, err
	}
	return domain.ContentPhrases(lang, services, info, areas, warnings), nil
}

// MaxSpoken bounds the words Sova speaks as one phrase: about a minute and a
// half of voice, for every phone that keeps the language's voice. A longer
// paragraph is shown without voice until parted in two.
const MaxSpoken = 1500

// speaking makes SpeakContent run once at a time: two saves in a row must
// not synthesize the same words twice.
var speaking sync.Mutex

// SpeakContent gives the organisation's own words Sova's voice (espeak-ng
// and ffmpeg), in every language: the phrases whose words are new or
// changed since they were last spoken, each once; and it drops the voice of
// words taken off the app. It reports whether anything changed, so the
// caller rebuilds the site only then. Without espeak-ng or ffmpeg it does
// nothing and says so (voice.CheckTools's error); members then read those
// words without voice until a translator records them.
func (s *Studio) SpeakContent(ctx context.Context) (changed bool, err error) {
	speaking.Lock()
	defer speaking.Unlock()
	if err := voice.CheckTools(); err != nil {
		return false, err
	}
	var errs []error
	for _, cat := range s.catalogs {
		lang := cat.Lang
		content, err := s.content(lang)
		if err != nil {
			return changed, err
		}
		spoken, err := s.db.Spoken(lang)
		if err != nil {
			return changed, err
		}
		wanted := map[string]bool{}
		for _, c := range content {
			if utf8.RuneCountInString(c.Text) > MaxSpoken {
				continue // shown without voice; its spoken voice, if any, goes below
			}
			wanted[c.Key] = true
			if r := spoken[c.Key]; r != nil && r.Phrase.TextSha256 == voice.TextSha256(c.Text) {
				continue
			}
			if err := s.speak(ctx, lang, c); err != nil {
				errs = append(errs, err) // the others still get their voice
				continue
			}
			changed = true
		}
		for key := range spoken {
			if !wanted[key] {
				if err := s.db.DeleteSpoken(lang, key); err != nil {
					return changed, err
				}
				changed = true
			}
		}
	}
	return changed, errors.Join(errs...)
}

func (s *Studio) speak(ctx context.Context, lang string, c domain.ContentPhrase) error {
	enc, err := bounded(ctx, func(ctx context.Context) (*voice.Encoded, error) { return voice.Speak(ctx, lang, c.Key, c.Text) })
	if err != nil {
		return err
	}
	return s.db.PutSpoken(lang, c.Key, &store.Recording{Phrase: enc.Phrase, Data: enc.Data, Day: s.day()})
}

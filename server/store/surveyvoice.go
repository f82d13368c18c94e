package store

import (
	"slices"

	"sova/server/domain"
	"sova/server/voice"
)

// PhraseVoice is one person's recording of one of a survey version's
// phrases, as SurveyVoice finds it: lang's voice of key, one file of it.
type PhraseVoice struct {
	Lang, Key string
	File      voice.File
	at        string // the file's key in the store
}

// SurveyVoice lists the recordings that say a survey version's own words,
// phrase by phrase as a member meets them, in the survey's languages: for
// each, the recording waiting with the version (a draft's, from its
// XLSForm), else the phrase's recording from the studio. A recording of
// other words (the phrase reworded since, or said otherwise by another
// version: versions share their keys) is not this version's, and is left
// out; so is Sova's synthetic voice, which is nobody's recording. Of each
// recording's files, the Opus one where it has it: the better of the two.
func (s *DB) SurveyVoice(sv *domain.Survey) ([]PhraseVoice, error) {
	draft, err := s.DraftVoice(sv.ID, sv.Version)
	if err != nil {
		return nil, err
	}
	studio := map[string]map[string]*Recording{}
	for _, lang := range sv.Languages {
		if studio[lang], err = s.Recordings(lang); err != nil {
			return nil, err
		}
	}
	keys := sv.TextKeys()
	var out []PhraseVoice
	for i, key := range keys {
		if slices.Contains(keys[:i], key) {
			continue // a key two choices share is one phrase
		}
		for _, lang := range sv.Languages {
			r, audio := draft[lang][key], draftAudioPrefix+shelf(sv.ID, sv.Version)
			if r == nil {
				r, audio = studio[lang][key], audioPrefix
			}
			if r == nil || r.Phrase.Source != voice.SourceRecorded || len(r.Phrase.Files) == 0 ||
				r.Phrase.TextSha256 != voice.TextSha256(sv.Texts[lang][key]) {
				continue
			}
			f, ok := r.Phrase.File(voice.CodecOpus)
			if !ok {
				f = r.Phrase.Files[0]
			}
			out = append(out, PhraseVoice{Lang: lang, Key: key, File: f, at: phraseKey(audio, lang, key) + "/" + f.File})
		}
	}
	return out, nil
}

// PhraseVoiceData reads the file of a recording SurveyVoice found.
func (s *DB) PhraseVoiceData(v PhraseVoice) ([]byte, error) { return s.get([]byte(v.at)) }

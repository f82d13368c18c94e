// Package studio is the translators' side of Sova: every phrase a language
// needs, the words and voice translators gave them on top of what Sova ships,
// how much of each language is recorded, and packs as zip files for those who
// work offline.
//
// What Sova ships (i18n catalogs, built-in surveys, the synthetic packs in
// assets/audio) is never changed; translators' work lives in the store and
// is laid over it whenever the member site is built (Content). So a recorded
// phrase always wins over a synthetic one, and upgrading Sova never loses a
// recording.
package studio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sova/i18n"
	"sova/server/domain"
	"sova/server/store"
	"sova/server/voice"
)

// MaxText bounds a phrase's text: a prompt is a sentence or two.
const MaxText = 500

// convertTimeout bounds one recording's conversion; a 30 s phrase takes
// about a second.
const convertTimeout = time.Minute

// converting holds a place for each conversion running, at most one per core.
var converting = make(chan struct{}, max(1, runtime.NumCPU()-1))

// Voice states of a phrase, as the studio shows them.
const (
	Recorded  = "recorded"  // a person read out its current text
	Outdated  = "outdated"  // recorded, but its text changed since
	Synthetic = "synthetic" // only the machine voice
	Silent    = "none"      // no voice at all
)

// Studio reads and records translators' work.
type Studio struct {
	db       *store.DB
	audio    fs.FS // the shipped packs' root
	catalogs []*i18n.Catalog
	surveys  func() []*domain.Survey
	now      func() time.Time
	// Limits bound each recording (voice.RecordingLimits by default).
	Limits voice.Limits
}

// New makes a studio over db, with Sova's shipped catalogs and packs; surveys
// lists the surveys members get, whose texts need voice too.
func New(db *store.DB, audio fs.FS, catalogs []*i18n.Catalog, surveys func() []*domain.Survey, now func() time.Time) *Studio {
	if now == nil {
		now = time.Now
	}
	return &Studio{db: db, audio: audio, catalogs: catalogs, surveys: surveys, now: now, Limits: voice.RecordingLimits}
}

// Languages are the languages members can choose, in code order.
func (s *Studio) Languages() []*i18n.Catalog { return s.catalogs }

// Catalog returns lang's shipped catalog, or nil.
func (s *Studio) Catalog(lang string) *i18n.Catalog {
	for _, c := range s.catalogs {
		if c.Lang == lang {
			return c
		}
	}
	return nil
}

// Phrase is one thing the app says in a language.
type Phrase struct {
	Key     string
	Survey  string // the survey's id; "" for the app's own words
	Text    string // what members read and hear
	Shipped string // the text Sova ships; Text differs when a translator edited it
	Voice   string // Recorded, Outdated, Synthetic or Silent
	By      string // who recorded it, for Recorded and Outdated
	// Edit is the console page where staff write the words of the
	// organisation's own phrases (domain.ContentPhrases); "" for the
	// app's and the surveys' words, which are edited in the studio.
	Edit string
	// Set by Screens: the icon a member sees beside the words, and the
	// words translated (in SourceLang), "" where they are lang's own.
	Icon, Source, SourceLang string
}

// Phrases lists every phrase of lang: the app's words by key, then each
// survey's in the order members meet them.
func (s *Studio) Phrases(lang string) ([]Phrase, error) {
	cat := s.Catalog(lang)
	if cat == nil {
		return nil, missing("lang.none", "there is no language \"{lang}\"", "lang", lang)
	}
	edits, err := s.db.Texts(lang)
	if err != nil {
		return nil, err
	}
	recs, err := s.db.Recordings(lang)
	if err != nil {
		return nil, err
	}
	spoken, err := s.db.Spoken(lang)
	if err != nil {
		return nil, err
	}
	content, err := s.content(lang)
	if err != nil {
		return nil, err
	}
	pack, err := voice.OpenPack(s.audio, lang)
	if err != nil {
		return nil, err
	}
	var out []Phrase
	seen := map[string]bool{}
	add := func(key, survey, shipped, edit string) {
		if seen[key] {
			return
		}
		seen[key] = true
		p := Phrase{Key: key, Survey: survey, Text: shipped, Shipped: shipped, Voice: Silent, Edit: edit}
		if e := edits[key]; e != nil && edit == "" {
			p.Text = e.Text
		}
		ph, ok := pack.Phrases[key]
		if r := spoken[key]; r != nil && r.Phrase.TextSha256 == voice.TextSha256(p.Text) {
			ph, ok = r.Phrase, true
		}
		if r := recs[key]; r != nil && (edit == "" || r.Phrase.TextSha256 == voice.TextSha256(p.Text)) {
			ph, ok, p.By = r.Phrase, true, r.By
		}
		switch {
		case !ok:
		case ph.Source == voice.SourceRecorded && ph.TextSha256 == voice.TextSha256(p.Text):
			p.Voice = Recorded
		case ph.Source == voice.SourceRecorded:
			p.Voice = Outdated
		default:
			p.Voice = Synthetic
		}
		out = append(out, p)
	}
	texts := cat.Texts()
	for _, key := range slices.Sorted(maps.Keys(texts)) {
		add(key, "", texts[key], "")
	}
	// A count said aloud ("3 answers are waiting"): recorded like any
	// phrase, worded in the language's catalog file (its plural forms).
	counts := cat.Counts()
	for _, key := range slices.Sorted(maps.Keys(counts)) {
		add(key, "", counts[key], CatalogFile)
	}
	// Before the surveys: the reporting form's area names are the
	// organisation's words too.
	for _, c := range content {
		add(c.Key, "", c.Text, c.Edit)
	}
	for _, sv := range s.surveys() {
		if !sv.HasLanguage(lang) {
			continue
		}
		for _, key := range sv.TextKeys() {
			add(key, sv.ID, sv.Texts[lang][key], "")
		}
	}
	return out, nil
}

// CatalogFile is the Edit of a phrase worded only in the language's catalog
// file: a plural message said for one count.
const CatalogFile = "catalog"

// Coverage is how much of a language has a person's voice.
type Coverage struct {
	Lang     string
	Total    int
	Recorded int
	Missing  []Phrase // synthetic, outdated or silent
}

// Percent is Recorded out of Total, rounded down: 100 only when nothing is
// missing.
func (c Coverage) Percent() int {
	if c.Total == 0 {
		return 100
	}
	return c.Recorded * 100 / c.Total
}

// Coverage counts lang's recorded phrases and lists the others.
func (s *Studio) Coverage(lang string) (Coverage, error) {
	phrases, err := s.Phrases(lang)
	if err != nil {
		return Coverage{}, err
	}
	return CoverageOf(lang, phrases), nil
}

// CoverageOf is the coverage of phrases, lang's as Phrases listed them.
func CoverageOf(lang string, phrases []Phrase) Coverage {
	c := Coverage{Lang: lang, Total: len(phrases)}
	for _, p := range phrases {
		if p.Voice == Recorded {
			c.Recorded++
		} else {
			c.Missing = append(c.Missing, p)
		}
	}
	return c
}

// phrase finds key among lang's phrases.
func (s *Studio) phrase(lang, key string) (Phrase, error) {
	phrases, err := s.Phrases(lang)
	if err != nil {
		return Phrase{}, err
	}
	for _, p := range phrases {
		if p.Key == key {
			return p, nil
		}
	}
	return Phrase{}, noPhrase(lang, key)
}

// noPhrase refuses a key lang does not have.
func noPhrase(lang, key string) *Error {
	return missing("phrase.none", "{lang} has no phrase \"{key}\"", "lang", lang, "key", key)
}

// Record checks and converts a recording of lang's phrase key (any common
// audio format) and makes it the phrase's voice. A refused recording
// (an Error) changes nothing: the voice the phrase had stays.
func (s *Studio) Record(ctx context.Context, lang, key string, by *domain.Staff, audio []byte) error {
	return s.recordPhrase(ctx, lang, key, by, audio, s.audit(by, "voice recorded", lang+"/"+key)...)
}

// recordPhrase records the phrase's words as they are now.
func (s *Studio) recordPhrase(ctx context.Context, lang, key string, by *domain.Staff, audio []byte, audit ...domain.AuditEntry) error {
	p, err := s.phrase(lang, key)
	if err != nil {
		return err
	}
	return s.record(ctx, lang, key, by, p.Text, "", audio, audit...)
}

// audit is the record of a translator's change, kept with it. by is nil
// for the command line, where nobody is signed in.
func (s *Studio) audit(by *domain.Staff, action, target string) []domain.AuditEntry {
	name := "(command line)"
	if by != nil {
		name = by.Login
	}
	return []domain.AuditEntry{{Time: s.now().UTC(), Staff: name, Action: action, Target: target}}
}

// staffID is who the studio names beside a recording or text.
func staffID(by *domain.Staff) string {
	if by == nil {
		return ""
	}
	return by.ID
}

// record converts audio into the voice of key, read from text. textSha256,
// when set, names the words it was recorded for instead (an imported
// recording may be of older words, and must show as such).
func (s *Studio) record(ctx context.Context, lang, key string, by *domain.Staff, text, textSha256 string, audio []byte, audit ...domain.AuditEntry) error {
	r, err := s.convert(ctx, lang, key, by, text, audio)
	if err != nil {
		return err
	}
	if textSha256 != "" {
		r.Phrase.TextSha256 = textSha256
	}
	return s.db.PutRecording(lang, key, r, audit...)
}

// convert checks audio (s.Limits) and converts it into the voice of key,
// read from text, ready to store. A refused file is an Error.
func (s *Studio) convert(ctx context.Context, lang, key string, by *domain.Staff, text string, audio []byte) (*store.Recording, error) {
	enc, err := bounded(ctx, func(ctx context.Context) (*voice.Encoded, error) {
		return voice.Convert(ctx, lang, key, text, audio, s.Limits)
	})
	if err != nil {
		return nil, recordingRefused(err)
	}
	from := sha256.Sum256(audio)
	return &store.Recording{Phrase: enc.Phrase, Data: enc.Data, By: staffID(by), Day: s.day(), From: hex.EncodeToString(from[:])}, nil
}

// bounded runs an ffmpeg job (a conversion, or Sova speaking): they take a
// core each for about a second, so a few at a time and none for ever, and
// members' syncs keep the CPU they need.
func bounded(ctx context.Context, job func(context.Context) (*voice.Encoded, error)) (*voice.Encoded, error) {
	select {
	case converting <- struct{}{}:
		defer func() { <-converting }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, convertTimeout)
	defer cancel()
	return job(ctx)
}

// SetText words lang's phrase key anew. The shipped text again removes the
// edit. A recording of the old words shows as outdated until recorded again.
func (s *Studio) SetText(lang, key, text string, by *domain.Staff) error {
	return s.setText(lang, key, text, by, s.audit(by, "text edited", lang+"/"+key)...)
}

func (s *Studio) setText(lang, key, text string, by *domain.Staff, audit ...domain.AuditEntry) error {
	p, err := s.phrase(lang, key)
	if err != nil {
		return err
	}
	if p.Edit == CatalogFile {
		return invalid("text.count", "these words change with a number: change them in {file}, or record them as they are", "file", "i18n/"+lang+".json")
	}
	if p.Edit != "" {
		return invalid("text.own", "these are the organisation's own words: change them at {page}", "page", p.Edit)
	}
	// Only the ends are trimmed, and the text is not Unicode-normalised:
	// NFC would reorder Arabic's shadda after the vowel mark, which
	// espeak-ng then misreads.
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return invalid("text.empty", "the phrase needs words; to go back to what Sova ships, type: {shipped}", "shipped", p.Shipped)
	case utf8.RuneCountInString(text) > MaxText:
		return invalid("text.long", "the phrase is {length} characters long; at most {max} fit on a phone's screen", "length", utf8.RuneCountInString(text), "max", MaxText)
	case !utf8.ValidString(text):
		return invalid("text.utf8", "the text is not valid UTF-8")
	case text == p.Shipped:
		return s.db.DeleteText(lang, key, audit...)
	}
	return s.db.PutText(lang, key, &store.TextEdit{Text: text, By: staffID(by), Day: s.day()}, audit...)
}

func (s *Studio) day() string { return s.now().UTC().Format(time.DateOnly) }

// Content is what members get: every language's texts with translators'
// edits, and its voice with their recordings.
type Content struct {
	Catalogs []*i18n.Catalog
	Surveys  []*domain.Survey
	Packs    map[string]*voice.Pack
}

// Content lays translators' work over what Sova ships.
func (s *Studio) Content() (*Content, error) {
	c := &Content{Surveys: s.surveys(), Packs: map[string]*voice.Pack{}}
	for _, cat := range s.catalogs {
		edits, err := s.db.Texts(cat.Lang)
		if err != nil {
			return nil, err
		}
		content, err := s.content(cat.Lang)
		if err != nil {
			return nil, err
		}
		words := make(map[string]string, len(edits))
		for k, e := range edits {
			words[k] = e.Text
		}
		// The organisation's own words are as staff wrote them, whatever a
		// translator edited under the same key before they were.
		for _, c := range content {
			delete(words, c.Key)
		}
		c.Catalogs = append(c.Catalogs, cat.WithTexts(words))
		for i, sv := range c.Surveys {
			c.Surveys[i] = reworded(sv, cat.Lang, words)
		}
		if c.Packs[cat.Lang], err = s.pack(cat.Lang, content); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// reworded returns sv with lang's texts edited, copying only what changes:
// the stored survey is shared and must stay as published.
func reworded(sv *domain.Survey, lang string, words map[string]string) *domain.Survey {
	texts := sv.Texts[lang]
	var changed map[string]string
	for k, w := range words {
		if old, ok := texts[k]; ok && old != w {
			if changed == nil {
				changed = maps.Clone(texts)
			}
			changed[k] = w
		}
	}
	if changed == nil {
		return sv
	}
	cp := *sv
	cp.Texts = maps.Clone(sv.Texts)
	cp.Texts[lang] = changed
	return &cp
}

// Pack is lang's voice pack as members get it.
func (s *Studio) Pack(lang string) (*voice.Pack, error) {
	content, err := s.content(lang)
	if err != nil {
		return nil, err
	}
	return s.pack(lang, content)
}

// pack is Pack with lang's content phrases already read.
func (s *Studio) pack(lang string, content []domain.ContentPhrase) (*voice.Pack, error) {
	pack, err := voice.OpenPack(s.audio, lang)
	if err != nil {
		return nil, err
	}
	current := map[string]string{}
	for _, c := range content {
		current[c.Key] = voice.TextSha256(c.Text)
	}
	spoken, err := s.db.Spoken(lang)
	if err != nil {
		return nil, err
	}
	for key, r := range spoken {
		// Only the voice of the words as they are now: until SpeakContent
		// catches up with an edit, they show without voice rather than
		// with the old words'.
		if current[key] != r.Phrase.TextSha256 {
			continue
		}
		data, err := s.db.SpokenData(lang, key)
		if err != nil {
			return nil, err
		}
		// SpeakContent may replace or drop it between the two reads; it
		// is Sova's own voice, made again at will, so skip it this time.
		if pack.Put(key, r.Phrase, data) != nil {
			continue
		}
	}
	recs, err := s.db.Recordings(lang)
	if err != nil {
		return nil, err
	}
	for key, r := range recs {
		// A recording of the organisation's older words (a service's old
		// hours, say) would mislead: Sova's own voice of the new words
		// speaks instead until someone records them again.
		if sum, ok := current[key]; ok && sum != r.Phrase.TextSha256 {
			continue
		}
		data, err := s.db.RecordingData(lang, key)
		if err != nil {
			return nil, err
		}
		if err := pack.Put(key, r.Phrase, data); err != nil {
			return nil, fmt.Errorf("recording %s/%s: %w", lang, key, err)
		}
	}
	return pack, nil
}

// Langs lists the languages by code (domain.Catalogs).
func (s *Studio) Langs() []string {
	out := make([]string, len(s.catalogs))
	for i, cat := range s.catalogs {
		out[i] = cat.Lang
	}
	return out
}

// Text is lang's words for key, or the key where the language has none
// (domain.Catalogs).
func (s *Studio) Text(lang, key string) string {
	if cat := s.Catalog(lang); cat != nil {
		return cat.T(key)
	}
	return key
}

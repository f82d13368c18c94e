// Package voice makes and describes the voice packs: one folder per language
// (assets/audio/<lang>/) holding, for every text key, a small Opus file with an
// MP3 fallback, and a manifest.json that lists them.
//
// A phrase is either recorded by a translator or synthetic: made by espeak-ng as
// a stand-in until somebody records it. Synthesize never overwrites a recorded
// phrase.
package voice

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sync"
)

// ManifestName is the manifest's file name inside a language's pack.
const ManifestName = "manifest.json"

// Where a phrase's voice comes from.
const (
	SourceSynthetic = "synthetic" // made by Synthesize; replaced when its text changes
	SourceRecorded  = "recorded"  // a person's recording; never touched by Synthesize
)

// Codecs and their MIME types, in the order the files of a phrase are listed.
const (
	CodecOpus = "opus"
	CodecMP3  = "mp3"
	MimeOpus  = "audio/webm; codecs=opus"
	MimeMP3   = "audio/mpeg"
)

// Manifest lists the phrases of one language's voice pack.
type Manifest struct {
	Lang string `json:"lang"`
	// Phrases by text key. encoding/json writes map keys sorted, so the file
	// does not churn between runs.
	Phrases map[string]Phrase `json:"phrases"`
}

// Phrase is the voice of one text key.
type Phrase struct {
	Source string `json:"source"`
	// TextSha256 is the hex SHA-256 of the text that was spoken, so that a
	// changed text is noticed (and, for synthetic phrases, made again).
	TextSha256 string `json:"textSha256"`
	Files      []File `json:"files"`
}

// File is one encoding of a phrase, in the same folder as the manifest.
type File struct {
	File     string  `json:"file"`
	Codec    string  `json:"codec"`
	Mime     string  `json:"mime"`
	Sha256   string  `json:"sha256"`
	Bytes    int64   `json:"bytes"`
	Duration float64 `json:"duration"` // seconds
}

// File returns the phrase's file in codec, if it has one.
func (p Phrase) File(codec string) (File, bool) {
	for _, f := range p.Files {
		if f.Codec == codec {
			return f, true
		}
	}
	return File{}, false
}

// TextSha256 is the hash stored in Phrase.TextSha256 for text.
func TextSha256(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

var (
	langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	// A key becomes a file name, so it may not hold a slash or start with a dot.
	keyPattern  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$`)
	filePattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,210}$`)
	hexPattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ValidKey reports whether key can name a phrase (and so its files).
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// LoadManifest reads <lang>/manifest.json from fsys, which is the root of the
// voice packs (the assets/audio folder). A language without a pack gives an
// error that wraps fs.ErrNotExist.
func LoadManifest(fsys fs.FS, lang string) (*Manifest, error) {
	if !langPattern.MatchString(lang) {
		return nil, fmt.Errorf("voice: %q is not a language code", lang)
	}
	name := path.Join(lang, ManifestName)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	m, err := parseOnce(data)
	if err != nil {
		return nil, fmt.Errorf("voice: %s: %w", name, err)
	}
	if m.Lang != lang {
		return nil, fmt.Errorf("voice: %s: lang is %q, want %q", name, m.Lang, lang)
	}
	return m.clone(), nil
}

// parsed holds the shipped manifests already parsed, by their bytes' hash:
// the packs are built in and read again at each rebuild of the site, and
// decoding and checking hundreds of phrases each time was most of it. Only
// LoadManifest uses it, so it holds only files a pack root ships (a few),
// never an upload. Callers get a clone, as packs change their phrases.
var parsed sync.Map // [sha256.Size]byte → *Manifest

func parseOnce(data []byte) (*Manifest, error) {
	sum := sha256.Sum256(data)
	if m, ok := parsed.Load(sum); ok {
		return m.(*Manifest), nil
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, err
	}
	parsed.Store(sum, m)
	return m, nil
}

// clone is a copy of m whose phrases can change without changing m's.
func (m *Manifest) clone() *Manifest {
	c := &Manifest{Lang: m.Lang, Phrases: make(map[string]Phrase, len(m.Phrases))}
	for k, p := range m.Phrases {
		p.Files = slices.Clone(p.Files)
		c.Phrases[k] = p
	}
	return c
}

// ParseManifest decodes and checks a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected text after the manifest")
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Manifest) check() error {
	if !langPattern.MatchString(m.Lang) {
		return fmt.Errorf("lang %q is not a language code", m.Lang)
	}
	if m.Phrases == nil {
		m.Phrases = map[string]Phrase{}
	}
	seen := map[string]string{}
	for key, p := range m.Phrases {
		if !ValidKey(key) {
			return fmt.Errorf("phrase key %q cannot be a file name", key)
		}
		if p.Source != SourceSynthetic && p.Source != SourceRecorded {
			return fmt.Errorf("phrase %q: source %q is neither %q nor %q", key, p.Source, SourceSynthetic, SourceRecorded)
		}
		if !hexPattern.MatchString(p.TextSha256) {
			return fmt.Errorf("phrase %q: textSha256 is not a hex SHA-256", key)
		}
		if len(p.Files) == 0 {
			return fmt.Errorf("phrase %q has no files", key)
		}
		for _, f := range p.Files {
			if !filePattern.MatchString(f.File) || f.File == ManifestName {
				return fmt.Errorf("phrase %q: %q is not a file name in the pack", key, f.File)
			}
			if other, dup := seen[f.File]; dup {
				return fmt.Errorf("phrases %q and %q both list %s", other, key, f.File)
			}
			seen[f.File] = key
			switch {
			case f.Codec == CodecOpus && f.Mime == MimeOpus, f.Codec == CodecMP3 && f.Mime == MimeMP3:
			default:
				return fmt.Errorf("phrase %q: %s has codec %q and mime %q, want opus (%s) or mp3 (%s)", key, f.File, f.Codec, f.Mime, MimeOpus, MimeMP3)
			}
			if !hexPattern.MatchString(f.Sha256) {
				return fmt.Errorf("phrase %q: %s: sha256 is not a hex SHA-256", key, f.File)
			}
			if f.Bytes <= 0 || f.Duration <= 0 {
				return fmt.Errorf("phrase %q: %s: bytes and duration must be positive", key, f.File)
			}
		}
	}
	return nil
}

// encode writes the manifest as indented JSON with sorted keys and a final
// newline, so a regenerated pack diffs line by line.
func (m *Manifest) encode() ([]byte, error) {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

package voice

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// Pack is one language's voice as members get it: the pack Sova ships, with
// translators' recordings laid over it, and every file's bytes at hand.
type Pack struct {
	*Manifest
	base  fs.FS             // the shipped packs' root (assets/audio)
	extra map[string][]byte // files of phrases put over the shipped ones
}

// OpenPack opens lang's shipped pack in fsys, the packs' root. A language
// that ships without voice gets an empty pack, for recordings to fill.
func OpenPack(fsys fs.FS, lang string) (*Pack, error) {
	m, err := LoadManifest(fsys, lang)
	if errors.Is(err, fs.ErrNotExist) {
		if !langPattern.MatchString(lang) {
			return nil, fmt.Errorf("voice: %q is not a language code", lang)
		}
		m, err = &Manifest{Lang: lang, Phrases: map[string]Phrase{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &Pack{Manifest: m, base: fsys, extra: map[string][]byte{}}, nil
}

// Put makes p the voice of key, with data holding each of its files' bytes
// by name. It replaces whatever the pack had for key.
func (p *Pack) Put(key string, ph Phrase, data map[string][]byte) error {
	for _, f := range ph.Files {
		if _, ok := data[f.File]; !ok {
			return fmt.Errorf("voice: phrase %q: no data for %s", key, f.File)
		}
	}
	p.Phrases[key] = ph
	for _, f := range ph.Files {
		p.extra[f.File] = data[f.File]
	}
	return nil
}

// ReadFile returns the bytes of one of the pack's files.
func (p *Pack) ReadFile(name string) ([]byte, error) {
	if data, ok := p.extra[name]; ok {
		return data, nil
	}
	return fs.ReadFile(p.base, path.Join(p.Lang, name))
}

package studio

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"sova/server/domain"
	"sova/server/voice"
)

// A pack as a zip file, for translators who work offline:
//
//	README.txt        how to work on it
//	texts.json        {"lang": "ru", "texts": {key: words}}: edit the words here
//	manifest.json     the voice pack's manifest (voice.Manifest)
//	<key>.webm/.mp3   every phrase's voice as members hear it now
//	recordings/       put new recordings here, named <key>.<any audio extension>
//
// Importing takes changed words, every file in recordings/, and recorded
// phrases from another Sova's export; what is unchanged is skipped, so a
// pack goes back and forth without loss.
const (
	zipTexts      = "texts.json"
	zipRecordings = "recordings/"
	// MaxZip bounds an imported pack: a whole language recorded, with room
	// for uncompressed WAV recordings. It is read from disk, a file at a
	// time, each at most voice.RecordingLimits.MaxBytes.
	MaxZip = 128 << 20
	// maxZipEntries bounds the files in a pack: every phrase twice, and
	// recordings, with room to spare.
	maxZipEntries = 5000
)

const zipReadme = `Sova voice pack: %s (%s)

This is every phrase of one language: its words and its voice.

- To change words: edit texts.json (keep the keys, change only the words).
- To record: use any recorder (a phone's voice recorder is fine). Save each
  phrase as a file named after its key, such as home.title.m4a, and put it
  in the folder recordings/. Any common audio format works.
- To listen to what members hear now: open <key>.webm (or <key>.mp3).
- Then import this zip in the voice studio (Voice studio, your language,
  "Work offline", "Import a pack"), or on the server, with Sova stopped:
  sova voice import -lang %[2]s this-file.zip

Recordings are checked one by one: a silent, damaged or too long one is
reported and skipped. Words changed on the server since this export are
not overwritten; they are reported instead.
`

type zipTextsFile struct {
	Lang  string            `json:"lang"`
	Texts map[string]string `json:"texts"`
	// Was is every text as it was at export, so an import takes only what
	// the translator changed, and refuses what changed on the server since.
	Was map[string]string `json:"was,omitempty"`
	// Edited are the keys whose words were a translator's, not Sova's, at
	// export: another Sova takes those too.
	Edited []string `json:"edited,omitempty"`
}

// Export writes lang's pack as a zip file.
func (s *Studio) Export(w io.Writer, lang string) error {
	phrases, err := s.Phrases(lang)
	if err != nil {
		return err
	}
	pack, err := s.Pack(lang)
	if err != nil {
		return err
	}
	texts := zipTextsFile{Lang: lang, Texts: map[string]string{}, Was: map[string]string{}}
	for _, p := range phrases {
		texts.Texts[p.Key], texts.Was[p.Key] = p.Text, p.Text
		if p.Text != p.Shipped {
			texts.Edited = append(texts.Edited, p.Key)
		}
	}
	zw := zip.NewWriter(w)
	put := func(name string, data []byte, method uint16) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err == nil {
			_, err = f.Write(data)
		}
		return err
	}
	textsJSON, _ := json.MarshalIndent(texts, "", "  ")
	manifestJSON, _ := json.MarshalIndent(pack.Manifest, "", "  ")
	errs := []error{
		put("README.txt", fmt.Appendf(nil, zipReadme, s.Catalog(lang).Name, lang), zip.Deflate),
		put(zipTexts, textsJSON, zip.Deflate),
		put(voice.ManifestName, manifestJSON, zip.Deflate),
		put(zipRecordings, nil, zip.Store),
	}
	for _, key := range slices.Sorted(maps.Keys(pack.Phrases)) {
		for _, f := range pack.Phrases[key].Files {
			data, err := pack.ReadFile(f.File)
			if err != nil {
				return err
			}
			errs = append(errs, put(f.File, data, zip.Store)) // audio does not compress
		}
	}
	errs = append(errs, zw.Close())
	return errors.Join(errs...)
}

// ImportReport says what an import did, phrase by phrase.
type ImportReport struct {
	Texts    []string  // keys whose words changed
	Recorded []string  // keys with a new recording
	Refused  []Refusal // what was not taken, and why
	Skipped  int       // files and words already as they are
}

// Import takes a pack zip (see Export) for lang. One bad recording or word
// is refused alone; the rest is taken. The error is for a file that is not
// a pack of lang at all.
func (s *Studio) Import(ctx context.Context, r io.ReaderAt, size int64, lang string, by *domain.Staff) (*ImportReport, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, invalid("pack.zip", "this is not a zip file ({detail})", "detail", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, invalid("pack.files", "the zip holds {files} files; a pack has at most {max}", "files", len(zr.File), "max", maxZipEntries)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		// What macOS adds when it zips a folder.
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), "._") || path.Base(f.Name) == ".DS_Store" {
			continue
		}
		files[f.Name] = f
	}
	files = unwrapFolder(files)
	if files[zipTexts] == nil && files[voice.ManifestName] == nil && !slices.ContainsFunc(slices.Collect(maps.Keys(files)), isRecording) {
		return nil, invalid("pack.empty", "this zip holds no {texts}, {manifest} or {folder} folder: is it a Sova voice pack?", "texts", zipTexts, "manifest", voice.ManifestName, "folder", zipRecordings)
	}
	// read reads one file, no larger than a recording may be: the zip's own
	// sizes may lie.
	read := func(name string) ([]byte, error) {
		f := files[name]
		if f == nil {
			return nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, s.Limits.MaxBytes+1))
		if int64(len(data)) > s.Limits.MaxBytes {
			return nil, s.TooLarge(-1)
		}
		return data, err
	}

	rep := &ImportReport{}
	refuse := func(key string, err error) {
		rep.Refused = append(rep.Refused, refusal(key, err))
	}
	phrases, err := s.Phrases(lang)
	if err != nil {
		return nil, err
	}
	current := map[string]Phrase{}
	for _, p := range phrases {
		current[p.Key] = p
	}

	// Words first: recordings are of the words as they are after the import.
	if raw, err := read(zipTexts); err != nil || raw != nil {
		var tf zipTextsFile
		if err == nil {
			err = json.Unmarshal(raw, &tf)
		}
		switch {
		case err != nil:
			return nil, invalid("pack.file", "{file} cannot be read: {detail}", "file", zipTexts, "detail", err)
		case tf.Lang != lang:
			return nil, otherLang(tf.Lang, lang)
		}
		for _, key := range slices.Sorted(maps.Keys(tf.Texts)) {
			p, ok := current[key]
			was, known := tf.Was[key]
			if !known {
				was = p.Text // a pack without "was": every difference is the translator's
			}
			text := strings.TrimSpace(tf.Texts[key])
			changedInPack := text != strings.TrimSpace(was)
			carried := !changedInPack && slices.Contains(tf.Edited, key) && p.Text == p.Shipped
			switch {
			case !ok:
				refuse(key, noPhrase(lang, key))
			case text == p.Text || (!changedInPack && !carried):
				rep.Skipped++ // as here, or untouched in the pack
			case changedInPack && p.Text != was && p.Text != p.Shipped:
				refuse(key, invalid("pack.changed", "its words changed here since the pack was exported (now: \"{text}\"); edit them in the studio", "text", p.Text))
			default:
				if err := s.setText(lang, key, tf.Texts[key], by); err != nil {
					refuse(key, err)
					continue
				}
				rep.Texts = append(rep.Texts, key)
			}
		}
	}

	// Recorded phrases from another Sova's export: taken when they differ
	// from what this one has.
	pack, err := s.Pack(lang)
	if err != nil {
		return nil, err
	}
	recs, err := s.db.Recordings(lang)
	if err != nil {
		return nil, err
	}
	if raw, err := read(voice.ManifestName); err != nil || raw != nil {
		m, err := voice.ParseManifest(raw)
		if err != nil {
			return nil, invalid("pack.file", "{file} cannot be read: {detail}", "file", voice.ManifestName, "detail", err)
		}
		if m.Lang != lang {
			return nil, otherLang(m.Lang, lang)
		}
		for _, key := range slices.Sorted(maps.Keys(m.Phrases)) {
			ph := m.Phrases[key]
			if ph.Source != voice.SourceRecorded {
				continue
			}
			if _, ok := current[key]; !ok {
				refuse(key, noPhrase(lang, key))
				continue
			}
			if samePhrase(pack.Phrases[key], ph) || (recs[key] != nil && recs[key].From == sourceFile(ph).Sha256) {
				rep.Skipped++
				continue
			}
			// A recording made here is never replaced by one that comes
			// with a pack: that may be an older export of this very server.
			if recs[key] != nil || pack.Phrases[key].Source == voice.SourceRecorded {
				refuse(key, invalid("pack.recorded", "it is already recorded here; to replace it, put the new recording in {folder} or record it in the studio", "folder", zipRecordings))
				continue
			}
			// Re-encoded, not copied: what members get has always been
			// through ffmpeg's checks here.
			audio, err := phraseAudio(ph, read)
			if err == nil {
				err = s.record(ctx, lang, key, by, current[key].Text, ph.TextSha256, audio)
			}
			if err != nil {
				refuse(key, err)
				continue
			}
			rep.Recorded = append(rep.Recorded, key)
		}
	}

	// New recordings, in any audio format.
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range files {
			if isRecording(name) && !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		base := path.Base(name)
		key := strings.TrimSuffix(base, path.Ext(base))
		if _, ok := current[key]; !ok {
			refuse(key, missing("pack.name", "{file}: no phrase is called \"{key}\"; name each file after its phrase's key", "file", name, "key", key))
			continue
		}
		audio, err := read(name)
		if err == nil {
			err = s.recordPhrase(ctx, lang, key, by, audio)
		}
		if err != nil {
			refuse(key, err)
			continue
		}
		rep.Recorded = append(rep.Recorded, key)
	}
	// One record of the whole import, not one per phrase.
	if len(rep.Texts)+len(rep.Recorded) > 0 {
		if err := s.db.Audit(s.audit(by, "voice pack imported", lang)...); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// otherLang refuses a pack of another language.
func otherLang(pack, lang string) *Error {
	return invalid("pack.lang", "this is the pack of \"{pack}\", not \"{lang}\"", "pack", pack, "lang", lang)
}

// isRecording reports whether a zip entry is a file in recordings/.
func isRecording(name string) bool {
	rest, ok := strings.CutPrefix(name, zipRecordings)
	return ok && rest != "" && !strings.HasSuffix(rest, "/")
}

// unwrapFolder takes a pack out of the one folder it may sit in: unzipping
// a pack and zipping its folder again is what most people do.
func unwrapFolder(files map[string]*zip.File) map[string]*zip.File {
	var dir string
	for name := range files {
		top, _, found := strings.Cut(name, "/")
		if !found || (dir != "" && top != dir) || top+"/" == zipRecordings {
			return files
		}
		dir = top
	}
	out := make(map[string]*zip.File, len(files))
	for name, f := range files {
		if rest := strings.TrimPrefix(name, dir+"/"); rest != "" {
			out[rest] = f
		}
	}
	return out
}

// samePhrase reports whether two phrases have the same files.
func samePhrase(a, b voice.Phrase) bool {
	return slices.EqualFunc(a.Files, b.Files, func(x, y voice.File) bool { return x.Sha256 == y.Sha256 })
}

// sourceFile is the file of an imported phrase that is converted: Opus, the
// better of the two, else the first.
func sourceFile(ph voice.Phrase) voice.File {
	if f, ok := ph.File(voice.CodecOpus); ok {
		return f
	}
	return ph.Files[0]
}

// phraseAudio reads a phrase's source file from the zip and checks it
// against its manifest entry.
func phraseAudio(ph voice.Phrase, read func(string) ([]byte, error)) ([]byte, error) {
	f := sourceFile(ph)
	data, err := read(f.File)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if data == nil || hex.EncodeToString(sum[:]) != f.Sha256 || int64(len(data)) != f.Bytes {
		return nil, invalid("pack.mismatch", "{file} is missing or does not match {manifest}", "file", f.File, "manifest", voice.ManifestName)
	}
	return data, nil
}

package voice

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Encoding settings of synthetic phrases. They keep within the budget of the
// brief (B3): Opus ≤ 16 kbps mono, MP3 ≤ 32 kbps mono, and one survey's voice
// in one language ≤ 300 KB of Opus files. The last is the tight one: the needs
// survey is about three minutes of speech, and each small file carries about
// 500 bytes of WebM headers, so Opus aims at 10 kbps, not 16.
//
// Changing them does not by itself remake existing phrases (only a changed
// text does): delete the synthetic phrases' files and manifest entries, or the
// whole pack if nothing in it is recorded, and run voicegen again.
const (
	WordsPerMinute = 150

	OpusBitrate    = 10000 // bits/s, the codec's target (VBR); container overhead aside
	OpusSampleRate = 16000 // wideband: plenty for speech
	// 60 ms frames instead of 20 ms: a third of the packets and so of the
	// per-packet container overhead.
	OpusFrameMillis = 60

	MP3Bitrate    = 32000 // constant bitrate
	MP3SampleRate = 22050
)

// tuning is a language's speaking rate and Opus bitrate. Arabic needs its
// own: voweled Arabic has about 1.7× the syllables of the English texts, and
// at the default settings the needs survey's voice came to 379 KB. A little
// faster and at 8 kbps it fits B3 and stays clear for speech.
type tuning struct{ wpm, opusBitrate int }

var tunings = map[string]tuning{"ar": {175, 8000}}

func tuningOf(lang string) tuning {
	if t, ok := tunings[lang]; ok {
		return t
	}
	return tuning{WordsPerMinute, OpusBitrate}
}

// silenceTrim removes leading and trailing silence, keeping 50 ms at each end
// so that the first sound is not clipped. Silence is only removed from the
// start, so the sound is reversed to trim its end too.
const silenceTrim = "silenceremove=start_periods=1:start_silence=0.05:start_threshold=-50dB," +
	"areverse," +
	"silenceremove=start_periods=1:start_silence=0.05:start_threshold=-50dB," +
	"areverse"

// Voices maps a language code to the espeak-ng voice that speaks it. A
// language not listed here uses its own code as the voice name, which suits
// most of espeak-ng's languages (see `espeak-ng --voices`).
var Voices = map[string]string{
	"en": "en",
	"ru": "ru",
}

// tool is a program the voice packs need, and the Debian package that
// provides it.
type tool struct{ name, pkg string }

// Convert needs only ffmpeg, so a server can take recordings without espeak-ng.
var (
	ffmpegTools = []tool{{"ffmpeg", "ffmpeg"}, {"ffprobe", "ffmpeg"}}
	synthTools  = append([]tool{{"espeak-ng", "espeak-ng"}}, ffmpegTools...)
)

// CheckTools returns an error naming the Debian package to install when a
// program Synthesize needs is missing.
func CheckTools() error { return checkTools(synthTools) }

func checkTools(tools []tool) error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(t.name); err != nil {
			missing = append(missing, t.pkg)
		}
	}
	if missing == nil {
		return nil
	}
	return &MissingToolsError{Packages: missing}
}

// MissingToolsError names the Debian packages voice work needs and this
// machine lacks.
type MissingToolsError struct{ Packages []string }

func (e *MissingToolsError) Error() string {
	p := strings.Join(e.Packages, " ")
	return "voice: " + p + " not found: install the Debian packages (apt-get install " + p + ")"
}

// Synthesize makes the synthetic voice of every text (key → words) in
// language lang, into the pack folder dir, and writes dir/manifest.json.
//
// texts is the complete set of phrases the pack should have:
//   - a key without a phrase, or whose synthetic phrase was made from another
//     text or whose files are missing or changed, is synthesized;
//   - a synthetic phrase whose text is unchanged and whose files are intact is
//     kept as it is, so a rerun changes nothing;
//   - a recorded phrase is never overwritten or removed, even when its text
//     changed (the translator has to record it again);
//   - a synthetic phrase whose key is not in texts any more is removed with
//     its files.
//
// Each phrase is spoken by espeak-ng (voice Voices[lang], WordsPerMinute) into
// a WAV file in a temporary folder, trimmed of silence at both ends, and
// encoded by ffmpeg to <key>.webm (Opus) and <key>.mp3. The encoders run in
// bit-exact mode without metadata, so the same text, with the same versions of
// espeak-ng and ffmpeg, gives the same bytes.
//
// When some phrases fail, the others are still written to the manifest, and
// the error names every failed key.
func Synthesize(ctx context.Context, lang string, texts map[string]string, dir string) error {
	if !langPattern.MatchString(lang) {
		return fmt.Errorf("voice: %q is not a language code", lang)
	}
	for key, text := range texts {
		if !ValidKey(key) {
			return fmt.Errorf("voice: key %q cannot be a file name (letters, digits, '_', '.', '-'; not starting with '.')", key)
		}
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("voice: key %q has no text", key)
		}
	}
	if err := CheckTools(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	m, err := readManifest(dir, lang)
	if err != nil {
		return err
	}

	// Remove synthetic phrases nobody asks for any more.
	for key, p := range m.Phrases {
		if _, wanted := texts[key]; wanted || p.Source == SourceRecorded {
			continue
		}
		for _, f := range p.Files {
			if err := os.Remove(filepath.Join(dir, f.File)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("voice: removing stale %s: %w", f.File, err)
			}
		}
		delete(m.Phrases, key)
	}

	var todo []string
	for key, text := range texts {
		p, ok := m.Phrases[key]
		switch {
		case ok && p.Source == SourceRecorded:
		case ok && p.TextSha256 == TextSha256(text) && filesIntact(dir, p):
		default:
			todo = append(todo, key)
		}
	}
	slices.Sort(todo)
	if len(todo) == 0 {
		return writeManifest(dir, m)
	}

	// Work files live inside dir so that finished files are renamed into
	// place atomically (a rename across file systems would fail).
	tmp, err := os.MkdirTemp(dir, ".synth-")
	if err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	defer os.RemoveAll(tmp)

	voiceName := voiceOf(lang)

	var (
		mu     sync.Mutex
		errs   []error
		wg     sync.WaitGroup
		jobs   = make(chan string)
		worker = func() {
			defer wg.Done()
			for key := range jobs {
				p, err := synthesizeOne(ctx, tmp, dir, voiceName, tuningOf(lang), key, texts[key])
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("voice: %s %q: %w", lang, key, err))
				} else {
					m.Phrases[key] = p
				}
				mu.Unlock()
			}
		}
	)
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	wg.Add(workers)
	for range workers {
		go worker()
	}
feed:
	for _, key := range todo {
		select {
		case jobs <- key:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		errs = append(errs, fmt.Errorf("voice: %w", err))
	}
	// The manifest lists what was made even when something failed, so that
	// the files on disk and the manifest agree.
	if err := writeManifest(dir, m); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// voiceOf is espeak-ng's voice for lang.
func voiceOf(lang string) string {
	if v := Voices[lang]; v != "" {
		return v
	}
	return lang
}

// Speak synthesizes one phrase as Synthesize does, but in memory: for the
// words an organisation writes while Sova runs (service names, information
// pages), which no pack on disk holds.
func Speak(ctx context.Context, lang, key, text string) (*Encoded, error) {
	if !ValidKey(key) || strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("voice: cannot speak %q: %q", key, text)
	}
	if err := CheckTools(); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "sova-speak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	p, err := synthesizeOne(ctx, tmp, tmp, voiceOf(lang), tuningOf(lang), key, text)
	if err != nil {
		return nil, fmt.Errorf("voice: %s %q: %w", lang, key, err)
	}
	enc := &Encoded{Phrase: p, Data: map[string][]byte{}}
	for _, f := range p.Files {
		if enc.Data[f.File], err = os.ReadFile(filepath.Join(tmp, f.File)); err != nil {
			return nil, err
		}
	}
	return enc, nil
}

// synthesizeOne speaks text into tmp and moves the encoded files into dir.
func synthesizeOne(ctx context.Context, tmp, dir, voiceName string, tune tuning, key, text string) (Phrase, error) {
	wav := filepath.Join(tmp, key+".wav")
	espeak := exec.CommandContext(ctx, "espeak-ng",
		"-v", voiceName,
		"-s", strconv.Itoa(tune.wpm),
		"-b", "1", // the text is UTF-8
		"-w", wav,
	)
	espeak.Stdin = strings.NewReader(text) // never an argument: a text may start with '-'
	if err := run(espeak); err != nil {
		return Phrase{}, err
	}

	files, err := encode(ctx, wav, tmp, key, silenceTrim, tune)
	if err != nil {
		return Phrase{}, err
	}
	// Move both files only once both were made, so a phrase is whole or absent.
	for _, f := range files {
		if err := os.Rename(filepath.Join(tmp, f.File), filepath.Join(dir, f.File)); err != nil {
			return Phrase{}, err
		}
	}
	return Phrase{Source: SourceSynthetic, TextSha256: TextSha256(text), Files: files}, nil
}

// encode makes a phrase's files, <key>.webm and <key>.mp3, from wav into dir,
// filtering the sound through af first. Synthetic and recorded phrases share
// it so that both keep the budget of the brief (B3) and play alike.
func encode(ctx context.Context, wav, dir, key, af string, tune tuning) ([]File, error) {
	outputs := []struct {
		file, codec, mime string
		args              []string
	}{
		{key + ".webm", CodecOpus, MimeOpus, []string{
			"-ar", strconv.Itoa(OpusSampleRate),
			"-c:a", "libopus", "-b:a", strconv.Itoa(tune.opusBitrate), "-vbr", "on",
			"-application", "voip", "-frame_duration", strconv.Itoa(OpusFrameMillis),
			"-f", "webm",
		}},
		{key + ".mp3", CodecMP3, MimeMP3, []string{
			"-ar", strconv.Itoa(MP3SampleRate),
			"-c:a", "libmp3lame", "-b:a", strconv.Itoa(MP3Bitrate),
			// No Xing/LAME tag or ID3 header: the file is only audio frames,
			// byte-stable and exactly at the bitrate.
			"-write_xing", "0", "-id3v2_version", "0",
			"-f", "mp3",
		}},
	}
	var files []File
	for _, o := range outputs {
		out := filepath.Join(dir, o.file)
		args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
			"-i", wav,
			"-af", af,
			"-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
			"-ac", "1",
		}
		args = append(args, o.args...)
		args = append(args, out)
		if err := run(exec.CommandContext(ctx, "ffmpeg", args...)); err != nil {
			return nil, err
		}
		if o.codec == CodecOpus {
			if err := slimFile(out); err != nil {
				return nil, err
			}
		}
		dur, err := Duration(ctx, out)
		if err != nil {
			return nil, err
		}
		sum, size, err := hashFile(out)
		if err != nil {
			return nil, err
		}
		files = append(files, File{File: o.file, Codec: o.codec, Mime: o.mime, Sha256: sum, Bytes: size, Duration: dur})
	}
	return files, nil
}

// Duration asks ffprobe for the length of an audio file in seconds, rounded to
// milliseconds.
func Duration(ctx context.Context, file string) (float64, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error",
		"-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", file)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := run(cmd); err != nil {
		return 0, err
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil || d <= 0 || math.IsInf(d, 0) || math.IsNaN(d) {
		return 0, fmt.Errorf("ffprobe: no duration for %s (got %q)", filepath.Base(file), strings.TrimSpace(out.String()))
	}
	return math.Round(d*1000) / 1000, nil
}

// run runs cmd and, when it fails, returns its error output with the error.
func run(cmd *exec.Cmd) error {
	var stderr bytes.Buffer
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		if msg != "" {
			return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, msg)
		}
		return fmt.Errorf("%s: %w", filepath.Base(cmd.Path), err)
	}
	return nil
}

func hashFile(name string) (sum string, size int64, err error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return "", 0, err
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]), int64(len(data)), nil
}

// filesIntact reports whether every file of p is in dir with its recorded
// size and hash.
func filesIntact(dir string, p Phrase) bool {
	for _, f := range p.Files {
		sum, size, err := hashFile(filepath.Join(dir, f.File))
		if err != nil || sum != f.Sha256 || size != f.Bytes {
			return false
		}
	}
	return len(p.Files) > 0
}

// readManifest reads dir's manifest, or starts an empty one.
func readManifest(dir, lang string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Lang: lang, Phrases: map[string]Phrase{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("voice: %s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Lang != lang {
		return nil, fmt.Errorf("voice: %s is the pack of %q, not %q", dir, m.Lang, lang)
	}
	return m, nil
}

// writeManifest replaces dir's manifest atomically, and leaves it untouched
// when nothing changed.
func writeManifest(dir string, m *Manifest) error {
	data, err := m.encode()
	if err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	name := filepath.Join(dir, ManifestName)
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	f, err := os.CreateTemp(dir, ".manifest-")
	if err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), name)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("voice: writing %s: %w", name, werr)
	}
	return nil
}

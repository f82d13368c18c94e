package voice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Budgets of the brief (B3).
const (
	budgetOpusBits   = 16000
	budgetMP3Bits    = 32000
	budgetSurveyOpus = 300_000 // bytes of Opus for one survey in one language
)

// requireTools fails (never skips) when the encoders are missing: the voice
// packs cannot be checked or made without them.
func requireTools(t *testing.T) {
	t.Helper()
	if err := CheckTools(); err != nil {
		t.Fatal(err)
	}
}

// probe returns the sample rate and channels of file's audio stream and its
// codec bitrate: the bytes of its audio packets (not the container) per second.
func probe(t *testing.T, file string) (rate, channels int, codec string, bitsPerSec float64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "a:0",
		"-show_entries", "stream=codec_name,sample_rate,channels:format=duration",
		"-of", "json", file).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", file, err)
	}
	var info struct {
		Streams []struct {
			Codec      string `json:"codec_name"`
			SampleRate string `json:"sample_rate"`
			Channels   int    `json:"channels"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &info); err != nil || len(info.Streams) != 1 {
		t.Fatalf("ffprobe %s: %s", file, out)
	}
	pk, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "a:0",
		"-show_entries", "packet=size", "-of", "csv=p=0", file).Output()
	if err != nil {
		t.Fatalf("ffprobe packets %s: %v", file, err)
	}
	var total int
	for _, f := range strings.Fields(string(pk)) {
		n, err := strconv.Atoi(strings.Trim(f, ","))
		if err != nil {
			t.Fatalf("ffprobe packets %s: %q", file, f)
		}
		total += n
	}
	dur, _ := strconv.ParseFloat(info.Format.Duration, 64)
	rate, _ = strconv.Atoi(info.Streams[0].SampleRate)
	if dur <= 0 {
		t.Fatalf("%s: no duration", file)
	}
	return rate, info.Streams[0].Channels, info.Streams[0].Codec, float64(total) * 8 / dur
}

// checkPack checks that every file the manifest lists is in dir with the
// listed size and hash, and that dir holds no file the manifest does not list.
func checkPack(t *testing.T, dir string, m *Manifest) {
	t.Helper()
	listed := map[string]bool{ManifestName: true}
	for key, p := range m.Phrases {
		if len(p.Files) != 2 {
			t.Errorf("%s: %s has %d files, want opus and mp3", dir, key, len(p.Files))
		}
		for _, codec := range []string{CodecOpus, CodecMP3} {
			if _, ok := p.File(codec); !ok {
				t.Errorf("%s: %s has no %s file", dir, key, codec)
			}
		}
		for _, f := range p.Files {
			listed[f.File] = true
			sum, size, err := hashFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Errorf("%s: %s: %v", dir, key, err)
				continue
			}
			if sum != f.Sha256 || size != f.Bytes {
				t.Errorf("%s: %s: file has sha256 %s and %d bytes, manifest says %s and %d", dir, f.File, sum, size, f.Sha256, f.Bytes)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("%s: %s is not in the manifest (left over, or made by hand?)", dir, e.Name())
		}
	}
}

func TestSynthesize(t *testing.T) {
	requireTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := t.TempDir()
	dir := filepath.Join(base, "en")
	texts := map[string]string{
		"t.hello": "Hello. How safe do you feel at work?",
		"t.bye":   "Thank you. Your answers will be sent later.",
	}
	if err := Synthesize(ctx, "en", texts, dir); err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifest(os.DirFS(base), "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadManifest(os.DirFS(base), "ru"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadManifest of a missing pack: %v, want fs.ErrNotExist", err)
	}
	if len(m.Phrases) != 2 {
		t.Fatalf("manifest has %d phrases, want 2", len(m.Phrases))
	}
	checkPack(t, dir, m)
	for key, text := range texts {
		p := m.Phrases[key]
		if p.Source != SourceSynthetic || p.TextSha256 != TextSha256(text) {
			t.Errorf("%s: source %q, textSha256 %s; want synthetic and the hash of its text", key, p.Source, p.TextSha256)
		}
		for _, f := range p.Files {
			file := filepath.Join(dir, f.File)
			dur, err := Duration(ctx, file)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(dur-f.Duration) > 0.001 || f.Duration < 0.8 || f.Duration > 6 {
				t.Errorf("%s: duration %.3f s in the manifest, %.3f s by ffprobe", f.File, f.Duration, dur)
			}
			rate, channels, codec, bits := probe(t, file)
			if channels != 1 {
				t.Errorf("%s: %d channels, want mono", f.File, channels)
			}
			switch f.Codec {
			case CodecOpus:
				if codec != "opus" || !strings.HasSuffix(f.File, ".webm") || bits > budgetOpusBits {
					t.Errorf("%s: codec %s at %.0f bit/s, want opus in .webm at ≤ %d", f.File, codec, bits, budgetOpusBits)
				}
			case CodecMP3:
				// The whole file, not only its frames, must fit: it has no headers.
				whole := float64(f.Bytes) * 8 / f.Duration
				if codec != "mp3" || rate != MP3SampleRate || whole > budgetMP3Bits*1.01 {
					t.Errorf("%s: codec %s at %d Hz, %.0f bit/s, want mp3 at %d Hz, ≤ %d", f.File, codec, rate, whole, MP3SampleRate, budgetMP3Bits)
				}
			}
			t.Logf("%s: %d bytes, %.2f s, %.1f kbit/s", f.File, f.Bytes, f.Duration, bits/1000)
		}
	}

	manifest := filepath.Join(dir, ManifestName)
	before, _ := os.ReadFile(manifest)

	// A rerun with the same texts changes nothing, byte for byte.
	if err := Synthesize(ctx, "en", texts, dir); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(manifest); !bytes.Equal(before, after) {
		t.Error("a rerun with the same texts changed the manifest")
	}

	// The same text gives the same bytes in another folder: committed packs do not churn.
	other := t.TempDir()
	if err := Synthesize(ctx, "en", map[string]string{"t.hello": texts["t.hello"]}, other); err != nil {
		t.Fatal(err)
	}
	m2, err := readManifest(other, "en")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := m.Phrases["t.hello"].Files, m2.Phrases["t.hello"].Files; !slices.Equal(a, b) {
		t.Errorf("the same text gave different files:\n%+v\n%+v", a, b)
	}

	// A recorded phrase is never overwritten, even when its text changed; a
	// synthetic one whose text changed is made again; one no longer asked
	// for is removed with its files.
	rec := m.Phrases["t.bye"]
	rec.Source = SourceRecorded
	m.Phrases["t.bye"] = rec
	if err := writeManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	changed := map[string]string{
		"t.bye": "A new text that nobody recorded yet.",
		"t.new": "Listen again.",
	}
	if err := Synthesize(ctx, "en", changed, dir); err != nil {
		t.Fatal(err)
	}
	m3, err := readManifest(dir, "en")
	if err != nil {
		t.Fatal(err)
	}
	if got := m3.Phrases["t.bye"]; got.Source != SourceRecorded || !slices.Equal(got.Files, rec.Files) {
		t.Errorf("recorded phrase was changed: %+v", got)
	}
	if got, ok := m3.Phrases["t.new"]; !ok || got.TextSha256 != TextSha256(changed["t.new"]) {
		t.Errorf("new phrase was not made: %+v", got)
	}
	if _, ok := m3.Phrases["t.hello"]; ok {
		t.Error("a synthetic phrase no longer asked for is still in the manifest")
	}
	checkPack(t, dir, m3) // also fails if t.hello's files were left behind
}

func TestSynthesize_RefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	for name, texts := range map[string]map[string]string{
		"path in key":  {"../x": "hi"},
		"hidden key":   {".x": "hi"},
		"empty text":   {"x": "  "},
		"slash in key": {"a/b": "hi"},
	} {
		if err := Synthesize(context.Background(), "en", texts, dir); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Synthesize(context.Background(), "../en", map[string]string{"x": "hi"}, dir); err == nil {
		t.Error("accepted a language code with a path in it")
	}
}

// repoRoot is two folders up from server/voice.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// TestCommittedPacks_MatchManifest checks the voice packs in assets/audio:
// every file matches its manifest entry, no stray file is left, every catalog
// language has a pack, each pack voices every plain catalog message and every
// survey text of its language, and each survey's Opus voice fits the budget.
// After changing a text, run `go run ./server/tools/voicegen`.
func TestCommittedPacks_MatchManifest(t *testing.T) {
	root := repoRoot(t)
	audio := filepath.Join(root, "assets", "audio")

	catalogs, err := filepath.Glob(filepath.Join(root, "i18n", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	wanted := map[string]map[string]string{} // lang → key → where the key comes from
	want := func(lang, key, from string) {
		if wanted[lang] == nil {
			wanted[lang] = map[string]string{}
		}
		wanted[lang][key] = from
	}
	for _, c := range catalogs {
		lang := strings.TrimSuffix(filepath.Base(c), ".json")
		data, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		var cat struct {
			Messages map[string]json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		for key, raw := range cat.Messages {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				want(lang, key, "i18n/"+lang+".json")
			}
		}
	}
	surveyFiles, err := filepath.Glob(filepath.Join(root, "assets", "surveys", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	type survey struct {
		file  string
		Texts map[string]map[string]string `json:"texts"`
	}
	var surveys []survey
	for _, f := range surveyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := survey{file: filepath.Base(f)}
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		surveys = append(surveys, s)
		for lang, texts := range s.Texts {
			for key := range texts {
				want(lang, key, "assets/surveys/"+s.file)
			}
		}
	}

	manifests, err := filepath.Glob(filepath.Join(audio, "*", ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if len(manifests) == 0 {
		t.Fatalf("no voice packs in %s: run go run ./server/tools/voicegen", audio)
	}
	packs := map[string]*Manifest{}
	for _, mf := range manifests {
		lang := filepath.Base(filepath.Dir(mf))
		m, err := LoadManifest(os.DirFS(audio), lang)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		packs[lang] = m
		checkPack(t, filepath.Dir(mf), m)
	}
	for lang, keys := range wanted {
		m := packs[lang]
		if m == nil {
			t.Errorf("language %s has texts but no voice pack in assets/audio/%s: run go run ./server/tools/voicegen", lang, lang)
			continue
		}
		var missing []string
		for key, from := range keys {
			if _, ok := m.Phrases[key]; !ok {
				missing = append(missing, key+" ("+from+")")
			}
		}
		slices.Sort(missing)
		if len(missing) > 0 {
			t.Errorf("voice pack %s lacks %d phrases: %s; run go run ./server/tools/voicegen", lang, len(missing), strings.Join(missing, ", "))
		}
	}
	for _, s := range surveys {
		for lang, texts := range s.Texts {
			m := packs[lang]
			if m == nil {
				continue
			}
			var opus int64
			for key := range texts {
				if f, ok := m.Phrases[key].File(CodecOpus); ok {
					opus += f.Bytes
				}
			}
			t.Logf("survey %s, %s: %d phrases, %d bytes of Opus", s.file, lang, len(texts), opus)
			if opus > budgetSurveyOpus {
				t.Errorf("survey %s in %s: %d bytes of Opus voice, budget %d", s.file, lang, opus, budgetSurveyOpus)
			}
		}
	}
}

package voice

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
)

// recordInChromium records clips with Chromium's MediaRecorder, as the studio
// does: beeps of the fake microphone for 2 and 3 s, and 2 s of a silent Web
// Audio stream (a muted oscillator, since a stream with nothing connected
// records no frames at all). They are recorded at once, to keep the browser's
// time short.
func recordInChromium(t *testing.T) (beeps, longBeeps, silent []byte) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>studio</title>"))
	}))
	defer srv.Close()
	ctx := chrome.New(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	const js = `(async () => {
  const record = async (stream, ms) => {
    const rec = new MediaRecorder(stream, { mimeType: 'audio/webm;codecs=opus' });
    const chunks = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((ok) => { rec.onstop = ok; });
    rec.start();
    await new Promise((ok) => setTimeout(ok, ms));
    rec.stop();
    await stopped;
    const url = await new Promise((ok) => {
      const r = new FileReader();
      r.onload = () => ok(r.result);
      r.readAsDataURL(new Blob(chunks));
    });
    return url.slice(url.indexOf(',') + 1);
  };
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const ac = new AudioContext();
  await ac.resume();
  const quiet = ac.createMediaStreamDestination();
  const osc = ac.createOscillator();
  const mute = ac.createGain();
  mute.gain.value = 0;
  osc.connect(mute).connect(quiet);
  osc.start();
  return Promise.all([record(mic, 2000), record(mic, 3000), record(quiet.stream, 2000)]);
})()`
	clips, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var out [3][]byte
	for i, c := range clips {
		if out[i], err = base64.StdEncoding.DecodeString(c); err != nil {
			t.Fatal(err)
		}
	}
	return out[0], out[1], out[2]
}

// makeMedia has ffmpeg make a file, from lavfi sources, as another recorder would.
func makeMedia(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args = append([]string{"-nostdin", "-v", "error", "-y"}, append(args, out)...)
	if err := run(exec.Command("ffmpeg", args...)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var meanVolume = regexp.MustCompile(`mean_volume: (\S+) dB`)

// checkEncoded checks that enc is a phrase a pack can list and serve: both
// files, within the budget, decodable, as long as the speech and normalised.
func checkEncoded(t *testing.T, enc *Encoded, text string, minSeconds, maxSeconds float64) {
	t.Helper()
	m := Manifest{Lang: "en", Phrases: map[string]Phrase{"t.rec": enc.Phrase}}
	if err := m.check(); err != nil {
		t.Fatalf("not a valid manifest entry: %v", err)
	}
	if p := enc.Phrase; p.Source != SourceRecorded || p.TextSha256 != TextSha256(text) || len(p.Files) != 2 || len(enc.Data) != 2 {
		t.Fatalf("phrase %+v with %d data files; want recorded, the text's hash, 2 files", p, len(enc.Data))
	}
	dir := t.TempDir()
	for _, f := range enc.Phrase.Files {
		if want := map[string]string{CodecOpus: "t.rec.webm", CodecMP3: "t.rec.mp3"}[f.Codec]; f.File != want {
			t.Errorf("%s file is named %s, want %s", f.Codec, f.File, want)
		}
		data := enc.Data[f.File]
		if int64(len(data)) != f.Bytes || TextSha256(string(data)) != f.Sha256 {
			t.Errorf("%s: data has %d bytes and another hash than listed (%d bytes)", f.File, len(data), f.Bytes)
		}
		if f.Duration < minSeconds || f.Duration > maxSeconds {
			t.Errorf("%s: %.3f s, want %.1f–%.1f s", f.File, f.Duration, minSeconds, maxSeconds)
		}
		file := filepath.Join(dir, f.File)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rate, channels, codec, bits := probe(t, file)
		whole := float64(f.Bytes) * 8 / f.Duration
		switch {
		case channels != 1:
			t.Errorf("%s: %d channels, want mono", f.File, channels)
		case f.Codec == CodecOpus && (codec != "opus" || bits > budgetOpusBits):
			t.Errorf("%s: %s at %.0f bit/s, want opus at ≤ %d", f.File, codec, bits, budgetOpusBits)
		case f.Codec == CodecMP3 && (codec != "mp3" || rate != MP3SampleRate || whole > budgetMP3Bits*1.01):
			t.Errorf("%s: %s at %d Hz, %.0f bit/s, want mp3 at %d Hz, ≤ %d", f.File, codec, rate, whole, MP3SampleRate, budgetMP3Bits)
		}
		out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-xerror", "-i", file, "-af", "volumedetect", "-f", "null", "-").CombinedOutput()
		mv := meanVolume.FindSubmatch(out)
		if err != nil || mv == nil {
			t.Fatalf("%s does not decode: %v\n%s", f.File, err, out)
		}
		if v, _ := strconv.ParseFloat(string(mv[1]), 64); v < -30 || v > -10 {
			t.Errorf("%s: mean volume %.1f dB, want -30…-10 dB", f.File, v)
		}
		t.Logf("%s: %d bytes, %.3f s, %.1f kbit/s of audio, mean volume %s dB", f.File, f.Bytes, f.Duration, bits/1000, mv[1])
	}
}

func TestConvert(t *testing.T) {
	requireTools(t)
	start := time.Now()
	beeps, longBeeps, silent := recordInChromium(t)
	t.Logf("Chromium recorded %d, %d and %d bytes in %v", len(beeps), len(longBeeps), len(silent), time.Since(start).Round(time.Millisecond))

	// 1 s of a quiet tone between two seconds of silence: 3 s long, about 1.1 s of speech.
	quietWAV := makeMedia(t, "quiet.wav", "-f", "lavfi", "-i", "sine=f=440:d=1,volume=0.1,adelay=1s:all=1,apad=pad_dur=1")
	sine := []string{"-f", "lavfi", "-i", "sine=f=300:d=2", "-c:a", "aac", "-b:a", "64k"}
	m4a := makeMedia(t, "memo.m4a", sine...)
	// Safari's MediaRecorder writes fragmented MP4.
	fragmented := makeMedia(t, "safari.mp4", append(sine, "-movflags", "+frag_keyframe+empty_moov+default_base_moof")...)
	videoOnly := makeMedia(t, "video.mp4", "-f", "lavfi", "-i", "testsrc=s=64x64:d=1", "-c:v", "mpeg4")
	var picture bytes.Buffer
	if err := png.Encode(&picture, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	// The middle third zeroed, as a failed write leaves it. Not random bytes:
	// those now and then read as elements the demuxer may skip (1 in 60
	// clips), and a clip that decodes cleanly cannot be told from a good one.
	zeroed := bytes.Clone(beeps)
	clear(zeroed[len(zeroed)/3 : 2*len(zeroed)/3])

	short := Limits{MaxBytes: 8 << 20, MaxSeconds: 1.5}
	accepted := []struct {
		name     string
		input    []byte
		lim      Limits
		min, max float64 // seconds the encoded speech may last
	}{
		{"chromium webm", beeps, RecordingLimits, 0.5, 2},
		// Only the speech counts against the limit, not the silence around it.
		{"quiet wav with silence around it", quietWAV, short, 1, 1.3},
		{"m4a", m4a, RecordingLimits, 1.9, 2.2},
		{"fragmented mp4", fragmented, RecordingLimits, 1.9, 2.2},
	}
	for _, c := range accepted {
		t.Run(c.name+" is encoded", func(t *testing.T) {
			t.Parallel()
			text := "Record me: " + c.name
			enc, err := Convert(context.Background(), "en", "t.rec", text, c.input, c.lim)
			if err != nil {
				t.Fatal(err)
			}
			checkEncoded(t, enc, text, c.min, c.max)
		})
	}

	refused := []struct {
		name  string
		input []byte
		lim   Limits
		code  string
	}{
		{"empty", nil, RecordingLimits, "empty"},
		{"larger than MaxBytes", beeps, Limits{MaxBytes: 16 << 10, MaxSeconds: 30}, "too_large"},
		{"silent chromium webm", silent, RecordingLimits, "silent"},
		{"speech longer than MaxSeconds", longBeeps, short, "too_long"},
		// Chromium writes the sizes of the segment and cluster, so a cut is
		// seen even where the demuxer could stop cleanly between blocks.
		{"cut off upload", beeps[:len(beeps)/2], RecordingLimits, "corrupt"},
		{"zeroed webm", zeroed, RecordingLimits, "corrupt"},
		// A file of another kind is a wrong format, not a damaged recording.
		{"png", picture.Bytes(), RecordingLimits, "format"},
		{"text", []byte("Hello, this is what I meant to say.\n"), RecordingLimits, "format"},
		{"video without sound", videoOnly, RecordingLimits, "no_sound"},
	}
	for _, c := range refused {
		t.Run(c.name+" is refused", func(t *testing.T) {
			t.Parallel()
			_, err := Convert(context.Background(), "en", "t.rec", "text", c.input, c.lim)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Code != c.code {
				t.Fatalf("got %v (%#v), want InputError %q", err, err, c.code)
			}
			t.Logf("%s: %v", ie.Code, ie)
		})
	}

	t.Run("bad key or language is a programming error", func(t *testing.T) {
		for _, args := range [][2]string{{"en", "../x"}, {"../en", "x"}} {
			_, err := Convert(context.Background(), args[0], args[1], "text", beeps, RecordingLimits)
			var ie *InputError
			if err == nil || errors.As(err, &ie) {
				t.Errorf("lang %q key %q: %v, want a plain error", args[0], args[1], err)
			}
		}
	})
}

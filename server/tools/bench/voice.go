package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"sova/assets"
	"sova/server/voice"
)

// ---------------------------------------------------------------- B3

// voiceRef is a phrase a page plays: the URL stem without its codec's
// extension, /audio/<lang>/<key>.<hash>; the app adds .webm or .mp3.
var voiceRef = regexp.MustCompile(`data-(?:say|prompt)="(/audio/[^"]+)"`)

// codec is one of the two files of every phrase, and B3's limit for it.
type codec struct {
	ext, name string
	limit     float64 // bits/s
}

var codecs = []codec{
	{"webm", "Opus", b3OpusRate},
	{"mp3", "MP3", b3MP3Rate},
}

// probeSample is how many files per codec and language -quick has ffprobe
// check for their channels: ffprobe takes about 60 ms a file, and a language
// has some 300 files.
const probeSample = 10

// voiceFile is one file of a phrase as the server sent it (audio goes
// uncompressed, so its body is what crossed the wire).
type voiceFile struct {
	url        string
	body       []byte
	seconds    float64 // 0: not known yet
	inManifest bool    // seconds came from the manifest, not from ffprobe
	channels   int     // from ffprobe; 0: not probed
}

// voiceTally counts, across languages, where the figures of B3 came from,
// and the single file of each codec with the highest bitrate.
type voiceTally struct {
	manifest, probed, checked int
	top                       map[string]topFile // by codec name
}

type topFile struct {
	rate float64 // bits/s
	url  string
}

// measureVoice measures B3: per language, what the page of each published
// survey makes a phone download to hear it, and the bitrate of that voice.
func measureVoice(ctx context.Context, c *http.Client, base, tmp string, rep *report) error {
	surveys, err := surveysByLanguage(ctx, c, base)
	if err != nil {
		return err
	}
	_, probeErr := exec.LookPath("ffprobe")
	t := voiceTally{top: map[string]topFile{}}
	for _, l := range slices.Sorted(maps.Keys(surveys)) {
		durations, err := manifestDurations(l)
		if err != nil {
			return err
		}
		// By URL, so that a phrase two surveys share counts once in the
		// language's bitrate (and in each survey's total).
		files := map[string]*voiceFile{}
		for _, id := range surveys[l] {
			if err := surveyVoice(ctx, c, base, l, id, durations, files, rep); err != nil {
				return err
			}
		}
		if probeErr == nil {
			if err := probe(ctx, tmp, toProbe(files)); err != nil {
				return err
			}
		}
		for _, cd := range codecs {
			if err := codecRate(l, cd, files, probeErr, &t, rep); err != nil {
				return err
			}
		}
	}
	rep.note("B3: a survey's voice is every phrase its page refers to (data-say, data-prompt), the app's controls included, "+
		"both codecs downloaded as a phone gets them; KB = 1024 bytes. Bitrate = file bytes × 8 ÷ duration over a language's "+
		"distinct files, WebM and MP3 headers included; durations from assets/audio/<lang>/%s by SHA-256 (%d files), from ffprobe (%d)",
		voice.ManifestName, t.manifest, t.probed)
	var tops []string
	for _, cd := range codecs {
		if top, ok := t.top[cd.name]; ok {
			tops = append(tops, fmt.Sprintf("%s %.1f kbps (%s)", cd.name, top.rate/1000, top.url))
		}
	}
	rep.note("B3: each file carries its own headers, so short phrases run above the average; the highest single files: %s", strings.Join(tops, ", "))
	switch {
	case probeErr != nil:
		rep.note("B3: ffprobe not found (apt-get install ffmpeg): mono was not checked")
	case *quick:
		rep.note("B3: -quick: ffprobe checked the channels of %d files, about %d per codec and language; without -quick, of every file", t.checked, probeSample)
	default:
		rep.note("B3: ffprobe checked the channels of every file, %d", t.checked)
	}
	return nil
}

// codecRate reports the average bitrate of lang's files of one codec, and
// whether the files ffprobe checked are mono.
func codecRate(lang string, cd codec, files map[string]*voiceFile, probeErr error, t *voiceTally, rep *report) error {
	var bytes, n, mono, checked int
	var seconds float64
	for _, u := range slices.Sorted(maps.Keys(files)) {
		vf := files[u]
		if !strings.HasSuffix(u, "."+cd.ext) {
			continue
		}
		if vf.seconds <= 0 {
			return fmt.Errorf("B3: no duration for %s: not in assets/audio/%s/%s, and no ffprobe (%v)", u, lang, voice.ManifestName, probeErr)
		}
		n++
		bytes += len(vf.body)
		seconds += vf.seconds
		if vf.inManifest {
			t.manifest++
		} else {
			t.probed++
		}
		if vf.channels > 0 {
			checked++
			if vf.channels == 1 {
				mono++
			}
		}
		if r := float64(len(vf.body)) * 8 / vf.seconds; r > t.top[cd.name].rate {
			t.top[cd.name] = topFile{r, u}
		}
	}
	if n == 0 {
		return nil
	}
	t.checked += checked
	rate := float64(bytes) * 8 / seconds
	channels := fmt.Sprintf("mono: %d of %d files checked", mono, checked)
	if probeErr != nil {
		channels = "mono not checked (no ffprobe)"
	}
	rep.add(fmt.Sprintf("B3 %s bitrate, %s (%d files, %.0f s)", cd.name, lang, n, seconds),
		fmt.Sprintf("≤ %.0f kbps, mono", cd.limit/1000), fmt.Sprintf("%.2f kbps; %s", rate/1000, channels),
		rate <= cd.limit && mono == checked)
	return nil
}

// surveysByLanguage lists the published surveys' ids per language.
func surveysByLanguage(ctx context.Context, c *http.Client, base string) (map[string][]string, error) {
	f, err := fetch(ctx, c, base+"/api/v1/surveys")
	if err != nil {
		return nil, err
	}
	if f.status != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/surveys: %d", f.status)
	}
	var list struct {
		Surveys []struct {
			ID        string   `json:"id"`
			Languages []string `json:"languages"`
		} `json:"surveys"`
	}
	if err := json.Unmarshal(f.body, &list); err != nil {
		return nil, fmt.Errorf("/api/v1/surveys: %w", err)
	}
	out := map[string][]string{}
	for _, s := range list.Surveys {
		for _, l := range s.Languages {
			out[l] = append(out[l], s.ID)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("B3: /api/v1/surveys lists no published survey")
	}
	return out, nil
}

// manifestDurations maps the SHA-256 of every file of lang's voice pack, as
// built into this bench from the same tree as the server, to its duration.
func manifestDurations(lang string) (map[string]float64, error) {
	out := map[string]float64{}
	m, err := voice.LoadManifest(assets.Audio, lang)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil // no pack: ffprobe measures whatever the server sends
	}
	if err != nil {
		return nil, err
	}
	for _, p := range m.Phrases {
		for _, f := range p.Files {
			out[f.Sha256] = f.Duration
		}
	}
	return out, nil
}

// surveyVoice downloads both files of every phrase the page of survey id in
// lang refers to, into files, and reports their total.
func surveyVoice(ctx context.Context, c *http.Client, base, lang, id string, durations map[string]float64, files map[string]*voiceFile, rep *report) error {
	page := "/" + lang + "/s/" + id
	pf, err := fetch(ctx, c, base+page)
	if err != nil {
		return err
	}
	if pf.status != http.StatusOK {
		return fmt.Errorf("B3: GET %s: %d", page, pf.status)
	}
	var stems []string
	for _, m := range voiceRef.FindAllStringSubmatch(string(pf.body), -1) {
		if s := html.UnescapeString(m[1]); !slices.Contains(stems, s) {
			stems = append(stems, s)
		}
	}
	if len(stems) == 0 {
		rep.note("B3 %s: %s refers to no voice at all", lang, page)
		return nil
	}
	// The survey's own phrases are keyed <survey>.…; the rest are the app's
	// (next, back, yes, no, the faces, …), which every survey shares.
	sums := map[string]int{}
	own, ownOpus := 0, 0
	for _, stem := range stems {
		mine := strings.HasPrefix(path.Base(stem), id+".")
		if mine {
			own++
		}
		for _, cd := range codecs {
			u := stem + "." + cd.ext
			if files[u] == nil {
				af, err := fetch(ctx, c, base+u)
				if err != nil {
					return err
				}
				if af.status != http.StatusOK {
					return fmt.Errorf("B3: %s refers to %s, which answers %d", page, u, af.status)
				}
				sum := sha256.Sum256(af.body)
				secs, ok := durations[hex.EncodeToString(sum[:])]
				files[u] = &voiceFile{url: u, body: af.body, seconds: secs, inManifest: ok}
			}
			sums[cd.ext] += len(files[u].body)
			if mine && cd.ext == "webm" {
				ownOpus += len(files[u].body)
			}
		}
	}
	opus := sums["webm"]
	rep.add(fmt.Sprintf("B3 voice of survey %s, %s, Opus (%d phrases)", id, lang, len(stems)), "≤ 300 KB",
		fmt.Sprintf("%s: its own %d phrases %.1f KB, the app's %d %.1f KB (MP3 fallback %.1f KB)", kb(opus),
			own, float64(ownOpus)/1024, len(stems)-own, float64(opus-ownOpus)/1024, float64(sums["mp3"])/1024),
		opus <= b3Survey)
	return nil
}

// toProbe picks the files ffprobe must look at: those whose duration the
// manifest does not know, and for their channels every file, or with -quick
// about probeSample per codec, spread over the keys.
func toProbe(files map[string]*voiceFile) []*voiceFile {
	var out []*voiceFile
	for _, cd := range codecs {
		var all []*voiceFile
		for _, u := range slices.Sorted(maps.Keys(files)) {
			if strings.HasSuffix(u, "."+cd.ext) {
				all = append(all, files[u])
			}
		}
		step := 1
		if *quick {
			step = max(1, len(all)/probeSample)
		}
		for i, vf := range all {
			if vf.seconds <= 0 || i%step == 0 {
				out = append(out, vf)
			}
		}
	}
	return out
}

// probe has ffprobe read the channels, and the duration where it is not
// known, of files, a few at a time.
func probe(ctx context.Context, tmp string, files []*voiceFile) error {
	dir, err := os.MkdirTemp(tmp, "voice-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var next int
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(files) || ctx.Err() != nil {
					return
				}
				vf := files[i]
				name := filepath.Join(dir, strconv.Itoa(i)+filepath.Ext(vf.url))
				secs, ch, err := ffprobe(ctx, name, vf.body)
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("B3: %s: %w", vf.url, err))
				} else {
					vf.channels = ch
					if vf.seconds <= 0 {
						vf.seconds = secs
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

// ffprobe writes data to name and reads its first audio stream's channels
// and the file's duration.
func ffprobe(ctx context.Context, name string, data []byte) (seconds float64, channels int, err error) {
	if err := os.WriteFile(name, data, 0o600); err != nil {
		return 0, 0, err
	}
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "a:0",
		"-show_entries", "stream=channels:format=duration", "-of", "json", name).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ffprobe: %w", err)
	}
	var p struct {
		Streams []struct {
			Channels int `json:"channels"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return 0, 0, fmt.Errorf("ffprobe: %w", err)
	}
	if len(p.Streams) == 0 {
		return 0, 0, errors.New("ffprobe: no audio stream")
	}
	seconds, _ = strconv.ParseFloat(p.Format.Duration, 64)
	return seconds, p.Streams[0].Channels, nil
}

package voice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Limits bound a recording a translator uploads.
type Limits struct {
	MaxBytes   int64   // size of the uploaded file
	MaxSeconds float64 // length of the speech after silence is trimmed
}

// RecordingLimits are the limits the studio uses: 8 MiB, 30 s.
var RecordingLimits = Limits{MaxBytes: 8 << 20, MaxSeconds: 30}

// InputError is a recording refused for what it is (not for a server fault).
// Code is stable, for UIs to say in their reader's language: "empty",
// "too_large", "too_large.cut", "corrupt", "format", "no_sound", "silent",
// "too_long", "too_long.over". Args are the values its words name
// (numbers as plain decimals, sizes in MB, lengths in seconds). Detail
// is the same in English, saying what is wrong and what to do.
type InputError struct {
	Code   string
	Args   map[string]string
	Detail string
}

func (e *InputError) Error() string {
	if e.Detail == "" {
		return "voice: recording refused: " + e.Code
	}
	return e.Detail
}

// refuse is an InputError: english says it with its {places} filled from
// pairs of name and value.
func refuse(code, english string, pairs ...any) *InputError {
	e := &InputError{Code: code, Args: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Args[pairs[i].(string)] = fmt.Sprint(pairs[i+1])
	}
	for name, val := range e.Args {
		english = strings.ReplaceAll(english, "{"+name+"}", val)
	}
	e.Detail = english
	return e
}

// Encoded is one phrase's files, ready to serve: Phrase lists them (names
// <key>.webm and <key>.mp3, Source SourceRecorded, TextSha256 of text) and
// Data holds each file's bytes by file name.
type Encoded struct {
	Phrase Phrase
	Data   map[string][]byte
}

const (
	// Recorded phrases are brought to the loudness of speech apps on phones,
	// by a plain gain, capped so that the peaks keep headroom for the lossy
	// encoders. Not by loudnorm: in ffmpeg 5.1 its single pass miscomputes
	// the gain of clips shorter than 3 s, most phrases (Chromium's 1.3 s of
	// beeps came out at -34 LUFS).
	targetLoudness = -16.0 // LUFS
	targetPeak     = -1.5  // dBTP

	// Below these we heard nothing. The floor is silenceTrim's threshold.
	silenceFloor = -50.0 // dBFS
	minSpeech    = 0.2   // seconds

	// silenceAllowance is how much longer than MaxSeconds a recording may be,
	// for the silence around the phrase. It also bounds the decoding of a
	// small file that unpacks to hours of sound.
	silenceAllowance = 60.0 // seconds

	// demuxers are ffmpeg's for what browsers and phones record:
	// WebM (Chrome, Firefox), Ogg (Firefox), MP4 (Safari), 3GP/AMR/M4A
	// (Android), and the files of recorder apps. ffmpeg may open no other:
	// a playlist or concat file would make it read other files.
	demuxers        = "matroska,ogg,mov,wav,mp3,flac,aac,amr"
	acceptedFormats = "WebM, Ogg, MP4, M4A, 3GP, WAV, MP3, FLAC, AAC or AMR"
)

// TooLarge is the refusal of a file of n bytes, over the limit; n < 0 is an
// upload cut off at the limit, whose size is not known.
func (lim Limits) TooLarge(n int64) *InputError {
	if n < 0 {
		return refuse("too_large.cut", "the file is larger than a recording may be, {max} MB: record only the phrase, as sound", "max", megabytes(lim.MaxBytes))
	}
	return refuse("too_large", "the file is {size} MB; a recording may be at most {max} MB: record only the phrase, as sound", "size", megabytes(n), "max", megabytes(lim.MaxBytes))
}

// Convert checks a recording and encodes it to the pack formats for lang.
// A recording refused for what it is gives an *InputError; any other error is
// the server's.
func Convert(ctx context.Context, lang, key, text string, input []byte, lim Limits) (*Encoded, error) {
	if !langPattern.MatchString(lang) {
		return nil, fmt.Errorf("voice: %q is not a language code", lang)
	}
	if !ValidKey(key) {
		return nil, fmt.Errorf("voice: key %q cannot be a file name", key)
	}
	if len(input) == 0 {
		return nil, refuse("empty", "the recording is empty: record the phrase again")
	}
	if n := int64(len(input)); n > lim.MaxBytes {
		return nil, lim.TooLarge(n)
	}
	if err := checkTools(ffmpegTools); err != nil {
		return nil, err
	}

	tmp, err := os.MkdirTemp("", "sova-recording-")
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	defer os.RemoveAll(tmp)
	// No extension: ffprobe must judge the content, not a name.
	upload := filepath.Join(tmp, "upload")
	if err := os.WriteFile(upload, input, 0o600); err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	if err := probeUpload(ctx, upload, input); err != nil {
		return nil, err
	}
	decoded, trimmed := filepath.Join(tmp, "decoded.wav"), filepath.Join(tmp, "trimmed.wav")
	limit := lim.MaxSeconds + silenceAllowance
	if err := decodeUpload(ctx, upload, decoded, limit); err != nil {
		return nil, err
	}
	loudness, peak, err := trimSpeech(ctx, decoded, trimmed)
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	silent := refuse("silent", "we heard nothing: check that the microphone is on and speak closer")
	if peak < silenceFloor {
		return nil, silent
	}
	speech, err := Duration(ctx, trimmed)
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	if speech < minSpeech {
		return nil, silent
	}
	whole, err := Duration(ctx, decoded)
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	if whole >= limit {
		return nil, refuse("too_long.over", "the recording is over {seconds} s long; a phrase may be at most {max} s: record it again, shorter", "seconds", limit, "max", lim.MaxSeconds)
	}
	if speech > lim.MaxSeconds {
		return nil, refuse("too_long", "the recording is {seconds} s long; a phrase may be at most {max} s: record it again, shorter", "seconds", math.Round(speech*10)/10, "max", lim.MaxSeconds)
	}

	// A phrase shorter than one loudness block (0.4 s) measures -70 LUFS;
	// then the peak alone sets the gain.
	gain := min(targetLoudness-loudness, targetPeak-peak)
	files, err := encode(ctx, trimmed, tmp, key, fmt.Sprintf("volume=%.2fdB", gain), tuningOf(lang))
	if err != nil {
		return nil, fmt.Errorf("voice: encoding %q: %w", key, err)
	}
	enc := &Encoded{
		Phrase: Phrase{Source: SourceRecorded, TextSha256: TextSha256(text), Files: files},
		Data:   map[string][]byte{},
	}
	for _, f := range files {
		if enc.Data[f.File], err = os.ReadFile(filepath.Join(tmp, f.File)); err != nil {
			return nil, fmt.Errorf("voice: %w", err)
		}
	}
	return enc, nil
}

// probeUpload refuses a file that is not a sound recording ffmpeg may open.
func probeUpload(ctx context.Context, upload string, input []byte) error {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error",
		"-format_whitelist", demuxers, "-protocol_whitelist", "file",
		"-show_entries", "stream=codec_type", "-of", "json", upload).Output()
	if ctx.Err() != nil {
		return fmt.Errorf("voice: %w", ctx.Err())
	}
	if err != nil {
		// ffprobe says the same of a damaged recording and of a text file;
		// the first bytes tell which the user sent.
		if looksLikeRecording(input) {
			return errCorrupt
		}
		return refuse("format", "the file is not a sound recording we can read: send {formats}", "formats", acceptedFormats)
	}
	var info struct {
		Streams []struct {
			Type string `json:"codec_type"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return fmt.Errorf("voice: ffprobe: %w", err)
	}
	for _, s := range info.Streams {
		if s.Type == "audio" {
			return nil
		}
	}
	return refuse("no_sound", "the file has no sound in it: send a sound recording ({formats})", "formats", acceptedFormats)
}

var errCorrupt = refuse("corrupt", "the recording is damaged or incomplete, perhaps cut off while it was sent: record it again")

// looksLikeRecording reports whether data starts like a file one of the
// demuxers reads.
func looksLikeRecording(data []byte) bool {
	for _, magic := range []string{"\x1a\x45\xdf\xa3", "OggS", "ID3", "fLaC", "#!AMR"} {
		if bytes.HasPrefix(data, []byte(magic)) {
			return true
		}
	}
	return len(data) >= 12 && (string(data[4:8]) == "ftyp" || string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE") ||
		len(data) >= 2 && data[0] == 0xff && data[1]&0xe0 == 0xe0 // MP3 or ADTS frame
}

// decodeUpload writes the first audio stream of upload, at most limit
// seconds of it, to a mono WAV file.
//
// A cut or damaged file often still decodes in part, and ffmpeg exits with
// success after logging the error, so any error it logs means damage. Valid
// recordings (Chromium's WebM, ffmpeg's WAV, M4A, fragmented MP4, Ogg, FLAC,
// MP3, ADTS) log none.
func decodeUpload(ctx context.Context, upload, wav string, limit float64) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-xerror", "-y",
		"-format_whitelist", demuxers, "-protocol_whitelist", "file",
		"-t", strconv.FormatFloat(limit, 'f', -1, 64), "-i", upload,
		"-map", "0:a:0", "-ac", "1", "-ar", "48000",
		"-map_metadata", "-1", "-fflags", "+bitexact", wav)
	var log bytes.Buffer
	cmd.Stderr = &log
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("voice: %w", ctx.Err())
	}
	if err != nil || log.Len() > 0 {
		return errCorrupt
	}
	return nil
}

var ebur128Summary = regexp.MustCompile(`(?s)Integrated loudness:\s+I:\s+(\S+) LUFS.*True peak:\s+Peak:\s+(\S+) dBFS`)

// trimSpeech writes in without the silence around the speech to out, and
// measures what is left: its integrated loudness (LUFS) and true peak (dBFS,
// -Inf when nothing is left).
func trimSpeech(ctx context.Context, in, out string) (loudness, peak float64, err error) {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y",
		"-i", in, "-af", silenceTrim+",ebur128=peak=true:framelog=verbose",
		"-map_metadata", "-1", "-fflags", "+bitexact", out)
	var log bytes.Buffer
	cmd.Stderr = &log // the summary is logged at info level
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("ffmpeg: %w: %s", err, lastLogLine(log.Bytes()))
	}
	m := ebur128Summary.FindSubmatch(log.Bytes())
	if m == nil {
		return 0, 0, fmt.Errorf("ffmpeg ebur128: no summary in %q", lastLogLine(log.Bytes()))
	}
	loudness, err1 := strconv.ParseFloat(string(m[1]), 64)
	peak, err2 := strconv.ParseFloat(string(m[2]), 64)
	if err := errors.Join(err1, err2); err != nil || math.IsNaN(loudness) || math.IsNaN(peak) {
		return 0, 0, fmt.Errorf("ffmpeg ebur128: %q: %v", m[0], err)
	}
	return loudness, peak, nil
}

// megabytes is n bytes in MB, rounded up to a tenth: a file just over the
// limit must not read as at it.
func megabytes(n int64) float64 { return math.Ceil(float64(n)*10/(1<<20)) / 10 }

func lastLogLine(log []byte) string {
	log = bytes.TrimSpace(log)
	return string(log[bytes.LastIndexByte(log, '\n')+1:])
}

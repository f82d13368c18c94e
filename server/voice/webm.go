package voice

import (
	"bytes"
	"errors"
	"os"
)

// slimWebM drops from ffmpeg's WebM what a phrase of a few seconds never
// uses: the seek index (SeekHead and Cues), the Void padding reserved for
// rewriting it, and Tags (the muxer's own DURATION and ENCODER). That is
// about 250 of a short phrase's 1,100 bytes, a quarter of a survey's voice
// (budget B3), with no change to the sound. Browsers play WebM without an
// index, as they play what MediaRecorder makes; the duration stays in Info.
//
// A file it does not fully understand is returned unchanged.
func slimWebM(b []byte) []byte {
	const (
		idEBML     = 0x1a45dfa3
		idSegment  = 0x18538067
		idSeekHead = 0x114d9b74
		idVoid     = 0xec
		idCues     = 0x1c53bb6b
		idTags     = 0x1254c367
	)
	id, hdr, size, ok := element(b, 0)
	if !ok || id != idEBML {
		return b
	}
	head := b[:hdr+size]
	id, hdr, size, ok = element(b, len(head))
	if !ok || id != idSegment || len(head)+hdr+size != len(b) {
		return b
	}
	var body bytes.Buffer
	for i := len(head) + hdr; i < len(b); {
		id, h, n, ok := element(b, i)
		if !ok {
			return b
		}
		switch id {
		case idSeekHead, idVoid, idCues, idTags:
		default:
			body.Write(b[i : i+h+n])
		}
		i += h + n
	}
	out := append([]byte(nil), head...)
	out = append(out, 0x18, 0x53, 0x80, 0x67)
	out = append(out, sizeVint(body.Len())...)
	return append(out, body.Bytes()...)
}

// slimFile slims the WebM file name in place.
func slimFile(name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	return os.WriteFile(name, slimWebM(data), 0o644)
}

// element reads the EBML element at b[i:]: its id, the length of its id and
// size fields, and its size. ok is false for a truncated element or one of
// unknown size (a live stream's), which slimWebM leaves alone.
func element(b []byte, i int) (id uint64, hdr, size int, ok bool) {
	id, idLen, err := vint(b, i, true)
	if err != nil || idLen > 4 {
		return 0, 0, 0, false
	}
	sz, szLen, err := vint(b, i+idLen, false)
	if err != nil || sz == 1<<(7*szLen)-1 {
		return 0, 0, 0, false
	}
	hdr = idLen + szLen
	if sz > uint64(len(b)-i-hdr) {
		return 0, 0, 0, false
	}
	return id, hdr, int(sz), true
}

var errVint = errors.New("webm: bad variable-length integer")

// vint reads an EBML variable-length integer; ids keep their length marker.
func vint(b []byte, i int, keepMarker bool) (v uint64, n int, err error) {
	if i >= len(b) || b[i] == 0 {
		return 0, 0, errVint
	}
	n = 1
	for m := byte(0x80); b[i]&m == 0; m >>= 1 {
		n++
	}
	if i+n > len(b) {
		return 0, 0, errVint
	}
	v = uint64(b[i])
	if !keepMarker {
		v &= 0xff >> n
	}
	for k := 1; k < n; k++ {
		v = v<<8 | uint64(b[i+k])
	}
	return v, n, nil
}

// sizeVint encodes an element size in as few bytes as EBML allows (all ones
// means "unknown", so a value that would be all ones takes a byte more).
func sizeVint(n int) []byte {
	for l := 1; l <= 8; l++ {
		if uint64(n) < 1<<(7*l)-1 {
			out := make([]byte, l)
			v := uint64(n)
			for k := l - 1; k >= 0; k-- {
				out[k] = byte(v)
				v >>= 8
			}
			out[0] |= 0x80 >> (l - 1)
			return out
		}
	}
	panic("webm: element too large")
}

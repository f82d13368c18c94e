package member

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"
)

// blob is one response the server holds ready in memory: pages, scripts,
// icons, voice. Everything a member downloads is made once at start-up (and
// again when content changes), so serving it costs a map lookup.
type blob struct {
	body  []byte
	gz    []byte // nil when compressing does not pay (audio)
	ctype string
	etag  string
	// immutable is set for content-hashed URLs: the bytes behind such a URL
	// never change, so browsers need not ask again.
	immutable bool
}

func newBlob(body []byte, ctype string, immutable bool) *blob {
	sum := sha256.Sum256(body)
	b, _ := shared(fmt.Sprintf("%x %s %t", sum, ctype, immutable), func() (*blob, error) {
		b := &blob{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, immutable: immutable}
		if compressible(ctype) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				b.gz = buf.Bytes()
			}
		}
		return b, nil
	})
	return b
}

// made holds every blob some site still serves, by what it was made from,
// so that a rebuild (every change staff make; in tests, every app opened)
// compresses again only what changed, and reads only the voice files it
// did not have. A blob is never changed once made. The pointers are weak:
// once no site serves a blob, the collector takes it, and its entry with it.
var made sync.Map // key → weak.Pointer[blob]

// shared returns the blob made under key, making it if none is held.
func shared(key string, make func() (*blob, error)) (*blob, error) {
	if wp, ok := made.Load(key); ok {
		if b := wp.(weak.Pointer[blob]).Value(); b != nil {
			return b, nil
		}
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	wp := weak.Make(b)
	made.Store(key, wp)
	runtime.AddCleanup(b, func(wp weak.Pointer[blob]) { made.CompareAndDelete(key, wp) }, wp)
	return b, nil
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") ||
		strings.Contains(ctype, "javascript") || strings.Contains(ctype, "svg") || strings.Contains(ctype, "manifest")
}

// serve writes the blob, gzipped when the client takes it, answering
// conditional and Range requests (cached voice is played through Range).
func (b *blob) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", b.ctype)
	if b.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := b.body
	if b.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body = b.gz
			h.Set("Content-Encoding", "gzip")
			h.Set("ETag", strings.TrimSuffix(b.etag, `"`)+`-gz"`)
		}
	}
	if h.Get("ETag") == "" {
		h.Set("ETag", b.etag)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

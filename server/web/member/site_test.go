package member_test

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"sova/internal/testapp"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// offlineURLs lists every URL a phone caches, from the offline lists.
func offlineURLs(t *testing.T, h http.Handler) []string {
	urls := []string{"/sw.js", "/offline.json"}
	for _, list := range []string{"/offline.json", "/en/offline.json", "/ru/offline.json"} {
		var l struct {
			Pages, Static []string
			Voice         map[string][]string
		}
		if err := json.Unmarshal([]byte(body(t, get(t, h, list))), &l); err != nil {
			t.Fatalf("%s: %v", list, err)
		}
		urls = append(urls, list)
		urls = append(urls, l.Pages...)
		urls = append(urls, l.Static...)
		for _, v := range l.Voice {
			urls = append(urls, v...)
		}
	}
	return urls
}

var (
	scriptBlock = regexp.MustCompile(`(?s)<script(\s[^>]*)?>(.*?)</script>`)
	styleBlock  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	foreignURL  = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"?(https?:)?//`)
)

// Every response a member can get keeps her to this origin, sets no cookie,
// and carries the security headers; pages hold no inline script.
func TestSite_EveryResponseIsSelfContainedAndCookieFree(t *testing.T) {
	t.Parallel()
	h := testapp.Shared(t).H
	for _, u := range offlineURLs(t, h) {
		res := get(t, h, u, "Accept-Encoding", "gzip")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", u, res.StatusCode)
			continue
		}
		if c := res.Header.Get("Set-Cookie"); c != "" {
			t.Errorf("%s sets a cookie: %s", u, c)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q", u, csp)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if res.Header.Get(name) != want {
				t.Errorf("%s: %s = %q, want %q", u, name, res.Header.Get(name), want)
			}
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		page := body(t, res)
		// The one inline script, quick exit's, is allowed by its hash,
		// exactly; any other must come from the site.
		inline := 0
		for _, m := range scriptBlock.FindAllStringSubmatch(page, -1) {
			if strings.Contains(m[1], "src=") {
				continue
			}
			inline++
			sum := sha256.Sum256([]byte(m[2]))
			if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(m[2], "sovaExit") {
				t.Errorf("%s has an inline script not allowed by its hash: %.80s", u, m[2])
			}
		}
		if inline > 1 {
			t.Errorf("%s has %d inline scripts", u, inline)
		}
		if m := foreignURL.FindString(page); m != "" {
			t.Errorf("%s loads from another origin: %s", u, m)
		}
		// The one inline stylesheet is allowed by its hash, exactly.
		for _, m := range styleBlock.FindAllStringSubmatch(page, -1) {
			sum := sha256.Sum256([]byte(m[1]))
			if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
				t.Errorf("%s: its inline style's hash is not in the CSP", u)
			}
		}
	}
}

// Content-hashed URLs are cached forever; pages, the worker and the lists
// must be revalidated, or a phone would never see an update.
func TestSite_CachingMatchesURLKind(t *testing.T) {
	t.Parallel()
	h := testapp.Shared(t).H
	for _, u := range offlineURLs(t, h) {
		cc := get(t, h, u).Header.Get("Cache-Control")
		hashed := strings.HasPrefix(u, "/pwa/") || strings.HasPrefix(u, "/icons/") || strings.HasPrefix(u, "/audio/")
		if hashed != strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
	}
}

// Voice is played through Range requests; the server answers them too.
func TestSite_VoiceAnswersRangeRequests(t *testing.T) {
	t.Parallel()
	h := testapp.Shared(t).H
	var voice string
	for _, u := range offlineURLs(t, h) {
		if strings.HasSuffix(u, ".webm") {
			voice = u
			break
		}
	}
	if voice == "" {
		t.Fatal("no voice in the offline lists")
	}
	res := get(t, h, voice, "Range", "bytes=0-99")
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Range") == "" || len(body(t, res)) != 100 {
		t.Fatalf("Range: status %d, Content-Range %q", res.StatusCode, res.Header.Get("Content-Range"))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "audio/webm") {
		t.Errorf("Content-Type %q", ct)
	}
}

// The manifest is the server's, in the member's language, and opens the app
// straight into it.
func TestSite_ManifestPerLanguage(t *testing.T) {
	t.Parallel()
	h := testapp.Shared(t).H
	var m struct {
		Name  string `json:"name"`
		Start string `json:"start_url"`
		Icons []struct{ Src, Sizes string }
	}
	if err := json.Unmarshal([]byte(body(t, get(t, h, "/ru/manifest.webmanifest"))), &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Сова" || m.Start != "/ru/" {
		t.Errorf("manifest name %q start_url %q", m.Name, m.Start)
	}
	sizes := map[string]bool{}
	for _, i := range m.Icons {
		sizes[i.Sizes] = get(t, h, i.Src).StatusCode == http.StatusOK
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Errorf("manifest icons %+v", m.Icons)
	}
}

// Every page links a manifest that the offline lists precache: the picker
// the language-neutral one, each language its own.
func TestSite_PagesLinkPrecachedManifests(t *testing.T) {
	t.Parallel()
	h := testapp.Shared(t).H
	cached := map[string]bool{}
	for _, u := range offlineURLs(t, h) {
		cached[u] = true
	}
	link := regexp.MustCompile(`rel="manifest" href="([^"]+)"`)
	for _, p := range []string{"/", "/en/", "/ru/", "/ru/s/needs", "/en/outbox"} {
		m := link.FindStringSubmatch(body(t, get(t, h, p)))
		if m == nil || !cached[m[1]] {
			t.Errorf("%s links manifest %v, which is not precached", p, m)
		}
	}
	if m := link.FindStringSubmatch(body(t, get(t, h, "/"))); m == nil || m[1] != "/manifest.webmanifest" {
		t.Errorf("the picker links %v, want /manifest.webmanifest", m)
	}
}

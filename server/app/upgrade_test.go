package app_test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sova/assets"
	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/store"
)

// untar unpacks testdata's gzipped tar into a new dir.
func untar(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.Clean("/"+h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(path, 0o700); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err == nil {
			err = os.WriteFile(path, data, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A data dir written by Sova at 502b6a4 (an admin, an area, a service,
// settings, a needs answer and a warning report with a private note; made
// by that commit's own code, see testdata) opens with this Sova and keeps
// everything: the admin signs in, the answers and the report read as they
// were sent, and phones still seal to the same key. (The release's new
// words for the built-in needs survey once stopped it from starting.)
func TestUpgrade_ADataDirFrom502b6a4KeepsEverything(t *testing.T) {
	t.Parallel()
	a := testapp.OpenDir(t, untar(t, "data-502b6a4.tar.gz"))
	h := a.Handler()
	if a.SetupLink() != "" {
		t.Error("the upgraded server asks for a first admin")
	}
	if rec := testapp.NewConsole(h).Login(t, "admin", "correct horse battery staple"); rec.Code != http.StatusSeeOther {
		t.Errorf("the admin cannot sign in: %d", rec.Code)
	}
	db := a.Store()
	if st, err := db.Settings(); err != nil || st.ExitURL != "https://news.example.org/" || st.WarningDays != 7 {
		t.Errorf("settings: %+v %v", st, err)
	}
	if areas, err := db.Areas(); err != nil || len(areas) != 1 || areas[0].Names["ru"] != "Северный рынок" {
		t.Errorf("areas: %+v %v", areas, err)
	}
	if svcs, err := db.Services(); err != nil || len(svcs) != 1 || svcs[0].Texts["en"].Name != "Night line" {
		t.Errorf("services: %+v %v", svcs, err)
	}
	answers := map[string]string{}
	if err := db.EachResponse(func(id string, r *store.Response) error {
		answers[id] = r.Content.Survey + " " + r.Content.Lang
		return nil
	}); err != nil || len(answers) != 2 || answers["0b7e2a0c-4f6d-4c1e-9a3b-5d2f8e6c1a01"] != "needs en" {
		t.Errorf("responses: %v %v", answers, err)
	}
	w, err := db.Warning("1c8f3b1d-5a7e-4d2f-8b4c-6e3a9f7d2b02")
	if err != nil || w == nil || w.State != domain.ReportPending || w.Private != "my regular" || w.Area != "north" || w.Lang != "en" {
		t.Errorf("the report: %+v %v", w, err)
	}
	// The needs survey's words were corrected since (session 4): the same
	// version now carries this release's words, its questions unchanged.
	raw, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	var shipped domain.Survey
	if err := json.Unmarshal(raw, &shipped); err != nil {
		t.Fatal(err)
	}
	if sv, err := db.Version("needs", 1); err != nil || !reflect.DeepEqual(sv.Texts, shipped.Texts) {
		t.Errorf("needs v1 keeps the old words (%v)", err)
	}
	a.Hourly() // an undecided report keeps its note
	if w, _ := db.Warning("1c8f3b1d-5a7e-4d2f-8b4c-6e3a9f7d2b02"); w == nil || w.Private != "my regular" {
		t.Errorf("after the hourly look the report is %+v", w)
	}
	p := testapp.NewPhone(t, h)
	req := httptest.NewRequest(http.MethodPost, testapp.SyncURL, strings.NewReader(string(testapp.Body(p.Needs(t, testapp.NewID(), testapp.NeedsAnswers())))))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"accepted":["`) {
		t.Errorf("a new answer to the kept key: %d %s", rec.Code, rec.Body)
	}
}

package console_test

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"reflect"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"sova/assets"
	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/xlsform"
)

// needsForm is the built-in needs survey as an XLSForm under another id,
// with edit applied to the workbook: what an admin downloads, changes in a
// spreadsheet and uploads.
func needsForm(t testing.TB, edit func(b *excelize.File)) []byte {
	t.Helper()
	data, err := fs.ReadFile(assets.Surveys, "needs.json")
	if err != nil {
		t.Fatal(err)
	}
	sv, err := domain.ParseSurvey("needs.json", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, sv, xlsform.Options{}); err != nil {
		t.Fatal(err)
	}
	return editForm(t, buf.Bytes(), func(b *excelize.File) {
		b.SetCellStr("settings", "A2", "needs-xls")
		if edit != nil {
			edit(b)
		}
	})
}

func editForm(t testing.TB, data []byte, edit func(b *excelize.File)) []byte {
	t.Helper()
	b, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	edit(b)
	var out bytes.Buffer
	if _, err := b.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func noSurvey(id string) func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
		if vs := e.App.Store().Versions(id); len(vs) > 0 {
			t.Errorf("a refused form left %d versions of %s", len(vs), id)
		}
	}
}

func TestSurveys_XLSFormUpload(t *testing.T) {
	t.Parallel()
	upload := func(name string, data []byte) *testapp.File {
		return &testapp.File{Field: "definition", Name: name, Data: data}
	}
	for _, s := range []testapp.Scenario{
		{
			Name: "an XLSForm becomes a draft",
			Role: domain.RoleAdmin, URL: "/staff/surveys", Form: url.Values{},
			File:           upload("needs.xlsx", needsForm(t, nil)),
			ExpectedStatus: http.StatusSeeOther,
			ExpectedAudit:  []testapp.Audit{{Action: "survey uploaded", Target: "needs-xls v1"}},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				sv, err := e.App.Store().Version("needs-xls", 1)
				if err != nil {
					t.Fatal(err)
				}
				if st := e.App.Store().StateOf("needs-xls", 1); st != domain.SurveyDraft {
					t.Errorf("state = %s, want draft", st)
				}
				if q := sv.Question("police_what"); q == nil || q.ShowIf == nil || q.ShowIf.AnyOf[0] != true || len(sv.Languages) != 5 {
					t.Errorf("the draft lost its questions or languages: %+v", sv)
				}
			},
		},
		{
			Name: "a form with mistakes is refused cell by cell, and nothing kept",
			Role: domain.RoleAdmin, URL: "/staff/surveys", Form: url.Values{},
			File: upload("needs.xlsx", needsForm(t, func(b *excelize.File) {
				b.SetCellStr("survey", "I3", "${work_days} > 3") // relevant, on work_days's row
				b.SetCellStr("survey", "A6", "calculate")
				b.SetCellStr("settings", "B2", "v2")
			})),
			ExpectedStatus: http.StatusUnprocessableEntity,
			ExpectedContent: []string{
				"nothing of it was kept",
				"<td>survey</td><td>3</td><td>relevant</td><td>&#34;${work_days} &gt; 3&#34; is more than Sova can say",
				"<td>survey</td><td>6</td><td>type</td><td>Sova does not calculate",
				"<td>settings</td><td>2</td><td>version</td>",
			},
			After: noSurvey("needs-xls"),
		},
		{
			Name: "a zip whose recording is not sound is refused whole, file by file",
			Role: domain.RoleAdmin, URL: "/staff/surveys", Form: url.Values{},
			File: upload("needs.zip", testapp.Zip(t, map[string][]byte{
				"needs.xlsx": needsForm(t, func(b *excelize.File) {
					b.SetCellStr("survey", "Q1", "media::audio::en (en)")
					b.SetCellStr("survey", "Q2", "find_clients.mp3")
				}),
				"find_clients.mp3": []byte("ID3"),
			})),
			ExpectedStatus:  http.StatusUnprocessableEntity,
			ExpectedContent: []string{"Nothing was taken", "<td>find_clients.mp3</td><td>en</td><td>needs-xls.find_clients</td><td>the recording is damaged"},
			After:           noSurvey("needs-xls"),
		},
		{
			Name: "a zip with its recordings becomes a draft with its voice",
			Role: domain.RoleAdmin, URL: "/staff/surveys", Form: url.Values{},
			File: upload("needs.zip", testapp.Zip(t, map[string][]byte{
				"needs.xlsx": needsForm(t, func(b *excelize.File) {
					b.SetCellStr("survey", "Q1", "media::audio::en (en)")
					b.SetCellStr("survey", "Q2", "find_clients.wav")
				}),
				"find_clients.wav": testapp.Speech(t, "en", "Where do you find clients?"),
			})),
			ExpectedStatus: http.StatusSeeOther,
			ExpectedAudit:  []testapp.Audit{{Action: "survey uploaded", Target: "needs-xls v1"}},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if vs := e.App.Store().Versions("needs-xls"); len(vs) != 1 {
					t.Errorf("versions of needs-xls: %v", vs)
				}
			},
		},
		{
			Name: "an old .xls is refused with what to do",
			Role: domain.RoleAdmin, URL: "/staff/surveys", Form: url.Values{},
			File:            upload("needs.xls", []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}),
			ExpectedStatus:  http.StatusUnprocessableEntity,
			ExpectedContent: []string{"save it as .xlsx"},
		},
		{
			Name: "the template is a form Sova takes, with its icons",
			Role: domain.RoleAdmin, URL: "/staff/surveys/template.xlsx",
			ExpectedStatus: http.StatusOK,
			After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
				if _, err := xlsform.Read("template.xlsx", res.Body.Bytes(), nil); err != nil {
					t.Fatal(err)
				}
				b, _ := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
				if icons, _ := b.GetRows("icons"); len(icons) < 100 {
					t.Errorf("the icons sheet lists %d icons", len(icons)-1)
				}
			},
		},
	} {
		s.Test(t)
	}
}

// An admin downloads a survey version as XLSForm, raises its version in a
// spreadsheet and uploads it: the new version asks exactly what the old
// one did.
func TestSurveys_XLSFormExportComesBackAsTheSameSurvey(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	before := len(e.AuditLog(t))
	rec := admin.Get(t, "/staff/surveys/needs/1/xlsform.xlsx")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Disposition") != `attachment; filename="needs-v1.xlsx"` {
		t.Fatalf("export: %d %q", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	if log := e.AuditLog(t); len(log) != before+1 || log[0].Action != "survey exported as XLSForm" || log[0].Target != "needs v1" {
		t.Errorf("the export is not audited: %+v", log[0])
	}
	v2 := editForm(t, rec.Body.Bytes(), func(b *excelize.File) { b.SetCellInt("settings", "B2", 2) })
	if rec := admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", "needs-v1.xlsx", v2); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	old, _ := e.App.Store().Version("needs", 1)
	got, err := e.App.Store().Version("needs", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := *old
	want.Version = 2
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("version 2 differs from version 1:\n%+v\n%+v", got, &want)
	}
}

// A draft uploaded with its recordings goes out as a zip whose form names
// each recording, beside it, and that zip, its version raised, comes back as
// a draft with the same voice.
func TestSurveys_XLSFormZipComesBackWithItsRecordings(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	upload := func(name string, data []byte) {
		t.Helper()
		if rec := admin.PostFile(t, "/staff/surveys", url.Values{"csrf": {admin.CSRF(t)}}, "definition", name, data); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload %s: %d\n%s", name, rec.Code, rec.Body)
		}
	}
	upload("needs.zip", testapp.Zip(t, map[string][]byte{
		"needs.xlsx": needsForm(t, func(b *excelize.File) {
			b.SetCellStr("survey", "Q1", "media::audio::en (en)")
			b.SetCellStr("survey", "Q2", "find_clients.wav")
		}),
		"find_clients.wav": testapp.Speech(t, "en", "Where do you find clients?"),
	}))

	rec := admin.Get(t, "/staff/surveys/needs-xls/1/xlsform.zip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" || rec.Header().Get("Content-Disposition") != `attachment; filename="needs-xls-v1.zip"` {
		t.Fatalf("export: %d %v", rec.Code, rec.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, _ := f.Open()
		files[f.Name], _ = io.ReadAll(r)
	}
	const audio = "needs-xls-v1-media/needs-xls.find_clients.en.webm"
	if len(files) != 2 || len(files[audio]) == 0 {
		t.Fatalf("the zip holds %v, want the form and %s", slices.Sorted(maps.Keys(files)), audio)
	}
	files["needs-xls-v1.xlsx"] = editForm(t, files["needs-xls-v1.xlsx"], func(b *excelize.File) {
		rows, _ := b.GetRows("survey")
		if j := slices.Index(rows[0], "media::audio::English (en)"); j < 0 || rows[1][j] != path.Base(audio) {
			t.Errorf("the form does not name the recording: %q %q", rows[0], rows[1])
		}
		b.SetCellInt("settings", "B2", 2)
	})
	upload("needs-xls-v1.zip", testapp.Zip(t, files))
	voice, err := e.App.Store().DraftVoice("needs-xls", 2)
	if err != nil {
		t.Fatal(err)
	}
	if r := voice["en"]["needs-xls.find_clients"]; r == nil || len(voice["en"]) != 1 {
		t.Errorf("version 2's voice: %v", voice)
	}
}

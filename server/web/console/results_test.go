package console_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/stats"
)

// syncNeeds sends n needs-survey responses through the sync API, built by
// answers(i), in language lang.
func syncNeeds(t *testing.T, e *testapp.Env, n int, lang string, answers func(i int) map[string]any) {
	t.Helper()
	for i := range n {
		item := e.Phone.Item(t, testapp.NewID(), "needs", 1, lang, answers(i))
		if out := e.Sync(t, item); len(out.Accepted) != 1 {
			t.Fatalf("sync: %+v", out)
		}
	}
}

// The results page and its JSON show what was answered, with every count
// from 1 to 10 hidden, and no figure from which such a count follows.
func TestResults_CountsWithSmallCellsHidden(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	// 14 say "smartphone", 3 say "basic": the 3 must not show, and since
	// "answered" (17) is shown, 17−14 must not give it away either.
	syncNeeds(t, e, 17, "en", func(i int) map[string]any {
		if i < 3 {
			return testapp.With("phone", "basic")
		}
		return testapp.NeedsAnswers()
	})
	rec := admin.Get(t, "/staff/results/needs/1/results.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("results.json: %d %s", rec.Code, rec.Body)
	}
	var tbl stats.Table
	if err := json.Unmarshal(rec.Body.Bytes(), &tbl); err != nil {
		t.Fatal(err)
	}
	var phone *stats.QuestionTable
	for i := range tbl.Questions {
		q := &tbl.Questions[i]
		for _, f := range append([]stats.Bar{{Figure: q.Answered}}, q.Bars...) {
			if !f.Hidden && f.Count >= 1 && f.Count < stats.MinCount {
				t.Errorf("question %s shows a count of %d", q.ID, f.Count)
			}
		}
		if q.ID == "phone" {
			phone = q
		}
	}
	if phone == nil {
		t.Fatal("no phone question in the results")
	}
	var shown, hidden []string
	for _, b := range phone.Bars {
		if b.Hidden {
			hidden = append(hidden, b.Value)
		} else if b.Count > 0 {
			shown = append(shown, b.Value)
		}
	}
	if !(phone.Answered.Hidden || len(hidden) != 1) {
		t.Errorf("phone: answered %d is shown with a single hidden bar %v: it can be subtracted", phone.Answered.Count, hidden)
	}
	if tbl.Responses.Hidden || tbl.Responses.Count != 17 {
		t.Errorf("responses = %+v, want 17 shown", tbl.Responses)
	}

	page := admin.Get(t, "/staff/results/needs/1").Body.String()
	if !strings.Contains(page, "&lt;11") || !strings.Contains(page, "<svg") {
		t.Error("the results page draws no chart with hidden counts")
	}
	for _, leak := range []string{">3<", ">14<"} {
		if strings.Contains(page, leak) && phone.Answered.Hidden {
			t.Errorf("the page shows %s", leak)
		}
	}
}

// The raw export holds day, version, language and answers of every
// response, nothing that links a row to a device, and is audited.
func TestExport_RawRowsAsCSVAndJSON(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	syncNeeds(t, e, 2, "ru", func(i int) map[string]any {
		return testapp.With("comments", "=HYPERLINK(\"x\")", "work_days", 3)
	})
	rec := admin.Get(t, "/staff/results/needs/1/export.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("export.json: %d", rec.Code)
	}
	var rows []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, r := range rows {
		keys := []string{}
		for k := range r {
			keys = append(keys, k)
		}
		if len(keys) != 4 || r["day"] != e.Clock.Now().UTC().Format("2006-01-02") || r["version"] != 1.0 || r["lang"] != "ru" {
			t.Errorf("row %v: want exactly day, version 1, lang ru, answers", r)
		}
		ans := r["answers"].(map[string]any)
		if ans["phone"] != "smartphone" || ans["work_days"] != 3.0 {
			t.Errorf("answers %v", ans)
		}
	}

	rec = admin.Get(t, "/staff/results/needs/1/export.csv")
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "day" || recs[0][1] != "version" || recs[0][2] != "lang" {
		t.Fatalf("csv head %v, %d lines", recs[0], len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := recs[1]
	if row[col["find_clients"]] != "street;apps" || row[col["police"]] != "false" || row[col["work_days"]] != "3" ||
		row[col["comments"]] != `'=HYPERLINK("x")` || row[col["police_what"]] != "" {
		t.Errorf("csv row %v", row)
	}
	audit := admin.Get(t, "/staff/audit").Body.String()
	if !strings.Contains(audit, "export csv") || !strings.Contains(audit, "export json") {
		t.Error("exports are not in the audit log")
	}
}

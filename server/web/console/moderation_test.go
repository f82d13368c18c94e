package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/screening"
)

// What a member wrote about the client in the reports below, and the
// pieces of it that must never be found where they should not be. The
// phone number is Russian, written as it is dialled at home.
var (
	clientAnswers = map[string]any{
		domain.ClientPhone:  "8 (912) 345-67-89",
		domain.ClientPlate:  "а123вс 77",
		domain.ClientHandle: "telegram/Bad_Guy",
	}
	clientTraces = []string{"912", "345-67", "4567", "а123вс", "A123BC", "Bad_Guy", "bad_guy"}
)

// moderationEnv is a fixture whose organisation reads numbers as Russian
// ones, with an area, and a report from a member's phone that gives the
// client's phone number, plate and online name (and anything else in
// extra, which replaces them).
func moderationEnv(t *testing.T, extra map[string]any) (*testapp.Env, string) {
	t.Helper()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	csrf := admin.CSRF(t)
	if rec := admin.Post(t, "/staff/settings", url.Values{"csrf": {csrf}, "country": {"RU"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings: %d %.300s", rec.Code, rec.Body)
	}
	if rec := admin.Post(t, "/staff/areas", url.Values{"csrf": {csrf}, "code": {"north"}, "name_en": {"North market"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add area: %d %.300s", rec.Code, rec.Body)
	}
	sv, err := e.App.Store().LatestSurvey(domain.WarnSurveyID)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]any{"kind": "violence", "area": "north", "when": "today"}
	for k, v := range clientAnswers {
		answers[k] = v
	}
	for k, v := range extra {
		answers[k] = v
	}
	id := testapp.NewID()
	if out := e.Sync(t, e.Phone.Item(t, id, domain.WarnSurveyID, sv.Version, "en", answers)); len(out.Accepted) != 1 {
		t.Fatalf("sync: %+v", out)
	}
	return e, id
}

// answersOf is what the store keeps of the report's answer.
func answersOf(t *testing.T, e *testapp.Env, id string) domain.Answers {
	t.Helper()
	r, err := e.App.Store().Response(id)
	if err != nil || r == nil {
		t.Fatalf("the report's answer: %v %v", r, err)
	}
	return r.Answers
}

func warningOf(t *testing.T, e *testapp.Env, id string) *domain.Warning {
	t.Helper()
	w, err := e.App.Store().Warning(id)
	if err != nil || w == nil {
		t.Fatalf("the report: %v %v", w, err)
	}
	return w
}

// noTraceInAudit fails if any audit entry holds a piece of an identifier
// (outside the report's id, a random UUID whose hex digits may hold "912").
func noTraceInAudit(t *testing.T, e *testapp.Env, id string) {
	t.Helper()
	for _, a := range e.AuditLog(t) {
		text := strings.ToLower(strings.ReplaceAll(a.Action+" "+a.Target, id, ""))
		for _, trace := range append(clientTraces, "+7912") {
			if strings.Contains(text, strings.ToLower(trace)) {
				t.Errorf("the audit log holds %q: %+v", trace, a)
			}
		}
	}
}

// The moderator sees each identifier with how Sova reads it and a box of
// its own, unticked; she publishes the phone number alone: the warning
// keeps it as a hash for members' check list, and the plate and the
// online name are gone from the report and from its answer. The audit log
// says that one identifier was confirmed, in her language, and never
// which; decided, the report shows how many, never the values.
func TestModeration_OnlyTickedIdentifiersArePublishedTheRestDeleted(t *testing.T) {
	t.Parallel()
	e, id := moderationEnv(t, nil)
	mod := e.As(domain.RoleModerator)

	page := mod.Get(t, "/staff/reports").Body.String()
	for _, want := range []string{
		"+79123456789", "Sova reads it as", "Phone number", "Car plate", "Name used online",
		// Each box inside its label, which names it.
		`<label class="inline"><input type="checkbox" name="confirm" value="phone" id="confirm-` + id + `-phone">`,
		`<label class="inline"><input type="checkbox" name="confirm" value="plate" id="confirm-` + id + `-plate">`,
		`<label class="inline"><input type="checkbox" name="confirm" value="handle" id="confirm-` + id + `-handle">`,
		"Only ticked ones are published",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the reports page lacks %q", want)
		}
	}
	if strings.Contains(page, "checked") {
		t.Error("an identifier is ticked before the moderator ticks it")
	}

	rec := mod.Post(t, "/staff/reports/"+id+"/approve", url.Values{"csrf": {mod.CSRF(t)}, "public": {"He hit her."}, "confirm": {"phone"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %.300s", rec.Code, rec.Body)
	}
	w := warningOf(t, e, id)
	if w.State != domain.ReportApproved || len(w.Clients) != 1 || w.Clients[0].Kind != screening.Phone || len(w.Clients[0].Hash) != screening.Bytes {
		t.Fatalf("the warning's identifiers: %+v", w.Clients)
	}
	p, err := e.App.Store().ScreeningParams()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := p.Hash(screening.Phone, "+79123456789"); string(w.Clients[0].Hash) != string(want) {
		t.Errorf("the phone's hash is %x, not the list's %x for +79123456789", w.Clients[0].Hash, want)
	}
	answers := answersOf(t, e, id)
	for _, q := range []string{domain.ClientPlate, domain.ClientHandle} {
		if _, ok := answers[q]; ok {
			t.Errorf("the report's answer still holds %s", q)
		}
	}
	if answers["kind"] != "violence" {
		t.Errorf("the report's answer lost more than the unticked identifiers: %v", answers)
	}

	noTraceInAudit(t, e, id)
	if !slices.ContainsFunc(e.AuditLog(t), func(a domain.AuditEntry) bool {
		return a.Action == "identifiers confirmed" && a.Target == id+" (1)" && a.Staff == "moderator"
	}) {
		t.Errorf("the audit log does not say one identifier was confirmed: %+v", e.AuditLog(t))
	}
	audit := e.As(domain.RoleAdmin).Get(t, "/staff/audit", "Accept-Language", "ru").Body.String()
	if !strings.Contains(audit, "приметы подтверждены") || !strings.Contains(audit, id+" (1 примета)") {
		t.Errorf("the audit page does not say it in Russian: %.3000s", audit)
	}

	page = mod.Get(t, "/staff/reports").Body.String()
	if !strings.Contains(page, "1 identifier") {
		t.Error("the decided report does not say how many identifiers it published")
	}
	for _, trace := range append(clientTraces, "+7912") {
		if strings.Contains(strings.ReplaceAll(mainText(page), id, ""), trace) {
			t.Errorf("the decided report shows %q", trace)
		}
	}
}

// Rejecting deletes every identifier, whatever was ticked, from the report
// and its answer.
func TestModeration_RejectDeletesEveryIdentifier(t *testing.T) {
	t.Parallel()
	e, id := moderationEnv(t, nil)
	mod := e.As(domain.RoleModerator)
	rec := mod.Post(t, "/staff/reports/"+id+"/reject", url.Values{"csrf": {mod.CSRF(t)}, "confirm": {"phone", "plate", "handle"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reject: %d %.300s", rec.Code, rec.Body)
	}
	if w := warningOf(t, e, id); w.State != domain.ReportRejected || len(w.Clients) != 0 {
		t.Errorf("the rejected report keeps identifiers: %+v", w)
	}
	answers := answersOf(t, e, id)
	for q := range clientAnswers {
		if _, ok := answers[q]; ok {
			t.Errorf("the rejected report's answer still holds %s", q)
		}
	}
	noTraceInAudit(t, e, id)
	if slices.ContainsFunc(e.AuditLog(t), func(a domain.AuditEntry) bool { return a.Action == "identifiers confirmed" }) {
		t.Error("a rejection says identifiers were confirmed")
	}
}

// A number Sova cannot read as one of the organisation's country has no
// box and says so; ticked anyway (an old page, a crafted form), it is
// refused in the moderator's language, and nothing changes: the report
// waits with all it said.
func TestModeration_AnUnreadableTickedNumberIsRefusedAndNothingChanges(t *testing.T) {
	t.Parallel()
	e, id := moderationEnv(t, map[string]any{domain.ClientPhone: "12-34"})
	mod := e.As(domain.RoleModerator)

	page := mod.Get(t, "/staff/reports", "Accept-Language", "ru").Body.String()
	if strings.Contains(page, `value="phone"`) {
		t.Error("an unreadable number has a box to tick")
	}
	if !strings.Contains(page, "Не читается как номер телефона в стране: Россия") {
		t.Errorf("the page does not say the number cannot be read in Russia: %.3000s", page)
	}

	before := len(e.AuditLog(t))
	rec := mod.Post(t, "/staff/reports/"+id+"/approve", url.Values{"csrf": {mod.CSRF(t)}, "public": {"Edited words she keeps"}, "confirm": {"phone", "plate"}}, "Accept-Language", "ru")
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("an unreadable ticked number: %d %.300s", rec.Code, rec.Body)
	}
	if body := rec.Body.String(); !strings.Contains(body, `<p class="problem" role="alert">«12-34» (Номер телефона) нельзя проверять`) || !strings.Contains(body, `value="plate"`) {
		t.Errorf("the refusal is not said in Russian above the queue: %.2000s", body)
	}
	if !strings.Contains(rec.Body.String(), "Edited words she keeps") {
		t.Error("the queue shown again lost the public words she had edited")
	}
	w := warningOf(t, e, id)
	if w.State != domain.ReportPending || len(w.Clients) != 3 || w.Public != "" {
		t.Errorf("the refused decision changed the report: %+v", w)
	}
	for _, c := range w.Clients {
		if c.Confirmed() {
			t.Errorf("%s was confirmed by a refused decision", c.Kind)
		}
	}
	answers := answersOf(t, e, id)
	for q, v := range map[string]any{domain.ClientPhone: "12-34", domain.ClientPlate: clientAnswers[domain.ClientPlate], domain.ClientHandle: clientAnswers[domain.ClientHandle]} {
		if answers[q] != v {
			t.Errorf("the report's answer lost %s: %v", q, answers[q])
		}
	}
	if after := len(e.AuditLog(t)); after != before {
		t.Errorf("a refused decision wrote %d audit entries", after-before)
	}
}

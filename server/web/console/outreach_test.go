package console_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/store"
)

var setupData = regexp.MustCompile(`data-setup="([^"]+)"`)

// setUpPhone adds site "north-1" and has a field worker set up her phone:
// it returns her staff id and the device token the console handed over.
func setUpPhone(t *testing.T, e *testapp.Env) (worker, token string) {
	t.Helper()
	admin := e.As(domain.RoleAdmin)
	if rec := admin.Post(t, "/staff/sites", url.Values{"code": {"north-1"}, "csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add site: %d %s", rec.Code, rec.Body)
	}
	fw := e.As(domain.RoleFieldWorker)
	rec := fw.Post(t, "/staff/outreach/device", url.Values{"site": {"north-1"}, "lang": {"en"}, "csrf": {fw.CSRF(t)}})
	m := setupData.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("set up: %d %s", rec.Code, rec.Body)
	}
	var setup struct{ Token, Worker, Site string }
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &setup); err != nil {
		t.Fatal(err)
	}
	return setup.Worker, setup.Token
}

func syncAssisted(t *testing.T, e *testapp.Env, token string, a *domain.Assisted) string {
	t.Helper()
	item := e.Phone.Needs(t, testapp.NewID(), testapp.NeedsAnswers())
	item.Assisted = a
	var auth []string
	if token != "" {
		auth = []string{"Authorization", "Bearer " + token}
	}
	rec := e.Request(http.MethodPost, testapp.SyncURL, testapp.Body(item), auth...)
	if rec.Code != http.StatusOK {
		t.Fatalf("sync: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// Assisted answers sync only with the field worker's live device token, for
// a listed site, and are stored with her id and the site code only.
func TestOutreach_AssistedItemsNeedTheDeviceToken(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	worker, token := setUpPhone(t, e)
	ok := &domain.Assisted{Worker: worker, Site: "north-1"}

	if out := syncAssisted(t, e, "", ok); !strings.Contains(out, `"error":"unauthorized"`) {
		t.Errorf("without a token: %s", out)
	}
	if out := syncAssisted(t, e, token, &domain.Assisted{Worker: "someone-else", Site: "north-1"}); !strings.Contains(out, `"error":"unauthorized"`) {
		t.Errorf("naming another worker: %s", out)
	}
	if out := syncAssisted(t, e, token, &domain.Assisted{Worker: worker, Site: "south-9"}); !strings.Contains(out, `"error":"unknown_site"`) {
		t.Errorf("unknown site: %s", out)
	}
	out := syncAssisted(t, e, token, ok)
	if !strings.Contains(out, `"accepted":["`) {
		t.Fatalf("with the token: %s", out)
	}
	var got int
	e.App.Store().EachResponse(func(id string, r *store.Response) error {
		if r.Assisted == nil || *r.Assisted != *ok {
			t.Errorf("stored %+v, want assisted by %s at north-1", r.Assisted, worker)
		}
		got++
		return nil
	})
	if got != 1 {
		t.Errorf("stored %d, want 1", got)
	}

	// An admin revokes the phone: it can sync no more assisted answers.
	devs, _ := e.App.Store().Devices()
	if rec := admin.Post(t, "/staff/devices/"+devs[0].Hash+"/revoke", url.Values{"csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if out := syncAssisted(t, e, token, ok); !strings.Contains(out, `"error":"unauthorized"`) {
		t.Errorf("after revoking: %s", out)
	}
	if a := admin.Get(t, "/staff/audit").Body.String(); !strings.Contains(a, "device revoked") || !strings.Contains(a, "device set up") {
		t.Error("device set-up and revocation are not in the audit log")
	}
}

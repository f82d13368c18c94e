package member_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sova/internal/testapp"
)

// The notifications page explains in words and voice, shows what the lock
// screen will show, and offers the topics and areas.
func TestPush_NotifyPage(t *testing.T) {
	t.Parallel()
	testapp.Scenario{
		Name:           "in Russian",
		URL:            "/ru/notify",
		Before:         testapp.AddArea("north", "en", "North", "ru", "Север"),
		ExpectedStatus: http.StatusOK,
		ExpectedContent: []string{
			"Уведомления", "Есть что-то новое.", `data-topic="warnings"`, `data-topic="surveys"`, `data-area="north"`, "Север",
			`data-prompt="/audio/ru/notify.explain.`, "Отключить уведомления",
		},
		After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			if home := e.Member().Get(t, "/ru/").Body.String(); !strings.Contains(home, `href="/ru/notify"`) {
				t.Error("the home page has no notifications tile")
			}
		},
	}.Test(t)
}

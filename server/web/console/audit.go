package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sova/server/domain"
	"sova/server/web/edge"
)

func (s *Console) AuditPage(c echo.Context) error {
	entries, err := s.cfg.Store.AuditLog(500)
	if err != nil {
		return err
	}
	return edge.Render(c, http.StatusOK, auditPage(s.consoleView(c), entries))
}

// The log keeps what Sova wrote at the time, in English, and entries
// stay for years: so its words are said in this person's language when
// shown, from the shapes Sova writes them in. A word or a shape the
// catalogs do not know (from an older or a newer Sova) shows as stored.

// AuditAction is a stored audit action ("roles changed"), by the key
// audit.action.<its words joined by '-'>.
func (v consoleView) AuditAction(action string) string {
	key := "audit.action." + strings.ToLower(strings.ReplaceAll(action, " ", "-"))
	if s := v.T(key); s != key {
		return s
	}
	return action
}

// AuditStaff is who acted: a login, or the command line.
func (v consoleView) AuditStaff(staff string) string {
	if staff == domain.CommandLine {
		return v.T("audit.commandline")
	}
	return staff
}

var (
	versionTarget   = regexp.MustCompile(`^(\S+) v([0-9]+)$`)                   // a survey's actions
	exportTarget    = regexp.MustCompile(`^(\S+) v([0-9]+) \(([0-9]+) rows\)$`) // an export's
	confirmedTarget = regexp.MustCompile(`^(\S+) \(([0-9]+)\)$`)                // identifiers confirmed on a report
)

// AuditTarget is what an entry's action was on.
func (v consoleView) AuditTarget(e domain.AuditEntry) string {
	t := e.Target
	switch action := e.Action; {
	case strings.HasPrefix(action, "survey "):
		if m := versionTarget.FindStringSubmatch(t); m != nil {
			return v.Tf("audit.target.version", "id", m[1], "version", v.digits(m[2]))
		}
	case strings.HasPrefix(action, "export "):
		if m := exportTarget.FindStringSubmatch(t); m != nil {
			return v.Tf("audit.target.export", "id", m[1], "version", v.digits(m[2]), "rows", v.N("audit.target.rows", atoi(m[3])))
		}
	case action == "invite made", action == "account created":
		return v.roleWords(t)
	case action == "roles changed":
		// "login: roles", and " (disabled)" after them.
		if i := strings.LastIndex(t, ": "); i >= 0 {
			roles, disabled := strings.CutSuffix(t[i+2:], " (disabled)")
			s := t[:i+2] + v.roleWords(roles)
			if disabled {
				s += " (" + v.T("audit.target.disabled") + ")"
			}
			return s
		}
	case action == "identifiers confirmed":
		// "<report id> (<how many>)": never which.
		if m := confirmedTarget.FindStringSubmatch(t); m != nil {
			return v.Tf("audit.target.confirmed", "id", m[1], "count", v.N("audit.target.identifiers", atoi(m[2])))
		}
	case action == "settings changed":
		return v.settingsSummary(t)
	case action == "console language chosen":
		for _, c := range v.langs {
			if c.Lang == t {
				return c.Name
			}
		}
	}
	return t
}

// roleWords says a stored list of roles ("admin, moderator").
func (v consoleView) roleWords(list string) string {
	if list == "" {
		return ""
	}
	roles := strings.Split(list, ", ")
	for i, r := range roles {
		roles[i] = v.word("role.", r)
	}
	return strings.Join(roles, ", ")
}

// settingsClauses are the parts of the summary Office.SaveSettings
// writes ("quick exit: …; disguise: …; warnings show 14 days; …"), each
// with how to say it. Clauses came and went over Sova's versions, so each
// is said on its own.
var settingsClauses = []struct {
	shape *regexp.Regexp
	say   func(v consoleView, m []string) string
}{
	{regexp.MustCompile(`^quick exit: (.*)$`), func(v consoleView, m []string) string {
		return v.Tf("audit.settings.exit", "url", m[1])
	}},
	{regexp.MustCompile(`^disguise: (\S+)$`), func(v consoleView, m []string) string {
		return v.Tf("audit.settings.disguise", "name", v.disguiseName(m[1]))
	}},
	{regexp.MustCompile(`^first language: (\S+)$`), func(v consoleView, m []string) string {
		return v.Tf("audit.settings.lang", "lang", m[1])
	}},
	{regexp.MustCompile(`^phone numbers read in: (\S+)$`), func(v consoleView, m []string) string {
		if m[1] == "none" {
			return v.T("audit.settings.nocountry")
		}
		return v.Tf("audit.settings.country", "country", v.countryName(m[1]))
	}},
	{regexp.MustCompile(`^warnings show ([0-9]+) days$`), func(v consoleView, m []string) string {
		return v.N("audit.settings.warningdays", atoi(m[1]))
	}},
	{regexp.MustCompile(`^audit log kept ([0-9]+) days$`), func(v consoleView, m []string) string {
		return v.N("audit.settings.auditdays", atoi(m[1]))
	}},
	{regexp.MustCompile(`^notifications: (\S+), quiet ([0-9]+)-([0-9]+), ([0-9]+) a day$`), func(v consoleView, m []string) string {
		return v.Tf("audit.settings.push", "zone", m[1], "from", v.digits(m[2]), "to", v.digits(m[3]), "perday", v.N("audit.settings.perday", atoi(m[4])))
	}},
}

func (v consoleView) settingsSummary(summary string) string {
	clauses := strings.Split(summary, "; ")
	for i, c := range clauses {
		for _, sc := range settingsClauses {
			if m := sc.shape.FindStringSubmatch(c); m != nil {
				clauses[i] = sc.say(v, m)
				break
			}
		}
	}
	return strings.Join(clauses, v.T("audit.settings.and"))
}

// atoi is a number a pattern has already found to be digits.
func atoi(digits string) int {
	n, _ := strconv.Atoi(digits)
	return n
}

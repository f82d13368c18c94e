package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
)

// QuestionType is how a question is answered. The names are part of the
// public survey format and API.
type QuestionType string

const (
	Single   QuestionType = "single"
	Multiple QuestionType = "multiple"
	YesNo    QuestionType = "yesno"
	Scale    QuestionType = "scale"
	Number   QuestionType = "number"
	Text     QuestionType = "text"

	// What a report may say about the client, so that others can check
	// him (WarnSurvey, package screening). They are the reporting form's
	// alone: a survey asks nothing that names anyone.
	Phone  QuestionType = "phone"
	Plate  QuestionType = "plate"
	Handle QuestionType = "handle" // "<site>/<name>", a site of HandleSites
)

var questionTypes = []QuestionType{Single, Multiple, YesNo, Scale, Number, Text}

// MaxTextAnswer bounds a typed answer, in characters: enough for a few
// sentences, too little to paste anything identifying in bulk.
const MaxTextAnswer = 500

// Survey is one version of a survey definition, as written by staff (see
// assets/surveys/README.md) and served to the app.
type Survey struct {
	ID        string                       `json:"id"`
	Version   int                          `json:"version"`
	Languages []string                     `json:"languages"`
	Title     string                       `json:"title"`
	Icon      string                       `json:"icon"`
	Questions []Question                   `json:"questions"`
	Texts     map[string]map[string]string `json:"texts"`
}

// Question is one screen of a survey.
type Question struct {
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Text     string       `json:"text"`
	Icon     string       `json:"icon"`
	Required bool         `json:"required"`
	Choices  []Choice     `json:"choices,omitempty"`
	Min      *float64     `json:"min,omitempty"`
	Max      *float64     `json:"max,omitempty"`
	// Whole takes whole numbers only (a count of days, of times): the
	// phone offers a keypad without a decimal point. Omitted, a number
	// question takes fractions too, as every survey did before it.
	Whole  bool    `json:"whole,omitempty"`
	ShowIf *ShowIf `json:"showIf,omitempty"`
}

// Choice is one answer a member can tap.
type Choice struct {
	Value string `json:"value"`
	Text  string `json:"text"`
	Icon  string `json:"icon"`
}

// ShowIf asks a question only when an earlier question's answer is one of
// AnyOf (for a multiple-choice question: when any of them was chosen). AnyOf
// holds strings, booleans or numbers as the earlier question's type needs.
type ShowIf struct {
	Question string `json:"question"`
	AnyOf    []any  `json:"anyOf"`
}

// Default bounds of a number question when the definition gives none.
const (
	DefaultNumberMin = 0
	DefaultNumberMax = 1000
)

// Bounds returns the accepted range of a number question.
func (q *Question) Bounds() (lo, hi float64) {
	lo, hi = DefaultNumberMin, DefaultNumberMax
	if q.Min != nil {
		lo = *q.Min
	}
	if q.Max != nil {
		hi = *q.Max
	}
	return lo, hi
}

// Question returns the question with the given id, or nil.
func (s *Survey) Question(id string) *Question {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

// HasLanguage reports whether the survey is complete in lang.
func (s *Survey) HasLanguage(lang string) bool { return slices.Contains(s.Languages, lang) }

// TextKeys lists every text key the survey uses, in order of appearance. The
// same keys find the voice in each language's pack.
func (s *Survey) TextKeys() []string {
	keys := []string{s.Title}
	for _, q := range s.Questions {
		keys = append(keys, q.Text)
		for _, c := range q.Choices {
			keys = append(keys, c.Text)
		}
	}
	return keys
}

// SurveyState is where a survey version is in its life. An upload is a
// draft; publishing shows it to members; retiring hides it. Answers are
// accepted for published and retired versions (phones may hold answers to a
// version for weeks), never for drafts.
type SurveyState string

const (
	SurveyDraft     SurveyState = "draft"
	SurveyPublished SurveyState = "published"
	SurveyRetired   SurveyState = "retired"
)

// ErrVersionExists is returned when a different definition is put under a
// survey version that is already stored: answers stored against it would
// change meaning.
var ErrVersionExists = errors.New("this survey version already exists with different content; publish a new version")

// SameQuestions reports whether s and o are one survey version asking the
// same questions the same way, whatever their words: what its answers mean
// is then the same, and a release may correct the words (Texts, and the
// languages they come in) without a new version.
func (s *Survey) SameQuestions(o *Survey) bool {
	a, _ := json.Marshal(s.Questions)
	b, _ := json.Marshal(o.Questions)
	return s.ID == o.ID && s.Version == o.Version && bytes.Equal(a, b)
}

var (
	surveyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	wordPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)
	langPattern     = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
)

// ValidSurveyID reports whether id may name a survey.
func ValidSurveyID(id string) bool { return surveyIDPattern.MatchString(id) }

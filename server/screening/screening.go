// Package screening turns what a member knows about a client (a phone
// number, a car plate, a name used online) into the identifiers the offline
// check compares: the same number written three ways is one identifier, and
// the list a phone holds is made of keyed, deliberately slow hashes of them,
// so that it names nobody.
package screening

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Kind is what an identifier is; it is hashed with the identifier, so that
// a plate never matches a handle with the same letters.
type Kind string

const (
	Phone  Kind = "phone"
	Plate  Kind = "plate"
	Handle Kind = "handle"
)

// ErrNotANumber is a phone number no country would dial.
var ErrNotANumber = errors.New("screening: not a phone number")

// ErrEmpty is an identifier with nothing left once spaces and signs go.
var ErrEmpty = errors.New("screening: nothing to check")

// NormalizePhone returns the number in E.164 (+79123456789), reading a
// number without its country code as dialled in region (ISO 3166, the
// organisation's default country). Any script's digits count: a member may
// type Arabic-Indic ones.
func NormalizePhone(raw, region string) (string, error) {
	num, err := phonenumbers.Parse(asciiDigits(raw), strings.ToUpper(region))
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("%w: %q", ErrNotANumber, raw)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// lookalikes are the Cyrillic capitals that plates share with Latin ones:
// a plate read off a Russian car and typed on a Latin keyboard (or the
// other way round) is the same plate.
var lookalikes = strings.NewReplacer(
	"А", "A", "В", "B", "Е", "E", "К", "K", "М", "M", "Н", "H",
	"О", "O", "Р", "P", "С", "C", "Т", "T", "У", "Y", "Х", "X",
)

// NormalizePlate keeps a plate's letters and digits, in capitals, with
// Cyrillic letters that look Latin folded to Latin and any script's digits
// made ASCII.
func NormalizePlate(raw string) (string, error) {
	up := lookalikes.Replace(strings.ToUpper(norm.NFKC.String(raw)))
	var b strings.Builder
	for _, r := range asciiDigits(up) {
		if unicode.IsLetter(r) || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "", ErrEmpty
	}
	return b.String(), nil
}

// NormalizeHandle is a name used online, on a site (a code from the check's
// list of sites, such as "telegram"): case-folded, without spaces or a
// leading @, and tied to its site, so that one name on two sites is two
// identifiers.
//
// Folding is lower case with a final sigma made a plain one: what the
// phone's JavaScript can do the same way (full Unicode folding would make
// "ß" "ss" here and not there).
func NormalizeHandle(raw, site string) (string, error) {
	name := strings.TrimLeft(strings.Join(strings.Fields(foldCase(norm.NFKC.String(raw))), ""), "@")
	site = strings.ToLower(strings.TrimSpace(site))
	if name == "" || site == "" {
		return "", ErrEmpty
	}
	return site + "/" + name, nil
}

func foldCase(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ς", "σ") }

// asciiDigits writes every decimal digit, in any script (Arabic-Indic,
// Persian, full-width…), as its ASCII digit.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 || !unicode.IsDigit(r) {
			return r
		}
		// Unicode keeps each script's digits 0–9 in a run: walk down to
		// its zero.
		zero := r
		for r-zero < 9 && unicode.IsDigit(zero-1) {
			zero--
		}
		return '0' + (r - zero)
	}, s)
}

// Params are an organisation's hashing parameters, which travel with its
// list: phones hash what a member enters the same way and compare.
type Params struct {
	Salt       []byte // the organisation's, random, made once
	Iterations int    // PBKDF2's: about 0.5 s for one check on a cheap phone
	Bytes      int    // each hash is cut to this many bytes to keep the list small
}

// Hash is the identifier's entry in the list: PBKDF2-HMAC-SHA256 of
// "<kind>:<normalized>" with the organisation's salt, cut to p.Bytes.
func (p Params) Hash(kind Kind, normalized string) ([]byte, error) {
	if p.Bytes < 1 || p.Bytes > sha256.Size || p.Iterations < 1 || len(p.Salt) < 16 {
		return nil, fmt.Errorf("screening: parameters %d bytes, %d iterations, %d-byte salt", p.Bytes, p.Iterations, len(p.Salt))
	}
	k, err := pbkdf2.Key(sha256.New, string(kind)+":"+normalized, p.Salt, p.Iterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	return k[:p.Bytes], nil
}

// PhoneRules are what a phone needs to read a number as the organisation's
// members dial it, offline, with no copy of libphonenumber (pwa/js/screen.js):
// the country's calling code, the prefix that dials abroad, the national
// prefix, and how long a national number may be. Regular expressions are in
// the syntax both Go and JavaScript read.
type PhoneRules struct {
	Region         string `json:"region"`
	CallingCode    string `json:"cc"`
	Abroad         string `json:"intl"` // pattern of the international prefix
	NationalPrefix string `json:"npp"`  // pattern of the national prefix, or ""
	Lengths        []int  `json:"lengths"`
}

// ErrRegion is a country whose numbers a phone cannot read offline: unknown
// to libphonenumber, or one whose national numbers change shape when dialled
// (Argentina's and Brazil's carrier codes). Its members write numbers with +.
var ErrRegion = errors.New("screening: numbers of this country cannot be read offline")

// RulesFor gives region's rules, from libphonenumber's metadata.
func RulesFor(region string) (PhoneRules, error) {
	region = strings.ToUpper(region)
	col, err := phonenumbers.MetadataCollection()
	if err != nil {
		return PhoneRules{}, err
	}
	for _, m := range col.GetMetadata() {
		if m.GetId() != region {
			continue
		}
		if m.GetNationalPrefixTransformRule() != "" || strings.Contains(m.GetNationalPrefixForParsing(), "(") {
			return PhoneRules{}, fmt.Errorf("%w: %s", ErrRegion, region)
		}
		var lengths []int
		for _, n := range m.GetGeneralDesc().GetPossibleLength() {
			lengths = append(lengths, int(n))
		}
		return PhoneRules{Region: region, CallingCode: fmt.Sprint(m.GetCountryCode()), Abroad: m.GetInternationalPrefix(),
			NationalPrefix: m.GetNationalPrefixForParsing(), Lengths: lengths}, nil
	}
	return PhoneRules{}, fmt.Errorf("%w: %s", ErrRegion, region)
}

// Normalize is the identifier of kind as a member or a moderator wrote it;
// a handle is written "<site>/<name>", as the reporting form sends it.
func Normalize(kind Kind, raw, region string) (string, error) {
	switch kind {
	case Phone:
		return NormalizePhone(raw, region)
	case Plate:
		return NormalizePlate(raw)
	case Handle:
		site, name, _ := strings.Cut(raw, "/")
		return NormalizeHandle(name, site)
	}
	return "", fmt.Errorf("screening: no kind %q", kind)
}

// The list's parameters, the same for every organisation but its salt.
//
// Iterations: OWASP's figure for PBKDF2-HMAC-SHA256 (2023). One check in
// Chromium at 4× CPU slowdown, the budgets' stand-in for a cheap phone,
// takes about a quarter to half a second (B9; go tool task bench), and an
// attacker holding the list pays as much for every number he tries (README,
// "Screening"). Bytes: 4 bytes keep 1,000 identifiers small (B10), and make
// a wrong match on a phone about one in four million checks.
const (
	Iterations = 600_000
	Bytes      = 4
	SaltBytes  = 16
)

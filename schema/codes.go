package schema

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed codes/*.csv
var embeddedCodes embed.FS

// CodeFiles lists the reference code lists, in the order they are loaded into the stores.
func CodeFiles() []string {
	return []string{"districts", "offices", "courts", "offence_types", "offence_map",
		"eu_membership", "exploitation_forms", "countries"}
}

// OffenceType is one canvas offence code (codes/offence_types.csv).
type OffenceType struct {
	Code, Phenomenon, Exploitation string
	Aggravated                     bool
	ICCS                           string
	Rank                           int
	LegalBasis, LabelEN            string
}

// OffenceMapping maps an agency's offence code onto a canvas offence code for a period.
type OffenceMapping struct {
	Source, SourceCode, Offence string
	ValidFrom, ValidTo          time.Time // zero: open
}

// Court is one court (codes/courts.csv).
type Court struct{ Code, Level, Area string }

// EUPeriod is a country's EU membership period.
type EUPeriod struct {
	Country  string
	From, To time.Time // To zero: still a member
}

// Codes holds the reference code lists.
type Codes struct {
	Districts     map[string]string // code -> French name
	Offices       map[string]string // code -> district ("" for FED)
	Courts        map[string]Court
	Offences      map[string]OffenceType
	OffenceMap    []OffenceMapping
	EU            []EUPeriod
	Exploitation  map[string][]string // code -> row (iccs, label_en, glotip_category, eurostat)
	CountryAlpha2 map[string]bool
	Alpha3To2     map[string]string
	// Files holds each list's raw rows (header first) for loading into the stores as tables.
	Files map[string][][]string
}

// LoadCodes reads the embedded code lists; a non-empty dir overrides any list with a file of the
// same name in that folder (analysts maintain the lists as data).
func LoadCodes(dir string) (*Codes, error) {
	c := &Codes{Files: map[string][][]string{}}
	for _, name := range CodeFiles() {
		var r io.Reader
		var src string
		if dir != "" {
			p := filepath.Join(dir, name+".csv")
			if f, err := os.Open(p); err == nil {
				defer f.Close()
				r, src = f, p
			}
		}
		if r == nil {
			f, err := embeddedCodes.Open("codes/" + name + ".csv")
			if err != nil {
				return nil, fmt.Errorf("code list %s: %w", name, err)
			}
			defer f.Close()
			r, src = f, "embedded codes/"+name+".csv"
		}
		cr := csv.NewReader(r)
		rows, err := cr.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("code list %s: %w", src, err)
		}
		if len(rows) < 2 {
			return nil, fmt.Errorf("code list %s: no rows", src)
		}
		c.Files[name] = rows
	}
	if err := c.index(); err != nil {
		return nil, err
	}
	return c, nil
}

// MustCodes returns the embedded code lists; they are part of the program, so failing to read
// them is a build defect.
func MustCodes() *Codes {
	c, err := LoadCodes("")
	if err != nil {
		panic(err)
	}
	return c
}

// EmbeddedCodes exposes the embedded code files (for documentation and tests).
func EmbeddedCodes() fs.FS { return embeddedCodes }

func parseOptDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

func (c *Codes) index() error {
	col := func(name string) map[string]int {
		m := map[string]int{}
		for i, h := range c.Files[name][0] {
			m[h] = i
		}
		return m
	}
	c.Districts = map[string]string{}
	h := col("districts")
	for _, r := range c.Files["districts"][1:] {
		c.Districts[r[h["code"]]] = r[h["name_fr"]]
	}
	c.Offices = map[string]string{}
	h = col("offices")
	for _, r := range c.Files["offices"][1:] {
		c.Offices[r[h["code"]]] = r[h["district"]]
	}
	c.Courts = map[string]Court{}
	h = col("courts")
	for _, r := range c.Files["courts"][1:] {
		c.Courts[r[h["code"]]] = Court{Code: r[h["code"]], Level: r[h["level"]], Area: r[h["area"]]}
	}
	c.Offences = map[string]OffenceType{}
	h = col("offence_types")
	for i, r := range c.Files["offence_types"][1:] {
		rank, err := strconv.Atoi(r[h["rank"]])
		if err != nil {
			return fmt.Errorf("offence_types.csv line %d: rank %q is not a number", i+2, r[h["rank"]])
		}
		c.Offences[r[h["code"]]] = OffenceType{Code: r[h["code"]], Phenomenon: r[h["phenomenon"]],
			Exploitation: r[h["exploitation"]], Aggravated: r[h["aggravated"]] == "Y", ICCS: r[h["iccs"]],
			Rank: rank, LegalBasis: r[h["legal_basis"]], LabelEN: r[h["label_en"]]}
	}
	h = col("offence_map")
	for i, r := range c.Files["offence_map"][1:] {
		from, err1 := parseOptDate(r[h["valid_from"]])
		to, err2 := parseOptDate(r[h["valid_to"]])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("offence_map.csv line %d: validity dates must be YYYY-MM-DD", i+2)
		}
		if _, ok := c.Offences[r[h["offence"]]]; !ok {
			return fmt.Errorf("offence_map.csv line %d: offence %q is not in offence_types.csv", i+2, r[h["offence"]])
		}
		c.OffenceMap = append(c.OffenceMap, OffenceMapping{Source: r[h["source"]], SourceCode: r[h["source_code"]],
			Offence: r[h["offence"]], ValidFrom: from, ValidTo: to})
	}
	h = col("eu_membership")
	for i, r := range c.Files["eu_membership"][1:] {
		from, err1 := parseOptDate(r[h["eu_from"]])
		to, err2 := parseOptDate(r[h["eu_to"]])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("eu_membership.csv line %d: dates must be YYYY-MM-DD", i+2)
		}
		c.EU = append(c.EU, EUPeriod{Country: r[h["country"]], From: from, To: to})
	}
	c.Exploitation = map[string][]string{}
	for _, r := range c.Files["exploitation_forms"][1:] {
		c.Exploitation[r[0]] = r[1:]
	}
	c.CountryAlpha2, c.Alpha3To2 = map[string]bool{}, map[string]string{}
	for _, r := range c.Files["countries"][1:] {
		c.CountryAlpha2[r[0]] = true
		c.Alpha3To2[r[1]] = r[0]
	}
	return nil
}

// MapOffence maps a source's offence code, in force on date d (zero: any), to a canvas offence
// code. Canvas codes are accepted directly from every source.
func (c *Codes) MapOffence(source, code string, d time.Time) (string, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, m := range c.OffenceMap {
		if m.Source != source || !strings.EqualFold(m.SourceCode, code) {
			continue
		}
		if !d.IsZero() && ((!m.ValidFrom.IsZero() && d.Before(m.ValidFrom)) || (!m.ValidTo.IsZero() && d.After(m.ValidTo))) {
			continue
		}
		return m.Offence, true
	}
	if _, ok := c.Offences[code]; ok {
		return code, true
	}
	return "", false
}

// Country normalises an ISO 3166-1 alpha-2 or alpha-3 code to alpha-2.
func (c *Codes) Country(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if c.CountryAlpha2[s] {
		return s, true
	}
	if a2, ok := c.Alpha3To2[s]; ok {
		return a2, true
	}
	return "", false
}

// InEU reports whether country (alpha-2) was an EU member on date d.
func (c *Codes) InEU(country string, d time.Time) bool {
	for _, p := range c.EU {
		if p.Country == country && !d.Before(p.From) && (p.To.IsZero() || !d.After(p.To)) {
			return true
		}
	}
	return false
}

// Has reports whether code is in the named reference list (districts, offices, courts).
func (c *Codes) Has(list, code string) bool {
	switch list {
	case "districts":
		_, ok := c.Districts[code]
		return ok
	case "offices":
		_, ok := c.Offices[code]
		return ok
	case "courts":
		_, ok := c.Courts[code]
		return ok
	}
	return false
}

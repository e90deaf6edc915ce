package synth

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/schema"
	"golang.org/x/text/encoding/charmap"
)

// TestSpellings checks that every header name and value spelling the files use is one the
// contract accepts (schema aliases and enum spellings).
func TestSpellings(t *testing.T) {
	for _, src := range schema.Sources() {
		for _, c := range src.Columns {
			accepted := map[string]bool{schema.NormaliseHeader(c.Name): true}
			for _, a := range c.Aliases {
				accepted[schema.NormaliseHeader(a)] = true
			}
			for lang := range 3 {
				for style := range 3 {
					h := headerName(c, lang, style)
					if !accepted[schema.NormaliseHeader(h)] {
						t.Errorf("%s.%s: header %q (language %s) is not an accepted name", src.Name, c.Name, h, langNames()[lang])
					}
					if _, err := charmap.Windows1252.NewEncoder().String(h); err != nil {
						t.Errorf("header %q has no Windows-1252 encoding", h)
					}
				}
			}
			if c.Kind != schema.Enum {
				continue
			}
			sp := enumSpellings(c.Name)
			for lang, m := range sp {
				for canon, spelled := range m {
					if got := c.Values[schema.NormaliseValue(spelled)]; got != canon {
						t.Errorf("%s.%s: %s spelling %q reads as %q, want %q", src.Name, c.Name, langNames()[lang], spelled, got, canon)
					}
				}
			}
		}
	}
}

// TestNamesAndCountries checks the name lists (Windows-1252 encodable, since some files are)
// and that every citizenship the world draws is a known country.
func TestNamesAndCountries(t *testing.T) {
	enc := charmap.Windows1252.NewEncoder()
	for _, g := range nameGroups() {
		for _, list := range [][]string{g.male, g.female, g.surnames, g.places} {
			for _, s := range list {
				if _, err := enc.String(s); err != nil {
					t.Errorf("%q has no Windows-1252 encoding", s)
				}
			}
		}
	}
	for k, vs := range nameVariants() {
		for _, v := range vs {
			if _, err := enc.String(v); err != nil {
				t.Errorf("variant %q of %q has no Windows-1252 encoding", v, k)
			}
		}
	}
	codes := schema.MustCodes()
	d := newDists()
	for _, w := range []weighted{d.smuSuspect, d.smuVictim, d.thbSuspect, d.thbVictim, d.background} {
		for _, c := range w.vals {
			if _, ok := codes.Country(c); !ok {
				t.Errorf("citizenship %s is not in countries.csv", c)
			}
		}
	}
	if _, ok := codes.Country("XX"); ok {
		t.Error("XX, the flagged unknown citizenship, is a known country")
	}
	for _, w := range []weighted{d.smuDistrict, d.thbDistrict, d.bgDistrict} {
		for _, c := range w.vals {
			if !codes.Has("districts", c) {
				t.Errorf("district %s unknown", c)
			}
		}
	}
	for _, off := range []string{"THB-433Q-SEX", "THB-433Q-LAB", "THB-433Q-BEG", "THB-433Q-CRIM", "THB-433Q-ORG", "SMU-77BIS", "SMU-77QUATER", "THB-433SEPTIES"} {
		for _, m := range []struct {
			source, code string
		}{{"police", policeCode(off)}, {"prosecution", prosecutionCode(off)}} {
			if off == "THB-433SEPTIES" && m.source == "police" {
				continue
			}
			if got, ok := codes.MapOffence(m.source, m.code, mkday(2020, 1, 1).time()); !ok || got != off {
				t.Errorf("%s code %s maps to %q, want %s", m.source, m.code, got, off)
			}
		}
	}
}

func TestNationalNumber(t *testing.T) {
	for _, tc := range []struct {
		birth day
		male  bool
		kind  int
		month string
	}{
		{mkday(1985, 6, 12), true, numNN, "06"},
		{mkday(1999, 12, 31), false, numNN, "12"},
		{mkday(2003, 2, 1), true, numNN, "02"},
		{mkday(1990, 3, 4), true, numBIS, "43"},
		{mkday(2001, 3, 4), false, numBIS, "43"},
	} {
		seq := 18 // even: a BIS number adds 40 to the month
		n := nationalNumber(tc.birth, tc.male, seq, tc.kind)
		if len(n) != 11 || !validNN(n) {
			t.Errorf("%v: %s invalid", tc, n)
		}
		if tc.kind == numNN && n[2:4] != tc.month {
			t.Errorf("%v: month %s", tc, n[2:4])
		}
		if tc.kind == numBIS && n[2:4] != tc.month {
			t.Errorf("%v: BIS month %s", tc, n[2:4])
		}
		if (int(n[8]-'0')%2 == 1) != tc.male {
			t.Errorf("%v: sequence %s has the wrong parity", tc, n[6:9])
		}
		if validNN(breakNN(n)) {
			t.Errorf("breakNN(%s) = %s still valid", n, breakNN(n))
		}
		if d := dottedNN(n); strings.NewReplacer(".", "", "-", "").Replace(d) != n {
			t.Errorf("dotted %s", d)
		}
	}
	// Check digits computed by hand with the formula of extracts.md.
	if n := nationalNumber(mkday(1985, 6, 12), true, 85, numNN); n != "85061217135" {
		t.Errorf("1985-06-12, man, sequence 171: %s, want 85061217135", n)
	}
	if n := nationalNumber(mkday(2001, 3, 4), false, 18, numBIS); n != "01430403896" {
		t.Errorf("2001-03-04 BIS, woman, sequence 038: %s, want 01430403896", n)
	}
}

func TestDates(t *testing.T) {
	for d := mkday(1900, 1, 1); d < mkday(2100, 1, 1); d += 13 {
		y, m, dd := d.ymd()
		if mkday(y, m, dd) != d || d.time().Format("2006-01-02") != d.iso() {
			t.Fatalf("day %d: %d-%d-%d, %s", d, y, m, dd, d.iso())
		}
	}
	if s := mkday(2026, 1, 15).excelSerial(); s != 46037 {
		t.Errorf("Excel serial of 2026-01-15 = %d, want 46037", s)
	}
	if a := yearsBetween(mkday(2000, 5, 10), mkday(2018, 5, 9)); a != 17 {
		t.Errorf("age %d, want 17", a)
	}
}

// TestSplitNoNights checks split initial deliveries, no nightly files, and that the truth
// still agrees with the files.
func TestSplitNoNights(t *testing.T) {
	dir := t.TempDir()
	cfg := smallConfig(3)
	cfg.Nights = 0
	cfg.SplitLines = 2500
	var last, total int64
	m, err := Generate(context.Background(), dir, cfg, func(d, tot int64) { last, total = d, tot })
	if err != nil {
		t.Fatal(err)
	}
	if last != total || last == 0 {
		t.Errorf("progress ended at %d of %d", last, total)
	}
	re := regexp.MustCompile(`^(police|prosecution|mach)_20200115_\d\d\.csv$`)
	for _, f := range m.Files {
		if !re.MatchString(f.Name) || f.Night != 0 {
			t.Errorf("file %s (night %d): want parts of the initial delivery", f.Name, f.Night)
		}
		if f.Rows > int64(cfg.SplitLines)+5 {
			t.Errorf("%s: %d rows, split at %d", f.Name, f.Rows, cfg.SplitLines)
		}
	}
	if len(m.Files) < 6 {
		t.Errorf("only %d files", len(m.Files))
	}
	for _, p := range []string{"police.redelivered", "mach.corrected", "mach.cancelled"} {
		if m.Patterns[p].Injected != 0 {
			t.Errorf("%s injected without nightly deliveries", p)
		}
	}
	codes := schema.MustCodes()
	truth := truthValues(t, dir)
	police, _, _ := delivered(t, dir, schema.Police(), codes)
	facts := map[string]map[string]string{}
	for _, r := range police {
		p := codes.Offences[r.v["offence_code"]].Phenomenon
		if facts[p] == nil {
			facts[p] = map[string]string{}
		}
		facts[p][r.v["fact_id"]] = r.v["registration_date"][:4]
	}
	for _, p := range []string{thb, smu} {
		n := map[string]int64{}
		for _, y := range facts[p] {
			n[y]++
		}
		for y, v := range n {
			if truth[y+"|"+p+"|OFFENCES_RECORDED"] != v {
				t.Errorf("%s %s offences recorded: files %d, truth %d", y, p, v, truth[y+"|"+p+"|OFFENCES_RECORDED"])
			}
		}
	}
	if _, err := filepath.Glob(filepath.Join(dir, "*")); err != nil {
		t.Fatal(err)
	}
}

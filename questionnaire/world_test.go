package questionnaire

import (
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// The fixed synthetic world of these tests (testdata/world): units.csv is the truth (one line per
// counted unit, with its breakdown values), indicator.csv the canvas's cube built from it, and
// the other CSV files the canvas's metadata tables. `go test -run TestWorld -world` regenerates
// them from a seed; the world is small on purpose, so that many cells are small counts.
var updateWorld = flag.Bool("world", false, "regenerate testdata/world from its seed")

const worldDir = "testdata/world"

// unit is one counted unit of the truth.
type unit struct {
	year                       int
	phenomenon, stage, measure string
	sex, age, citizenship      string
	districts, forms           []string
}

// worldCoverage: the conviction source starts in 2022, so 2021 is missing for convictions.
func worldYears() []int { return []int{2021, 2022, 2023, 2024} }

func convictionCovers(y int) bool { return y >= 2022 }

func generateUnits() []unit {
	r := rand.New(rand.NewPCG(5, 2026))
	pick := func(vals []string, w []int) string {
		t := 0
		for _, x := range w {
			t += x
		}
		n := r.IntN(t)
		for i, x := range w {
			if n < x {
				return vals[i]
			}
			n -= x
		}
		return vals[len(vals)-1]
	}
	measures := []struct {
		stage, measure string
		persons        bool
		n              int
	}{
		{"POLICE", "OFFENCES_RECORDED", false, 40},
		{"POLICE", "VICTIMS", true, 45},
		{"POLICE", "SUSPECTS", true, 40},
		{"PROSECUTION", "CASES_ENTERED", false, 30},
		{"PROSECUTION", "PERSONS_PROSECUTED", true, 25},
		{"CONVICTION", "PERSONS_CONVICTED", true, 20},
		{"CONVICTION", "PERSONS_PRISON_UNSUSPENDED", true, 8},
	}
	forms := []string{"SEX", "LAB", "ORG", "BEG", "CRIM", "OTH"}
	var out []unit
	for _, y := range worldYears() {
		for _, ph := range []string{"TRAFFICKING", "SMUGGLING"} {
			for _, m := range measures {
				if m.stage == "CONVICTION" && !convictionCovers(y) {
					continue
				}
				n := m.n/2 + r.IntN(m.n)
				if ph == "SMUGGLING" && m.measure == "VICTIMS" {
					n = 0 // smuggled migrants are not victims in the canvas
				}
				for i := 0; i < n; i++ {
					u := unit{year: y, phenomenon: ph, stage: m.stage, measure: m.measure, sex: "_T", age: "_T", citizenship: "_T"}
					if m.persons {
						u.sex = pick([]string{"M", "F", "_U"}, []int{60, 35, 5})
						u.age = pick([]string{"Y_GE18", "Y_LT18", "_U"}, []int{80, 15, 5})
						u.citizenship = pick([]string{"NAT", "EU_OTH", "NEU", "_U"}, []int{30, 20, 45, 5})
					}
					dists := []string{"ANT", "BRU", "LIE", "_U"}
					if m.stage == "PROSECUTION" {
						dists = append(dists, "FED")
					}
					u.districts = []string{dists[r.IntN(len(dists))]}
					if r.IntN(6) == 0 {
						u.districts = appendNew(u.districts, dists[r.IntN(len(dists))])
					}
					switch {
					case ph == "SMUGGLING":
						u.forms = []string{"_Z"}
					default:
						k := pick([]string{"0", "1", "2"}, []int{10, 75, 15})
						for j := 0; j < int(k[0]-'0'); j++ {
							u.forms = appendNew(u.forms, pick(forms, []int{45, 30, 2, 8, 8, 7}))
						}
						if len(u.forms) == 0 {
							u.forms = []string{"_U"}
						}
					}
					sort.Strings(u.districts)
					sort.Strings(u.forms)
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// cube builds the indicator rows of a set of units: every combination of `_T` and the unit's
// values, counted once per unit (docs/counting.md).
func cube(units []unit) map[string]int64 {
	out := map[string]int64{}
	for _, u := range units {
		for _, sx := range uniqT(u.sex) {
			for _, ag := range uniqT(u.age) {
				for _, ct := range uniqT(u.citizenship) {
					for _, d := range append([]string{"_T"}, u.districts...) {
						for _, f := range append([]string{"_T"}, u.forms...) {
							k := strings.Join([]string{strconv.Itoa(u.year), u.phenomenon, u.stage, u.measure, sx, ag, ct, d, f}, ",")
							out[k]++
						}
					}
				}
			}
		}
	}
	return out
}

func uniqT(v string) []string {
	if v == "_T" {
		return []string{"_T"}
	}
	return []string{"_T", v}
}

func obsStatus(year int, stage string) string {
	switch {
	case year == 2024:
		return "P"
	case stage == "CONVICTION" && year == 2023:
		return "P"
	case stage == "CONVICTION" && year == 2022:
		return "B"
	}
	return "A"
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestWorld(t *testing.T) {
	if *updateWorld {
		units := generateUnits()
		rows := [][]string{{"ref_year", "phenomenon", "stage", "measure", "sex", "age_group", "citizenship", "districts", "exploitations"}}
		for _, u := range units {
			rows = append(rows, []string{strconv.Itoa(u.year), u.phenomenon, u.stage, u.measure, u.sex, u.age, u.citizenship,
				strings.Join(u.districts, ";"), strings.Join(u.forms, ";")})
		}
		writeCSV(t, filepath.Join(worldDir, "units.csv"), rows)
		writeCSV(t, filepath.Join(worldDir, "indicator.csv"), indicatorRows(units))
	}
	// the committed cube must be the cube of the committed units
	got := readCSV(t, filepath.Join(worldDir, "indicator.csv"))
	want := indicatorRows(loadUnits(t))
	if len(got) != len(want) {
		t.Fatalf("indicator.csv has %d lines, the units give %d: run go test -run TestWorld -world", len(got), len(want))
	}
	for i := range got {
		if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
			t.Fatalf("indicator.csv line %d: %v, the units give %v", i+1, got[i], want[i])
		}
	}
}

func indicatorRows(units []unit) [][]string {
	c := cube(units)
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := [][]string{{"ref_year", "phenomenon", "stage", "measure", "sex", "age_group", "citizenship", "district", "exploitation", "value", "obs_status", "counting_rule"}}
	for _, k := range keys {
		f := strings.Split(k, ",")
		y, _ := strconv.Atoi(f[0])
		rows = append(rows, append(f, strconv.FormatInt(c[k], 10), obsStatus(y, f[2]), "ANY_MENTION"))
	}
	// conviction measures of a year the source does not cover: M rows, value NULL, all _T
	for _, y := range worldYears() {
		if convictionCovers(y) {
			continue
		}
		for _, ph := range []string{"SMUGGLING", "TRAFFICKING"} {
			for _, m := range []string{"PERSONS_CONVICTED", "PERSONS_PRISON_UNSUSPENDED"} {
				rows = append(rows, []string{strconv.Itoa(y), ph, "CONVICTION", m, "_T", "_T", "_T", "_T", "_T", "", "M", "ANY_MENTION"})
			}
		}
	}
	return rows
}

func loadUnits(t testing.TB) []unit {
	rows := readCSV(t, filepath.Join(worldDir, "units.csv"))
	var out []unit
	for _, r := range rows[1:] {
		y, _ := strconv.Atoi(r[0])
		out = append(out, unit{year: y, phenomenon: r[1], stage: r[2], measure: r[3], sex: r[4], age: r[5], citizenship: r[6],
			districts: strings.Split(r[7], ";"), forms: strings.Split(r[8], ";")})
	}
	return out
}

// truth counts the units a complete selector names, independently of the cube and of SQL: for
// each combination of its codes, the units of that year, phenomenon, stage and measure that have
// every named breakdown value.
func truth(units []unit, year int, s Selector) int64 {
	var n int64
	for _, dims := range combos(s) {
		for _, u := range units {
			if u.year != year || u.phenomenon != dims[0] || u.stage != dims[1] || u.measure != dims[2] {
				continue
			}
			has := func(want string, vals ...string) bool {
				if want == "_T" {
					return true
				}
				for _, v := range vals {
					if v == want {
						return true
					}
				}
				return false
			}
			if has(dims[3], u.sex) && has(dims[4], u.age) && has(dims[5], u.citizenship) &&
				has(dims[6], u.districts...) && has(dims[7], u.forms...) {
				n++
			}
		}
	}
	return n
}

// openWorld creates a canvas from testdata/world in a temporary DuckDB file: the indicator table
// with the types of canvas.md section 6, and every other CSV file as a metadata table of that
// name. It returns the canvas opened read-only, as `canvas answer` opens it.
func openWorld(t testing.TB) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "canvas.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	abs, _ := filepath.Abs(worldDir)
	stmts := []string{fmt.Sprintf(`CREATE TABLE indicator AS SELECT * FROM read_csv('%s', header = true, columns = {
		'ref_year': 'INTEGER', 'phenomenon': 'VARCHAR', 'stage': 'VARCHAR', 'measure': 'VARCHAR', 'sex': 'VARCHAR',
		'age_group': 'VARCHAR', 'citizenship': 'VARCHAR', 'district': 'VARCHAR', 'exploitation': 'VARCHAR',
		'value': 'BIGINT', 'obs_status': 'VARCHAR', 'counting_rule': 'VARCHAR'})`, filepath.Join(abs, "indicator.csv"))}
	ents, err := os.ReadDir(worldDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".csv")
		if name == "indicator" || name == "units" || !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s AS SELECT * FROM read_csv('%s', header = true, all_varchar = true)`,
			name, filepath.Join(abs, e.Name())))
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

package build_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/build"
	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/dedup/fixture"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/google/go-cmp/cmp"
)

type (
	C  = fixture.Conviction
	P  = fixture.Police
	PR = fixture.Prosecution
)

// world is a small hand-made world touching every measure.
func world(t *testing.T) *pipeline.Store {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		// police: fact F1 (trafficking for sexual exploitation, two suspects, one victim with form LAB),
		// fact F2 (smuggling, registered 2019 and 2020: counts in 2019)
		P{FactID: "F1", RegistrationDate: "2020-03-01", District: "ANT", Offence: "THB-433Q-SEX", Role: "SUSPECT", PersonRef: "S1", Sex: "M", BirthYear: 1980, Citizenship: "BE"},
		P{FactID: "F1", RegistrationDate: "2020-03-01", District: "ANT", Offence: "THB-433Q-SEX", Role: "SUSPECT", PersonRef: "S2", Sex: "F", BirthYear: 2005, Citizenship: "RO"},
		P{FactID: "F1", RegistrationDate: "2020-03-01", District: "ANT", Offence: "THB-433Q-SEX", Role: "VICTIM", PersonRef: "V1", Sex: "F", BirthYear: 2004, Citizenship: "NG", Exploitation: "LAB"},
		P{FactID: "F2", RegistrationDate: "2019-12-30", District: "BRU", Offence: "SMU-77BIS", Role: "SUSPECT", PersonRef: "S1", Sex: "M", BirthYear: 1980, Citizenship: "BE"},
		P{FactID: "F2", RegistrationDate: "2020-01-02", District: "LIE", Offence: "SMU-77BIS", Role: "SUSPECT", PersonRef: "S3"},
		// deleted: does not count
		P{FactID: "F3", RegistrationDate: "2020-05-05", Offence: "SMU-77BIS", Role: "SUSPECT", PersonRef: "S9", Deleted: "Y"},
		// prosecution: case K1 referred (smuggling), K2 dismissed for all suspects (trafficking), K3 half dismissed
		PR{CaseNumber: "K1", Office: "HAL", EntryDate: "2020-02-01", Offence: "SMU-77BIS", SuspectRef: "Q1", Sex: "M", BirthYear: 1990, Citizenship: "FR", Status: "REFERRED", StatusDate: "2021-01-10"},
		PR{CaseNumber: "K2", Office: "FED", EntryDate: "2020-02-01", Offence: "THB-433Q-LAB", SuspectRef: "Q2", Status: "DISMISSED", StatusDate: "2020-06-01"},
		PR{CaseNumber: "K2", Office: "FED", EntryDate: "2020-02-01", Offence: "THB-433Q-LAB", SuspectRef: "Q3", Status: "DISMISSED", StatusDate: "2020-07-01"},
		PR{CaseNumber: "K3", Office: "ANT", EntryDate: "2020-02-01", Offence: "SMU-77BIS", SuspectRef: "Q4", Status: "DISMISSED", StatusDate: "2020-07-01"},
		PR{CaseNumber: "K3", Office: "ANT", EntryDate: "2020-02-01", Offence: "SMU-77BIS", SuspectRef: "Q5", Status: "OPEN", StatusDate: "2020-07-01"},
		// convictions: Ahmed convicted of smuggling (3 victim lines) and trafficking in one judgment,
		// and in a second judgment of forgery only; Bea convicted, appeal acquits; Carl pending.
		C{RecordID: "A1", PersonID: "PID-A", Surname: "Ahmed", GivenNames: "Ali", BirthDate: "1985-06-15", Sex: "M", Citizenship: "MA", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS", Victims: 1, OffenceDate: "2019-01-01", SentenceType: "PRISON", Suspended: "N"},
		C{RecordID: "A2", PersonID: "PID-A", Surname: "Ahmed", GivenNames: "Ali", BirthDate: "1985-06-15", Sex: "M", Citizenship: "MA", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS", Victims: 1, OffenceDate: "2019-01-01", SentenceType: "PRISON", Suspended: "N"},
		C{RecordID: "A3", PersonID: "PID-A", Surname: "Ahmed", GivenNames: "Ali", BirthDate: "1985-06-15", Sex: "M", Citizenship: "MA", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS", Victims: 1, OffenceDate: "2019-01-01", SentenceType: "PRISON", Suspended: "N"},
		C{RecordID: "A4", PersonID: "PID-A", Surname: "Ahmed", GivenNames: "Ali", BirthDate: "1985-06-15", Sex: "M", Citizenship: "MA", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "THB-433OCTIES", OffenceDate: "2019-01-01"},
		C{RecordID: "A5", PersonID: "PID-A", Surname: "Ahmed", GivenNames: "Ali", BirthDate: "1985-06-15", Sex: "M", Citizenship: "MA", JudgmentID: "J5", Court: "TPI-LIE", JudgmentDate: "2020-09-01", FinalDate: "2020-10-01", Offence: "FOR-196"},
		C{RecordID: "B1", PersonID: "PID-B", Surname: "Bea", BirthDate: "2003-01-01", Sex: "F", Citizenship: "RO", JudgmentID: "J2", Court: "TPI-BRU", JudgmentDate: "2020-01-10", Offence: "THB-433Q-SEX"},
		C{RecordID: "B2", PersonID: "PID-B", Surname: "Bea", BirthDate: "2003-01-01", Sex: "F", Citizenship: "RO", JudgmentID: "CA-1", Court: "CA-BRU", Instance: "APPEAL", AppealOf: "J2", JudgmentDate: "2020-11-10", Decision: "ACQUITTAL", FinalDate: "2020-12-10", Offence: "THB-433Q-SEX"},
		C{RecordID: "C1", PersonID: "PID-C", Surname: "Carl", Sex: "M", JudgmentID: "J3", Court: "TPI-NAM", JudgmentDate: "2021-02-01", Offence: "THB-433Q-LAB"},
		// a minor convicted of begging trafficking, final 2019, principal offence trafficking
		C{RecordID: "D1", PersonID: "PID-D", Surname: "Dora", BirthDate: "2002-03-01", Sex: "F", Citizenship: "BE", JudgmentID: "J4", Court: "TPI-LEU", JudgmentDate: "2019-05-01", FinalDate: "2019-06-01", Offence: "THB-433Q-BEG", OffenceDate: "2019-02-01", SentenceType: "PRISON", Suspended: "Y"},
	)
	fixture.Resolve(t, s)
	if _, err := dedup.Run(context.Background(), s.DB, dedup.Options{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func buildCanvas(t *testing.T, s *pipeline.Store) (*sql.DB, string) {
	t.Helper()
	key, err := s.Key()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "canvas.duckdb")
	if _, err := build.Build(context.Background(), s.DB, key, out, build.Options{}); err != nil {
		t.Fatal(err)
	}
	db, err := pipeline.OpenDuckDB(out, pipeline.Settings{}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, out
}

func cells(t *testing.T, db *sql.DB, where string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT concat_ws('|', ref_year, phenomenon, measure, sex, age_group, citizenship, district, exploitation, coalesce(value::VARCHAR, 'NULL'), obs_status)
		FROM indicator WHERE ` + where + ` ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestIndicatorTotals(t *testing.T) {
	s := world(t)
	db, _ := buildCanvas(t, s)
	got := cells(t, db, `sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T'`)
	want := []string{
		"2019|SMUGGLING|CASES_DISMISSED|_T|_T|_T|_T|_T|NULL|M",
		"2019|SMUGGLING|CASES_ENTERED|_T|_T|_T|_T|_T|NULL|M",
		"2019|SMUGGLING|OFFENCES_RECORDED|_T|_T|_T|_T|_T|1|A",
		"2019|SMUGGLING|PERSONS_PROSECUTED|_T|_T|_T|_T|_T|NULL|M",
		"2019|SMUGGLING|SUSPECTS|_T|_T|_T|_T|_T|1|A",
		"2019|TRAFFICKING|CASES_DISMISSED|_T|_T|_T|_T|_T|NULL|M",
		"2019|TRAFFICKING|CASES_ENTERED|_T|_T|_T|_T|_T|NULL|M",
		"2019|TRAFFICKING|CONVICTIONS|_T|_T|_T|_T|_T|1|A",
		"2019|TRAFFICKING|OFFENCE_CONVICTIONS|_T|_T|_T|_T|_T|1|A",
		"2019|TRAFFICKING|PERSONS_CONVICTED_PRINCIPAL|_T|_T|_T|_T|_T|1|A",
		"2019|TRAFFICKING|PERSONS_CONVICTED|_T|_T|_T|_T|_T|1|A",
		"2019|TRAFFICKING|PERSONS_PROSECUTED|_T|_T|_T|_T|_T|NULL|M",
		"2020|SMUGGLING|CASES_ENTERED|_T|_T|_T|_T|_T|2|A",
		"2020|SMUGGLING|CONVICTIONS|_T|_T|_T|_T|_T|1|P",
		"2020|SMUGGLING|OFFENCE_CONVICTIONS|_T|_T|_T|_T|_T|1|P",
		"2020|SMUGGLING|PERSONS_CONVICTED|_T|_T|_T|_T|_T|1|P",
		"2020|SMUGGLING|PERSONS_PRISON_UNSUSPENDED|_T|_T|_T|_T|_T|1|P",
		"2020|SMUGGLING|SUSPECTS|_T|_T|_T|_T|_T|1|A",
		"2020|TRAFFICKING|CASES_DISMISSED|_T|_T|_T|_T|_T|1|A",
		"2020|TRAFFICKING|CASES_ENTERED|_T|_T|_T|_T|_T|1|A",
		"2020|TRAFFICKING|CONVICTIONS|_T|_T|_T|_T|_T|1|P",
		"2020|TRAFFICKING|OFFENCES_RECORDED|_T|_T|_T|_T|_T|1|A",
		"2020|TRAFFICKING|OFFENCE_CONVICTIONS|_T|_T|_T|_T|_T|1|P",
		"2020|TRAFFICKING|PERSONS_CONVICTED_PRINCIPAL|_T|_T|_T|_T|_T|1|P",
		"2020|TRAFFICKING|PERSONS_CONVICTED|_T|_T|_T|_T|_T|1|P",
		"2020|TRAFFICKING|PERSONS_PRISON_UNSUSPENDED|_T|_T|_T|_T|_T|1|P",
		"2020|TRAFFICKING|SUSPECTS|_T|_T|_T|_T|_T|2|A",
		"2020|TRAFFICKING|VICTIMS|_T|_T|_T|_T|_T|1|A",
		"2021|SMUGGLING|OFFENCES_RECORDED|_T|_T|_T|_T|_T|NULL|M",
		"2021|SMUGGLING|PERSONS_PROSECUTED|_T|_T|_T|_T|_T|1|A",
		"2021|SMUGGLING|SUSPECTS|_T|_T|_T|_T|_T|NULL|M",
		"2021|SMUGGLING|VICTIMS|_T|_T|_T|_T|_T|NULL|M",
		"2021|TRAFFICKING|CONVICTIONS_PENDING|_T|_T|_T|_T|_T|1|P",
		"2021|TRAFFICKING|OFFENCES_RECORDED|_T|_T|_T|_T|_T|NULL|M",
		"2021|TRAFFICKING|SUSPECTS|_T|_T|_T|_T|_T|NULL|M",
		"2021|TRAFFICKING|VICTIMS|_T|_T|_T|_T|_T|NULL|M",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("totals (-want +got):\n%s", d)
	}
}

func TestIndicatorBreakdowns(t *testing.T) {
	s := world(t)
	db, _ := buildCanvas(t, s)
	for _, c := range []struct {
		where string
		want  []string
	}{
		// persons by age and citizenship: S2 is 15 in 2020 and Romanian (EU), S1 Belgian
		{`ref_year = 2020 AND phenomenon = 'TRAFFICKING' AND measure = 'SUSPECTS' AND sex = '_T' AND district = '_T' AND exploitation = '_T' AND age_group <> '_T' AND citizenship <> '_T'`,
			[]string{"2020|TRAFFICKING|SUSPECTS|_T|Y_GE18|NAT|_T|_T|1|A", "2020|TRAFFICKING|SUSPECTS|_T|Y_LT18|EU_OTH|_T|_T|1|A"}},
		// a fact counts under its offence's form and its victim's form
		{`measure = 'OFFENCES_RECORDED' AND ref_year = 2020 AND district = 'ANT'`,
			[]string{"2020|TRAFFICKING|OFFENCES_RECORDED|_T|_T|_T|ANT|LAB|1|A", "2020|TRAFFICKING|OFFENCES_RECORDED|_T|_T|_T|ANT|SEX|1|A", "2020|TRAFFICKING|OFFENCES_RECORDED|_T|_T|_T|ANT|_T|1|A"}},
		// a smuggling suspect counted in two districts in one year; _Z
		{`measure = 'SUSPECTS' AND phenomenon = 'SMUGGLING' AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND ref_year = 2020`,
			[]string{"2020|SMUGGLING|SUSPECTS|_T|_T|_T|LIE|_T|1|A", "2020|SMUGGLING|SUSPECTS|_T|_T|_T|LIE|_Z|1|A", "2020|SMUGGLING|SUSPECTS|_T|_T|_T|_T|_T|1|A", "2020|SMUGGLING|SUSPECTS|_T|_T|_T|_T|_Z|1|A"}},
		// federal prosecutor as district
		{`measure = 'CASES_DISMISSED' AND exploitation = '_T' AND value IS NOT NULL`,
			[]string{"2020|TRAFFICKING|CASES_DISMISSED|_T|_T|_T|FED|_T|1|A", "2020|TRAFFICKING|CASES_DISMISSED|_T|_T|_T|_T|_T|1|A"}},
		// conviction: district of the first-instance court, no form -> _U, age at the offence
		{`measure = 'CONVICTIONS' AND ref_year = 2020 AND phenomenon = 'TRAFFICKING' AND sex = 'M' AND citizenship = 'NEU' AND district <> '_T' AND age_group <> '_T'`,
			[]string{"2020|TRAFFICKING|CONVICTIONS|M|Y_GE18|NEU|ANT|_T|1|P", "2020|TRAFFICKING|CONVICTIONS|M|Y_GE18|NEU|ANT|_U|1|P"}},
		// a minor at the facts, Belgian
		{`measure = 'PERSONS_CONVICTED' AND ref_year = 2019 AND sex = 'F' AND exploitation = 'BEG' AND district = 'LEU'`,
			[]string{"2019|TRAFFICKING|PERSONS_CONVICTED|F|Y_LT18|NAT|LEU|BEG|1|A", "2019|TRAFFICKING|PERSONS_CONVICTED|F|Y_LT18|_T|LEU|BEG|1|A",
				"2019|TRAFFICKING|PERSONS_CONVICTED|F|_T|NAT|LEU|BEG|1|A", "2019|TRAFFICKING|PERSONS_CONVICTED|F|_T|_T|LEU|BEG|1|A"}},
	} {
		if d := cmp.Diff(c.want, cells(t, db, c.where)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.where, d)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM indicator WHERE value IS NOT NULL AND (sex NOT IN ('M','F','_U','_T')
		OR age_group NOT IN ('Y_LT18','Y_GE18','_U','_T') OR citizenship NOT IN ('NAT','EU_OTH','NEU','_U','_T')
		OR counting_rule NOT IN ('ANY_MENTION', 'PRINCIPAL_OFFENCE'))`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d cells with codes outside canvas.md section 5 (%v)", n, err)
	}
	for _, tbl := range []string{"measure_definition", "series_note", "coverage"} {
		if err := db.QueryRow(`SELECT count(*) FROM ` + tbl).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", tbl, n, err)
		}
	}
	if err := db.QueryRow(`SELECT count(*) FROM measure_definition WHERE definition_fr IS NULL OR definition_nl IS NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("measure definitions without a translation: %d %v", n, err)
	}
}

// No identity value of the restricted store (names, national numbers, birth dates and places,
// source person ids, police and prosecution person references) appears anywhere in the canvas.
func TestCanvasHoldsNoIdentity(t *testing.T) {
	s := world(t)
	db, _ := buildCanvas(t, s)
	identity := map[string]string{}
	for _, q := range []string{
		`SELECT DISTINCT v, c FROM (SELECT unnest([surname, given_names, national_number, strftime(birth_date, '%Y-%m-%d'), birth_place, person_id, record_id]) AS v,
		   unnest(['surname', 'given_names', 'national_number', 'birth_date', 'birth_place', 'person_id', 'record_id']) AS c FROM raw_mach) WHERE v IS NOT NULL`,
		`SELECT DISTINCT person_ref, 'person_ref' FROM raw_police`,
		`SELECT DISTINCT suspect_ref, 'suspect_ref' FROM raw_prosecution`,
		`SELECT DISTINCT person_key, 'person_key' FROM person_link`,
		`SELECT DISTINCT person_record, 'person_record' FROM person_link`,
	} {
		rows, err := s.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v, c string
			rows.Scan(&v, &c)
			identity[strings.ToUpper(v)] = c
		}
		rows.Close()
	}
	if len(identity) < 20 {
		t.Fatalf("only %d identity values: the test world is too small", len(identity))
	}
	rows, err := db.Query(`SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column, typ string }
	var cols []col
	for rows.Next() {
		var c col
		rows.Scan(&c.table, &c.column, &c.typ)
		cols = append(cols, c)
	}
	rows.Close()
	checked := 0
	for _, c := range cols {
		expr := fmt.Sprintf("%q::VARCHAR", c.column)
		if strings.HasSuffix(c.typ, "[]") {
			expr = fmt.Sprintf("unnest(%q)::VARCHAR", c.column)
		}
		vals, err := db.Query(fmt.Sprintf("SELECT DISTINCT %s FROM %q", expr, c.table))
		if err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.column, err)
		}
		for vals.Next() {
			var v sql.NullString
			vals.Scan(&v)
			checked++
			u := strings.ToUpper(v.String)
			if kind, ok := identity[u]; ok {
				t.Errorf("canvas %s.%s holds %q, a %s of the restricted store", c.table, c.column, v.String, kind)
			}
			for id, kind := range identity {
				if (kind == "national_number" || kind == "birth_date") && strings.Contains(u, id) {
					t.Errorf("canvas %s.%s value %q contains a %s", c.table, c.column, v.String, kind)
				}
			}
		}
		vals.Close()
	}
	t.Logf("%d identity values, %d distinct canvas values checked in %d columns", len(identity), checked, len(cols))
}

func TestBuildRefusesExistingFileAndPublishSwaps(t *testing.T) {
	s := world(t)
	key, _ := s.Key()
	dir := t.TempDir()
	final := filepath.Join(dir, "canvas.duckdb")
	for i := 0; i < 3; i++ {
		tmp := filepath.Join(dir, fmt.Sprintf("canvas.duckdb.tmp-%d", i))
		if _, err := build.Build(context.Background(), s.DB, key, tmp, build.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := build.Build(context.Background(), s.DB, key, tmp, build.Options{}); err == nil {
			t.Fatal("building over an existing file must fail")
		}
		if err := build.Publish(tmp, final, 2); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{final, final + ".prev-1", final + ".prev-2"} {
		db, err := pipeline.OpenDuckDB(p, pipeline.Settings{}, true)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM indicator`).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d indicator rows, %v", p, n, err)
		}
		db.Close()
	}
	if _, err := os.Stat(final + ".prev-3"); err == nil {
		t.Error("keep 2 must keep two previous canvases")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// A build that is stopped half-way leaves the published canvas as it was and no partial file.
func TestCancelledBuildChangesNothing(t *testing.T) {
	s := world(t)
	key, _ := s.Key()
	dir := t.TempDir()
	final := filepath.Join(dir, "canvas.duckdb")
	tmp := final + ".tmp-1"
	if _, err := build.Build(context.Background(), s.DB, key, tmp, build.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := build.Publish(tmp, final, 3); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(final)
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	_, err := build.Build(ctx, s.DB, key, final+".tmp-2", build.Options{Progress: func(string) {
		if steps++; steps == 3 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled build must fail")
	}
	if _, err := os.Stat(final + ".tmp-2"); err == nil {
		t.Error("the partial canvas was left behind")
	}
	after, _ := os.ReadFile(final)
	if string(before) != string(after) {
		t.Error("the published canvas changed")
	}
}

// A store with nothing loaded builds an empty but complete canvas.
func TestBuildEmptyStore(t *testing.T) {
	s := fixture.Store(t)
	fixture.Resolve(t, s)
	key, _ := s.Key()
	out := filepath.Join(t.TempDir(), "canvas.duckdb")
	st, err := build.Build(context.Background(), s.DB, key, out, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.IndicatorRows != 0 || st.Tables["measure_definition"] != 12 {
		t.Errorf("stats %+v", st)
	}
}

// Every pseudonym in the canvas is build.Pseudonym of an identifier of the restricted store,
// byte for byte (the build computes them inside DuckDB), of the right kind; the canvas shows
// exactly the units of the hand-made world; and the key itself is nowhere in the canvas file.
func TestCanvasPseudonymsAreGoPseudonyms(t *testing.T) {
	s := world(t)
	db, out := buildCanvas(t, s)
	key, err := s.Key()
	if err != nil {
		t.Fatal(err)
	}
	// the pseudonym of every identifier of the restricted store, by kind
	want := map[string]map[string]string{} // kind -> pseudonym -> id
	for kind, q := range map[string]string{
		"police":      `SELECT DISTINCT person_ref FROM police_current`,
		"fact":        `SELECT DISTINCT fact_id FROM police_current`,
		"prosecution": `SELECT DISTINCT suspect_ref FROM prosecution_current`,
		"case":        `SELECT DISTINCT case_number FROM prosecution_current`,
		"person":      `SELECT DISTINCT person_key FROM conviction_chain`,
		"chain":       `SELECT DISTINCT chain_id FROM conviction_chain`,
	} {
		want[kind] = map[string]string{}
		rows, err := s.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			want[kind][build.Pseudonym(key, kind, id)] = id
		}
		rows.Close()
	}
	ids := func(kind, q string) []string {
		t.Helper()
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			if len(p) != build.PseudonymLength {
				t.Errorf("%s: pseudonym %q has %d digits", q, p, len(p))
			}
			id, ok := want[kind][p]
			if !ok {
				t.Errorf("%s: %q is not the pseudonym of any %s identifier", q, p, kind)
			}
			out = append(out, id)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		kind, q string
		want    []string // nil: only checked to be pseudonyms of the kind
	}{
		{"fact", `SELECT DISTINCT fact FROM police_fact`, []string{"F1", "F2"}},
		{"police", `SELECT DISTINCT person FROM police_person`, []string{"S1", "S2", "S3", "V1"}},
		{"case", `SELECT DISTINCT "case" FROM prosecution_case`, []string{"K1", "K2", "K3"}},
		{"prosecution", `SELECT DISTINCT person FROM prosecution_person`, []string{"Q1"}},
		{"chain", `SELECT DISTINCT conviction FROM conviction`, nil},
		{"chain", `SELECT DISTINCT conviction FROM offence_conviction`, nil},
		{"person", `SELECT DISTINCT person FROM conviction`, nil},
		{"person", `SELECT DISTINCT person FROM offence_conviction`, nil},
		{"person", `SELECT DISTINCT person FROM person_conviction`, nil},
	} {
		got := ids(c.kind, c.q)
		if c.want != nil {
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", c.q, d)
			}
		} else if len(got) == 0 {
			t.Errorf("%s: no rows", c.q)
		}
	}
	// the persons convicted: Ahmed's, Bea's (pending then acquitted: no conviction), Carl's
	// (pending) and Dora's person keys
	var persons int
	if err := db.QueryRow(`SELECT count(DISTINCT person) FROM conviction`).Scan(&persons); err != nil || persons != 3 {
		t.Errorf("%d persons in conviction, want 3 (Ahmed, Carl, Dora) %v", persons, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][]byte{key, []byte(hex.EncodeToString(key)), []byte(strings.ToUpper(hex.EncodeToString(key)))} {
		if bytes.Contains(b, k) {
			t.Error("the canvas file holds the pseudonym key")
		}
	}
}

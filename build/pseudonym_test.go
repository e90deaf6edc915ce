package build

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func memDB(t *testing.T) (*sql.DB, *sql.Conn) { return openDB(t, "") }

// openDB opens a DuckDB database (dsn "" for one in memory) and a connection, both closed when
// the test ends.
func openDB(t *testing.T, dsn string) (*sql.DB, *sql.Conn) {
	t.Helper()
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

// The pseudonym function that the build's SQL calls gives Pseudonym's bytes for any identifier
// (empty, non-ASCII, long, with the separator), over many chunks and on every DuckDB thread,
// NULL for NULL; once the build is over it fails instead.
func TestPseudonymFunctionIsPseudonym(t *testing.T) {
	ctx := context.Background()
	_, conn := memDB(t)
	key := []byte("0123456789abcdef0123456789abcdef")
	end, err := pseudonyms(ctx, conn, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SET threads = 4`); err != nil {
		t.Fatal(err)
	}
	kinds := []string{"person", "police", "prosecution", "fact", "case", "chain"}
	special := []string{"", " ", "a:b", "::", "Ωμέγα-ü-ß-中文", strings.Repeat("x", 5000), "it's", "\x00\x01", "S1", "PID-A"}
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE ids (n INTEGER, kind VARCHAR, id VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var vals []string
	var args []any
	const n = 20000 // about ten chunks
	for i := range n {
		id := any(fmt.Sprintf("ID-%d-%x", i, r.Uint64()))
		switch {
		case i < len(special):
			id = special[i]
		case i%997 == 0:
			id = nil
		}
		vals = append(vals, "(?, ?, ?)")
		args = append(args, i, kinds[i%len(kinds)], id)
		if len(vals) == 1000 || i == n-1 {
			if _, err := conn.ExecContext(ctx, `INSERT INTO ids VALUES `+strings.Join(vals, ", "), args...); err != nil {
				t.Fatal(err)
			}
			vals, args = vals[:0], args[:0]
		}
	}
	rows, err := conn.QueryContext(ctx, `SELECT kind, id, pseudonym(kind, id), pseudonym('chain', id) FROM ids ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for rows.Next() {
		var kind string
		var id, p, pc sql.NullString
		if err := rows.Scan(&kind, &id, &p, &pc); err != nil {
			t.Fatal(err)
		}
		got++
		if !id.Valid {
			if p.Valid || pc.Valid {
				t.Errorf("NULL id: %q, %q, want NULL", p.String, pc.String)
			}
			continue
		}
		if w := Pseudonym(key, kind, id.String); p.String != w {
			t.Errorf("pseudonym(%q, %q) = %q, want %q", kind, id.String, p.String, w)
		}
		if w := Pseudonym(key, "chain", id.String); pc.String != w {
			t.Errorf("pseudonym('chain', %q) = %q, want %q", id.String, pc.String, w)
		}
	}
	rows.Close()
	if got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	// a constant call, folded by DuckDB
	var p string
	if err := conn.QueryRowContext(ctx, `SELECT pseudonym('person', 'P-1')`).Scan(&p); err != nil || p != Pseudonym(key, "person", "P-1") {
		t.Errorf("constant: %q %v", p, err)
	}
	// the function under its own name, by the names DuckDB lists
	var name string
	if err := conn.QueryRowContext(ctx, `SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'canvas_pseudonym_%'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	end()
	if _, err := conn.ExecContext(ctx, `SELECT pseudonym('person', 'P-1')`); err == nil {
		t.Error("the pseudonym macro outlives the build")
	}
	err = conn.QueryRowContext(ctx, `SELECT `+name+`('person', 'P-1')`).Scan(&p)
	if err == nil || !strings.Contains(err.Error(), "after the build ended") {
		t.Errorf("the pseudonym function after the build: %q, %v", p, err)
	}
}

// cellCountDistinct is the cube of the indicator as first written: count(DISTINCT unit_id) over
// a CUBE of the five breakdowns. The build's statement must give the same cells.
const cellCountDistinct = `
CREATE OR REPLACE TEMP TABLE cell_reference AS
WITH x AS (
  SELECT measure, ref_year, phenomenon, unit_id, sex, age_group, citizenship, d.district, e.exploitation
  FROM unit, unnest(list_distinct(districts)) d(district), unnest(list_distinct(exploitation)) e(exploitation))
SELECT ref_year, phenomenon, measure,
       CASE WHEN grouping(sex) = 1 THEN '_T' ELSE sex END AS sex,
       CASE WHEN grouping(age_group) = 1 THEN '_T' ELSE age_group END AS age_group,
       CASE WHEN grouping(citizenship) = 1 THEN '_T' ELSE citizenship END AS citizenship,
       CASE WHEN grouping(district) = 1 THEN '_T' ELSE district END AS district,
       CASE WHEN grouping(exploitation) = 1 THEN '_T' ELSE exploitation END AS exploitation,
       count(DISTINCT unit_id)::BIGINT AS value
FROM x
GROUP BY ref_year, phenomenon, measure, CUBE (sex, age_group, citizenship, district, exploitation)
HAVING NOT ((grouping(sex) = 0 AND sex = '_T') OR (grouping(age_group) = 0 AND age_group = '_T')
            OR (grouping(citizenship) = 0 AND citizenship = '_T'))`

// statement returns the statement of a build SQL file that holds marker.
func statement(t *testing.T, file, marker string) string {
	t.Helper()
	b, err := sqlFiles.ReadFile("sql/" + file + ".sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range strings.SplitAfter(string(b), ";\n") {
		if strings.Contains(s, marker) {
			return s
		}
	}
	t.Fatalf("no statement with %q in %s.sql", marker, file)
	return ""
}

// randomUnits fills the temporary table unit with n random units at the grain of the microdata
// (a unit once per measure, year and phenomenon), with every awkward breakdown: '_T' for a
// breakdown that does not apply, NULL and '_U', lists with NULLs and repeats, empty lists.
func randomUnits(t *testing.T, conn *sql.Conn, n int, seed uint64) {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE unit (measure VARCHAR, ref_year INTEGER, phenomenon VARCHAR,
		unit_id VARCHAR, sex VARCHAR, age_group VARCHAR, citizenship VARCHAR, districts VARCHAR[], exploitation VARCHAR[])`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	lit := func(s string) string {
		if s == "NULL" {
			return s
		}
		return "'" + s + "'"
	}
	list := func(xs ...string) string {
		if r.IntN(20) == 0 {
			return "NULL"
		}
		var l []string
		for range r.IntN(4) {
			l = append(l, lit(pick(xs...)))
		}
		return "[" + strings.Join(l, ", ") + "]::VARCHAR[]"
	}
	var vals []string
	for i := range n {
		measure := pick("SUSPECTS", "VICTIMS", "CASES_ENTERED", "CONVICTIONS", "OFFENCE_CONVICTIONS")
		sex, age, cit := pick("M", "F", "_U", "NULL"), pick("Y_LT18", "Y_GE18", "_U"), pick("NAT", "EU_OTH", "NEU", "_U")
		if measure == "CASES_ENTERED" {
			sex, age, cit = "_T", "_T", "_T"
		}
		// the same unit id in several measures, years or phenomena, never twice in one
		id := fmt.Sprintf("u%d", i/3)
		year := 2018 + i%3
		vals = append(vals, fmt.Sprintf("(%s, %d, %s, %s, %s, %s, %s, %s, %s)", lit(measure), year,
			lit(pick("TRAFFICKING", "SMUGGLING")), lit(id+"-"+measure), lit(sex), lit(age), lit(cit),
			list("ANT", "BRU", "LIE", "FED", "NULL"), list("SEX", "LAB", "_U", "_Z", "NULL")))
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO unit VALUES `+strings.Join(vals, ",\n")); err != nil {
		t.Fatal(err)
	}
	// the grain: delete the rare repeats of a unit the random choices made
	if _, err := conn.ExecContext(ctx, `DELETE FROM unit WHERE rowid IN (SELECT rowid FROM unit
		QUALIFY row_number() OVER (PARTITION BY measure, ref_year, phenomenon, unit_id ORDER BY rowid) > 1)`); err != nil {
		t.Fatal(err)
	}
}

// The build's cube (count(*) over the district and form parts) gives exactly the cells of
// count(DISTINCT unit) over a CUBE of the five breakdowns.
func TestCellCountsUnits(t *testing.T) {
	ctx := context.Background()
	_, conn := memDB(t)
	cell := statement(t, "indicator", "TEMP TABLE cell AS")
	for seed := range uint64(4) {
		randomUnits(t, conn, 3000, seed)
		for _, q := range []string{cell, cellCountDistinct} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		var diff, cells int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (
			(SELECT * FROM cell EXCEPT ALL SELECT * FROM cell_reference)
			UNION ALL (SELECT * FROM cell_reference EXCEPT ALL SELECT * FROM cell))`).Scan(&diff); err != nil {
			t.Fatal(err)
		}
		conn.QueryRowContext(ctx, `SELECT count(*) FROM cell_reference`).Scan(&cells)
		if diff != 0 || cells < 1000 {
			t.Errorf("seed %d: %d of %d cells differ", seed, diff, cells)
		}
	}
}

// A unit held twice in a measure's microdata for one year and phenomenon stops the build.
func TestUnitGrainChecked(t *testing.T) {
	ctx := context.Background()
	_, conn := memDB(t)
	check := statement(t, "indicator", "TEMP TABLE unit_grain AS")
	randomUnits(t, conn, 300, 1)
	if _, err := conn.ExecContext(ctx, check); err != nil {
		t.Fatalf("units at their grain: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO unit SELECT * REPLACE ('_U' AS sex) FROM unit LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	_, err := conn.ExecContext(ctx, check)
	if err == nil || !strings.Contains(err.Error(), "once per year and phenomenon") {
		t.Errorf("a unit twice: %v", err)
	}
}

package query

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// testDB writes a small DuckDB file and returns its path.
func testDB(t *testing.T) string { return testDBFile(t) }

func testDBFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "canvas.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE indicator (ref_year INTEGER, phenomenon VARCHAR, measure VARCHAR, value BIGINT, obs_status VARCHAR)`,
		`INSERT INTO indicator VALUES (2023, 'TRAFFICKING', 'SUSPECTS', 120, 'A'), (2024, 'TRAFFICKING', 'SUSPECTS', 131, 'P'),
			(2023, 'SMUGGLING', 'SUSPECTS', NULL, 'M')`,
		`CREATE TABLE note (id INTEGER, text VARCHAR, d DATE, x DOUBLE)`,
		`INSERT INTO note VALUES (1, '=HYPERLINK("http://evil")', DATE '2014-04-01', 1.5), (2, 'plain, with "quotes"', NULL, -2)`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func openTest(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(context.Background(), testDB(t), Options{Threads: 2, MemoryLimit: "256MB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func run(t *testing.T, e *Engine, format, q string, lim Limits) (string, Result, error) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), q, lim, w)
	return buf.String(), res, err
}

func TestFormats(t *testing.T) {
	e := openTest(t)
	q := "SELECT ref_year, phenomenon, value, obs_status FROM indicator ORDER BY phenomenon DESC, ref_year;"
	out, res, err := run(t, e, "csv", q, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "ref_year,phenomenon,value,obs_status\n2023,TRAFFICKING,120,A\n2024,TRAFFICKING,131,P\n2023,SMUGGLING,,M\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("csv (-want +got):\n%s", diff)
	}
	if res.Rows != 3 || res.Truncated {
		t.Errorf("result %+v", res)
	}

	out, _, err = run(t, e, "json", q, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json %q: %v", out, err)
	}
	if len(got) != 3 || got[0]["value"] != float64(120) || got[2]["value"] != nil || got[1]["obs_status"] != "P" {
		t.Errorf("json = %v", got)
	}

	out, _, err = run(t, e, "table", q, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ref_year  phenomenon   value  obs_status") || !strings.Contains(out, "(3 rows)") ||
		!strings.Contains(out, "NULL") {
		t.Errorf("table:\n%s", out)
	}

	out, _, err = run(t, e, "xlsx", "SELECT * FROM note ORDER BY id", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("query")
	if err != nil {
		t.Fatal(err)
	}
	wantRows := [][]string{{"id", "text", "d", "x"}, {"1", `'=HYPERLINK("http://evil")`, "2014-04-01", "1.5"}, {"2", `plain, with "quotes"`, "", "-2"}}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("xlsx (-want +got):\n%s", diff)
	}

	out, _, err = run(t, e, "parquet", "SELECT * FROM note ORDER BY id", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 2 || tbl.NumCols() != 4 || tbl.Schema().Field(2).Type.Name() != "date32" {
		t.Errorf("parquet: %d rows, %d cols, schema %v", tbl.NumRows(), tbl.NumCols(), tbl.Schema())
	}

	if _, err := NewWriter("xml", &bytes.Buffer{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestFormulaInjectionCSV(t *testing.T) {
	e := openTest(t)
	out, _, err := run(t, e, "csv", "SELECT text, x FROM note ORDER BY id", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "text,x\n\"'=HYPERLINK(\"\"http://evil\"\")\",1.5\n\"plain, with \"\"quotes\"\"\",-2\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM": "'@SUM", "\tx": "'\tx", "ok": "ok", "": ""} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRefused(t *testing.T) {
	e := openTest(t)
	for _, q := range []string{
		"ATTACH '/tmp/x.duckdb' AS x",
		"COPY indicator TO '/tmp/x.csv'",
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"RESET lock_configuration",
		"PRAGMA database_list",
		"CALL pragma_version()",
		"EXPORT DATABASE '/tmp/x'",
		"CREATE TABLE x AS SELECT 1",
		"INSERT INTO indicator VALUES (1, 'a', 'b', 1, 'A')",
		"DELETE FROM indicator",
		"DROP TABLE indicator",
		"DETACH canvas",
		"USE memory",
		"CHECKPOINT",
		"EXPLAIN SELECT 1",
		"SELECT 1; SELECT 2",
		"SELECT 1; ATTACH '/tmp/x'",
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_parquet('x.parquet')",
		"SELECT * FROM parquet_scan('x.parquet')",
		"SELECT * FROM glob('/*')",
		"SELECT * FROM query('SELECT 1')",
		"SELECT * FROM '/etc/passwd'",
		"SELECT * FROM 'data.csv'",
		"WITH a AS (SELECT * FROM read_json('x.json')) SELECT * FROM a",
		"SELECT (SELECT count(*) FROM read_blob('/etc/shadow'))",
		"SELECT * FROM duckdb_databases()",
		"SELECT current_setting('temp_directory')",
		"SELECT * FROM pragma_database_list()",
		"SELECT * FROM pragma_storage_info('indicator')",
		"",
		";;",
	} {
		_, _, err := run(t, e, "csv", q, Limits{})
		if !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%q: err = %v, want ErrNotAllowed", q, err)
		}
	}
	// The sandbox holds even for statements that bypass Check.
	for _, q := range []string{
		"ATTACH '/tmp/x.duckdb' AS x", "COPY (SELECT 1) TO '/tmp/x.csv'", "SET enable_external_access=true",
		"INSERT INTO indicator VALUES (1, 'a', 'b', 1, 'A')", "SELECT * FROM read_csv('/etc/passwd')",
	} {
		if _, err := e.db.ExecContext(context.Background(), q); err == nil {
			t.Errorf("sandbox let %q through", q)
		}
	}
}

func TestAllowedReads(t *testing.T) {
	e := openTest(t)
	for _, q := range []string{
		"SELECT 1", "  select count(*) from indicator ;  ", "WITH a AS (SELECT 1 AS x) SELECT * FROM a",
		"FROM indicator", "TABLE indicator", "VALUES (1, 2)", "DESCRIBE indicator", "SHOW TABLES",
		"SUMMARIZE indicator", "SELECT 1 UNION ALL SELECT 2", "SELECT 'ATTACH; COPY' AS s -- comment",
		"SELECT * FROM indicator WHERE measure = 'read_csv'",
		"SELECT * FROM pragma_table_info('indicator')",
	} {
		if _, _, err := run(t, e, "csv", q, Limits{MaxRows: 10}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

func TestSQLErrorsAreClear(t *testing.T) {
	e := openTest(t)
	for q, want := range map[string]string{
		"SELEC 1":                    "syntax error",
		"SELECT * FROM indicatr":     "indicatr",
		"SELECT nope FROM indicator": "nope",
		"SELECT 1 + 'a'::INTEGER":    "Conversion Error",
		"SELECT * FROM (SELECT 1":    "syntax error",
	} {
		_, _, err := run(t, e, "csv", q, Limits{})
		var se *SQLError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want an SQLError mentioning %q", q, err, want)
		}
	}
}

func TestLimits(t *testing.T) {
	e := openTest(t)
	out, res, err := run(t, e, "csv", "SELECT * FROM range(100000)", Limits{MaxRows: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 5 || !res.Truncated || strings.Count(out, "\n") != 6 {
		t.Errorf("row limit: %+v\n%s", res, out)
	}
	_, res, err = run(t, e, "csv", "SELECT * FROM range(5)", Limits{MaxRows: 5})
	if err != nil || res.Truncated || res.Rows != 5 {
		t.Errorf("exactly at the limit: %+v %v", res, err)
	}
	start := time.Now()
	_, _, err = run(t, e, "csv", "SELECT count(*) FROM range(1000000000000) a", Limits{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("time limit: err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("time limit: interrupted after %s", d)
	}
	// The engine still works after an interrupted query.
	if _, _, err := run(t, e, "csv", "SELECT 1", Limits{}); err != nil {
		t.Errorf("after interruption: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "none.duckdb"), Options{})
	if !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("err = %v", err)
	}
}

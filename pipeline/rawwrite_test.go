package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Parquet write path stores exactly what the former row-by-row Appender stored: same rows,
// same values (NULLs, dates, doubles, text), same quarantine; and it leaves no temporary file.
func TestRawWriteParquetMatchesAppender(t *testing.T) {
	dir := t.TempDir()
	defer func(g int64) { parquetGroupRows = g }(parquetGroupRows)
	parquetGroupRows = 4096 // several files, and a last partial one
	n := 20000 + 123
	mach := filepath.Join(dir, "mach_test.csv")
	writeMachCSV(t, mach, n)
	files := append([]string{mach}, "testdata/police_20250101.csv", "testdata/police_20250102_bad.csv")

	stores := map[string]*Store{}
	defer func(m string) { rawWriteMode = m }(rawWriteMode)
	for _, mode := range []string{rawWriteParquet, rawWriteAppender} {
		rawWriteMode = mode
		s := openTestStore(t)
		res := load(t, s, LoadOptions{Files: files})
		for _, f := range res.Files {
			if f.Outcome == FileFailed {
				t.Fatalf("%s: %s failed: %s", mode, f.Name, f.Message)
			}
		}
		stores[mode] = s
		left, _ := filepath.Glob(filepath.Join(s.Dir, loadTmpPrefix+"*"))
		if len(left) > 0 {
			t.Errorf("%s: temporary files left in the store folder: %v", mode, left)
		}
	}
	a, b := stores[rawWriteParquet], stores[rawWriteAppender]
	if got := count(t, a, "SELECT count(*) FROM raw_mach"); got != int64(n) {
		t.Fatalf("raw_mach has %d rows, want %d", got, n)
	}
	b.Close()
	if _, err := a.DB.Exec(fmt.Sprintf(`ATTACH '%s' AS other (READ_ONLY)`, strings.ReplaceAll(b.Path(RestrictedFile), "'", "''"))); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"raw_mach", "raw_police", "quarantine"} {
		ex := "EXCLUDE (run_id)"
		for _, q := range []string{
			fmt.Sprintf(`SELECT count(*) FROM (SELECT * %s FROM main.%s EXCEPT ALL SELECT * %s FROM other.%s)`, ex, tbl, ex, tbl),
			fmt.Sprintf(`SELECT count(*) FROM (SELECT * %s FROM other.%s EXCEPT ALL SELECT * %s FROM main.%s)`, ex, tbl, ex, tbl),
		} {
			if d := count(t, a, q); d != 0 {
				t.Errorf("%s: %d rows differ between the Parquet and the Appender paths", tbl, d)
			}
		}
		if count(t, a, "SELECT count(*) FROM main."+tbl) == 0 {
			t.Errorf("%s: empty", tbl)
		}
	}
}

// A temporary folder left by a killed load is removed by the next load.
func TestLoadRemovesTmpOfKilledLoad(t *testing.T) {
	s := openTestStore(t)
	old := filepath.Join(s.Dir, loadTmpPrefix+"123")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "part-000001.parquet"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	load(t, s, LoadOptions{Files: []string{"testdata/police_20250101.csv"}})
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("temporary folder of a killed load still there: %v", err)
	}
}

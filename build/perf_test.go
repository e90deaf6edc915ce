package build_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ciatteh/canvas/build"
	"github.com/ciatteh/canvas/pipeline"
)

// TestBuildTimingOnStore times the canvas build, step by step, on a copy of a real store (dedup
// already run). It only runs when CANVAS_BUILD_STORE names such a store folder, which it
// changes (temporary tables only) and writes the canvas beside:
//
//	cp -r /tmp/w1m/store /tmp/bstore
//	go test -c -o /tmp/build.test ./build/
//	CANVAS_BUILD_STORE=/tmp/bstore /usr/bin/time -f '%e s %M KB' /tmp/build.test -test.run TestBuildTimingOnStore -test.v
//
// CANVAS_MEMORY_LIMIT and CANVAS_THREADS set DuckDB's memory_limit and threads, as the command's
// flags do; CANVAS_BUILD_RUNS repeats the build; CANVAS_BUILD_KEEP=FILE keeps the (last) canvas.
func TestBuildTimingOnStore(t *testing.T) {
	dir := os.Getenv("CANVAS_BUILD_STORE")
	if dir == "" {
		t.Skip("CANVAS_BUILD_STORE is not set")
	}
	threads, _ := strconv.Atoi(os.Getenv("CANVAS_THREADS"))
	s, err := pipeline.Open(context.Background(), dir, pipeline.Settings{MemoryLimit: os.Getenv("CANVAS_MEMORY_LIMIT"), Threads: threads, TempDir: os.Getenv("CANVAS_TEMP_DIR")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, err := s.Key()
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := strconv.Atoi(os.Getenv("CANVAS_BUILD_RUNS"))
	if runs < 1 {
		runs = 1
	}
	for r := 0; r < runs; r++ {
		out := filepath.Join(dir, "canvas.duckdb.timing")
		os.Remove(out)
		last, lastT := "", time.Now()
		var steps []string
		var durs []time.Duration
		st, err := build.Build(context.Background(), s.DB, key, out, build.Options{Progress: func(step string) {
			if last != "" {
				steps, durs = append(steps, last), append(durs, time.Since(lastT))
			}
			last, lastT = step, time.Now()
		}})
		if err != nil {
			t.Fatal(err)
		}
		steps, durs = append(steps, last+" (and the end)"), append(durs, time.Since(lastT))
		for i := range steps {
			t.Logf("  %-32s %7.2f s", steps[i], durs[i].Seconds())
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("build %.2f s: %d pseudonyms, %d indicator rows, canvas %d bytes, Go runtime memory (Sys) %d MB",
			st.Duration.Seconds(), st.Pseudonyms, st.IndicatorRows, st.CanvasFileSize, ms.Sys>>20)
		for tb, n := range st.Tables {
			t.Logf("  table %-24s %d", tb, n)
		}
		if keep := os.Getenv("CANVAS_BUILD_KEEP"); keep != "" {
			if err := os.Rename(out, keep); err != nil {
				t.Fatal(err)
			}
		}
		os.Remove(out)
	}
}

// TestCanvasesEqual compares two canvas files table by table (every table but build_info, row
// for row in their stored order), when CANVAS_CMP_A and CANVAS_CMP_B name them: a faster build
// must write the same canvas.
func TestCanvasesEqual(t *testing.T) {
	a, b := os.Getenv("CANVAS_CMP_A"), os.Getenv("CANVAS_CMP_B")
	if a == "" || b == "" {
		t.Skip("CANVAS_CMP_A and CANVAS_CMP_B are not set")
	}
	db, err := pipeline.OpenDuckDB(a, pipeline.Settings{}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("ATTACH " + "'" + strings.ReplaceAll(b, "'", "''") + "' AS b (READ_ONLY)"); err != nil {
		t.Fatal(err)
	}
	tables := func(catalog string) []string {
		rows, err := db.Query(`SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND table_name <> 'build_info' ORDER BY 1`, catalog)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	var ca string
	db.QueryRow(`SELECT current_database()`).Scan(&ca)
	ta, tb := tables(ca), tables("b")
	if strings.Join(ta, ",") != strings.Join(tb, ",") {
		t.Fatalf("tables differ: %v and %v", ta, tb)
	}
	for _, tbl := range ta {
		// the rows with their position: the same rows in the same order
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT row_number() OVER () AS i, * FROM %[1]q.main.%[2]q EXCEPT ALL SELECT row_number() OVER () AS i, * FROM b.main.%[2]q)
			UNION ALL
			(SELECT row_number() OVER () AS i, * FROM b.main.%[2]q EXCEPT ALL SELECT row_number() OVER () AS i, * FROM %[1]q.main.%[2]q))`, ca, tbl)
		var n, rows int64
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
		db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM b.main.%q`, tbl)).Scan(&rows)
		if n != 0 {
			t.Errorf("%s: %d rows differ", tbl, n)
		} else {
			t.Logf("%-26s %8d rows, identical", tbl, rows)
		}
	}
}

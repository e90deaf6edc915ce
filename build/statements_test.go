package build

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildStatements runs the build's SQL a statement at a time on a copy of a real store named
// by CANVAS_BUILD_STORE (dedup already run), printing each statement's time; with
// CANVAS_EXPLAIN=1, the EXPLAIN ANALYZE of each statement slower than a quarter second.
//
//	go test -c -o /tmp/build.test ./build/
//	CANVAS_BUILD_STORE=/tmp/bstore CANVAS_EXPLAIN=1 /tmp/build.test -test.run TestBuildStatements -test.v
func TestBuildStatements(t *testing.T) {
	key, conn := openBuildStore(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "canvas.duckdb")
	if _, err := conn.ExecContext(ctx, "ATTACH "+quote(out)+" AS canvas_new"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "DETACH canvas_new")
	defer dropTemp(ctx, conn)
	if err := exec(ctx, conn, "prelude"); err != nil {
		t.Fatal(err)
	}
	if _, err := params(ctx, conn, Options{}); err != nil {
		t.Fatal(err)
	}
	end, err := pseudonyms(ctx, conn, key)
	if err != nil {
		t.Fatal(err)
	}
	defer end()
	explain := os.Getenv("CANVAS_EXPLAIN") != ""
	total := time.Duration(0)
	for _, s := range steps() {
		b, _ := sqlFiles.ReadFile("sql/" + s + ".sql")
		for _, stmt := range strings.SplitAfter(string(b), ";\n") {
			if strings.TrimSpace(stripComments(stmt)) == "" {
				continue
			}
			start := time.Now()
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v\n%s", s, err, stmt)
			}
			d := time.Since(start)
			total += d
			t.Logf("%6.2f s  %-12s %s", d.Seconds(), s, firstLine(stmt))
			if explain && d > 250*time.Millisecond {
				// again, explained, into a table of its own
				e := strings.Replace(strings.Replace(stmt, "CREATE TABLE canvas_new.", "CREATE OR REPLACE TEMP TABLE explain_", 1),
					"CREATE OR REPLACE TEMP TABLE ", "CREATE OR REPLACE TEMP TABLE explain_", 1)
				e = strings.Replace(e, "explain_explain_", "explain_", 1)
				if f := firstLine(e); strings.HasPrefix(f, "INSERT INTO ") { // explain the query alone
					e = strings.Replace(stripComments(e), f, "", 1)
				}
				var k, plan string
				if err := conn.QueryRowContext(ctx, "EXPLAIN ANALYZE "+e).Scan(&k, &plan); err != nil {
					t.Logf("explain: %v", err)
				} else {
					t.Logf("%s", plan)
				}
			}
		}
	}
	t.Logf("%6.2f s  in all", total.Seconds())
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func firstLine(s string) string {
	for _, l := range strings.Split(stripComments(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// openBuildStore opens the restricted store of a copy named by CANVAS_BUILD_STORE (the test is
// skipped without it) with CANVAS_MEMORY_LIMIT, and returns its pseudonym key and a connection,
// both closed when the test ends.
func openBuildStore(t *testing.T) ([]byte, *sql.Conn) {
	t.Helper()
	dir := os.Getenv("CANVAS_BUILD_STORE")
	if dir == "" {
		t.Skip("CANVAS_BUILD_STORE is not set")
	}
	key, err := os.ReadFile(filepath.Join(dir, "pseudonym.key"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := filepath.Join(dir, "restricted.duckdb")
	if m := os.Getenv("CANVAS_MEMORY_LIMIT"); m != "" {
		dsn += "?memory_limit=" + m
	}
	_, conn := openDB(t, dsn)
	return key, conn
}

package query

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFormatFor(t *testing.T) {
	for _, tc := range []struct{ format, out, want string }{
		{"", "", "table"}, {"", "x.csv", "csv"}, {"", "x.PARQUET", "parquet"}, {"", "x.txt", "table"},
		{"json", "x.csv", "json"}, {"", "x.table", "table"},
	} {
		if got := FormatFor(tc.format, tc.out); got != tc.want {
			t.Errorf("FormatFor(%q, %q) = %q, want %q", tc.format, tc.out, got, tc.want)
		}
	}
}

func TestDo(t *testing.T) {
	db := testDB(t)
	out := filepath.Join(t.TempDir(), "result.parquet")
	res, err := Do(context.Background(), Request{DB: db, SQL: "FROM indicator", Out: out}, nil)
	if err != nil || res.Rows != 3 {
		t.Fatalf("Do: %+v %v", res, err)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("PAR1")) {
		t.Fatalf("parquet file: %v", err)
	}
	// a failing query leaves no file behind
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if _, err := Do(context.Background(), Request{DB: db, SQL: "SELECT * FROM nope", Out: bad}, nil); err == nil {
		t.Fatal("no error for a bad query")
	}
	if entries, _ := os.ReadDir(filepath.Dir(bad)); len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
	var buf bytes.Buffer
	if _, err := Do(context.Background(), Request{DB: db, SQL: "SELECT 42 AS answer", Format: "json"}, &buf); err != nil ||
		strings.TrimSpace(buf.String()) != "[\n{\"answer\":42}\n]" {
		t.Errorf("json to stdout: %q %v", buf.String(), err)
	}
	if _, err := Do(context.Background(), Request{DB: db, SQL: "SELECT 1", Format: "yaml"}, &buf); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := Do(context.Background(), Request{DB: filepath.Join(t.TempDir(), "none.duckdb"), SQL: "SELECT 1"}, &buf); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("missing database: %v", err)
	}
}

// FuzzCheck: whatever the text, Check does not panic, and what it accepts cannot change the
// database file.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"SELECT 1", "ATTACH 'x' AS y", "SELECT 1; DROP TABLE indicator", "FROM indicator",
		"COPY indicator TO 'x.csv'", "SELECT * FROM read_csv('/etc/passwd')", "WITH a AS (SELECT 1) SELECT * FROM a",
		"SELECT '; ATTACH'", "/* */ SELECT 1 -- x", "SELECT $$ATTACH$$", "PRAGMA x", "CALL y()", ");(", "\x00"} {
		f.Add(s)
	}
	path := testDBFile(f)
	e, err := Open(context.Background(), path, Options{Threads: 1, MemoryLimit: "128MB"})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	before, _ := os.Stat(path)
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := e.Check(context.Background(), q); err != nil {
			return
		}
		var buf bytes.Buffer
		w, _ := NewWriter("csv", &buf)
		e.Run(context.Background(), q, Limits{MaxRows: 10, Timeout: 200 * time.Millisecond}, w)
		after, _ := os.Stat(path)
		if after.ModTime() != before.ModTime() || after.Size() != before.Size() {
			t.Fatalf("%q changed the database file", q)
		}
	})
}

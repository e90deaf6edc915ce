package web

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// writeCanvas builds the fixture canvas (testdata/canvas.sql) at path, as the nightly run
// would publish it: written beside, then renamed into place.
func writeCanvas(t testing.TB, path string, extraSQL ...string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "canvas.sql"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".new"
	os.Remove(tmp)
	db, err := sql.Open("duckdb", tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append([]string{string(b)}, extraSQL...) {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			t.Fatalf("building the fixture canvas: %v", err)
		}
	}
	if _, err := db.Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

package build

// The ways to pseudonymise identifiers that were measured for the build, side by side on a real
// store (see TestPseudonymWriters). The build keeps the fastest: its scalar function,
// pseudonymising in the canvas's own statements only the identifiers the canvas shows.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
)

// allIdentifiers is every identifier that the build before the scalar function pseudonymised:
// every distinct identifier of the standing tables, of any phenomenon.
const allIdentifiers = `
	SELECT DISTINCT 'police' AS kind, person_ref AS id FROM police_current
	UNION SELECT DISTINCT 'fact', fact_id FROM police_current
	UNION SELECT DISTINCT 'prosecution', suspect_ref FROM prosecution_current
	UNION SELECT DISTINCT 'case', case_number FROM prosecution_current
	UNION SELECT DISTINCT 'person', person_key FROM conviction_chain
	UNION SELECT DISTINCT 'chain', chain_id FROM conviction_chain`

// pseudonymsAppender is the build's former way: read the identifiers into Go, pseudonymise
// them one by one and write them with the row appender.
func pseudonymsAppender(ctx context.Context, conn *sql.Conn, key []byte) (int, error) {
	rows, err := conn.QueryContext(ctx, allIdentifiers)
	if err != nil {
		return 0, err
	}
	var ids [][2]string
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, [2]string{k, id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE pseudonym (kind VARCHAR, id VARCHAR, pseudonym VARCHAR)`); err != nil {
		return 0, err
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "pseudonym")
		if err != nil {
			return err
		}
		for _, p := range ids {
			if err := a.AppendRow(p[0], p[1], Pseudonym(key, p[0], p[1])); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	return len(ids), err
}

// pseudonymsParquet reads the identifiers a batch at a time, pseudonymises each batch on every
// core, writes the batches to temporary uncompressed Parquet files (as the raw-layer load does)
// and inserts them with read_parquet.
func pseudonymsParquet(ctx context.Context, conn *sql.Conn, key []byte, dir string) (int, error) {
	const batch = 122880
	sc := arrow.NewSchema([]arrow.Field{{Name: "kind", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "pseudonym", Type: arrow.BinaryTypes.String}}, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDictionaryDefault(false), parquet.WithStats(false), parquet.WithMaxRowGroupLength(batch))
	rows, err := conn.QueryContext(ctx, allIdentifiers)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var files []string
	n := 0
	kinds, ids := make([]string, 0, batch), make([]string, 0, batch)
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		ps := make([]string, len(ids))
		var wg sync.WaitGroup
		w := runtime.GOMAXPROCS(0)
		for g := range w {
			wg.Go(func() {
				for i := g; i < len(ids); i += w {
					ps[i] = Pseudonym(key, kinds[i], ids[i])
				}
			})
		}
		wg.Wait()
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		defer b.Release()
		b.Field(0).(*array.StringBuilder).AppendValues(kinds, nil)
		b.Field(1).(*array.StringBuilder).AppendValues(ids, nil)
		b.Field(2).(*array.StringBuilder).AppendValues(ps, nil)
		rec := b.NewRecordBatch()
		defer rec.Release()
		p := filepath.Join(dir, fmt.Sprintf("pseudonym-%04d.parquet", len(files)))
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		fw, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.DefaultWriterProps())
		if err != nil {
			f.Close()
			return err
		}
		if err := fw.Write(rec); err != nil {
			fw.Close()
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		files = append(files, p)
		n += len(ids)
		kinds, ids = kinds[:0], ids[:0]
		return nil
	}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return 0, err
		}
		kinds, ids = append(kinds, k), append(ids, id)
		if len(ids) == batch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	rows.Close()
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE pseudonym (kind VARCHAR, id VARCHAR, pseudonym VARCHAR)`); err != nil {
		return 0, err
	}
	for _, p := range files {
		if _, err := conn.ExecContext(ctx, `INSERT INTO pseudonym SELECT kind, id, pseudonym FROM read_parquet(`+quote(p)+`)`); err != nil {
			return 0, err
		}
		os.Remove(p)
	}
	return n, nil
}

// rowPseudonymFunc is the scalar function with duckdb-go's row-at-a-time executor.
type rowPseudonymFunc struct{ key []byte }

func (f *rowPseudonymFunc) Config() duckdb.ScalarFuncConfig {
	return (&pseudonymFunc{}).Config()
}

func (f *rowPseudonymFunc) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		return Pseudonym(f.key, v[0].(string), v[1].(string)), nil
	}}
}

// pseudonymsUDF fills the same table in one statement, with a scalar function registered under
// name (see pseudonymFunc) computing the pseudonyms inside the query.
func pseudonymsUDF(ctx context.Context, conn *sql.Conn, name string) (int, error) {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE pseudonym AS
		SELECT kind, id, `+name+`(kind, id) AS pseudonym FROM (`+allIdentifiers+`)`); err != nil {
		return 0, err
	}
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pseudonym`).Scan(&n)
	return n, err
}

// TestPseudonymWriters times, on a copy of a real store named by CANVAS_BUILD_STORE (dedup
// already run; only temporary tables are written), the ways of pseudonymising every identifier
// of the standing tables into a table, as the former build did, and checks that they write the
// same table, equal to Pseudonym:
//
//	go test -c -o /tmp/build.test ./build/
//	CANVAS_BUILD_STORE=/tmp/bstore /tmp/build.test -test.run TestPseudonymWriters -test.v
func TestPseudonymWriters(t *testing.T) {
	key, conn := openBuildStore(t)
	ctx := context.Background()
	f := newPseudonymFunc(key)
	defer f.disable()
	if err := duckdb.RegisterScalarUDF(conn, "alt_pseudonym_chunk", f); err != nil {
		t.Fatal(err)
	}
	if err := duckdb.RegisterScalarUDF(conn, "alt_pseudonym_row", &rowPseudonymFunc{key: key}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	// a fingerprint of the whole table, to compare the writers' tables
	sum := func() string {
		var n int64
		var h string
		if err := conn.QueryRowContext(ctx, `SELECT count(*), sum(hash(kind, id, pseudonym))::VARCHAR FROM pseudonym`).Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d rows, hash sum %s", n, h)
	}
	var want string
	for _, w := range []struct {
		name string
		run  func() (int, error)
	}{
		{"identifiers only (count)", func() (int, error) {
			var n int
			err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (`+allIdentifiers+`)`).Scan(&n)
			return n, err
		}},
		{"identifiers read into Go", func() (int, error) {
			rows, err := conn.QueryContext(ctx, allIdentifiers)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var k, id string
				if err := rows.Scan(&k, &id); err != nil {
					return 0, err
				}
				n++
			}
			return n, rows.Err()
		}},
		{"Go + row appender (former)", func() (int, error) { return pseudonymsAppender(ctx, conn, key) }},
		{"Go on all cores + Parquet", func() (int, error) { return pseudonymsParquet(ctx, conn, key, tmp) }},
		{"scalar function, per row", func() (int, error) { return pseudonymsUDF(ctx, conn, "alt_pseudonym_row") }},
		{"scalar function, per chunk", func() (int, error) { return pseudonymsUDF(ctx, conn, "alt_pseudonym_chunk") }},
	} {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n, err := w.run()
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		d := time.Since(start)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		t.Logf("%-28s %8d identifiers %7.2f s   Go allocated %5d MB", w.name, n, d.Seconds(), (after.TotalAlloc-before.TotalAlloc)>>20)
		if strings.HasPrefix(w.name, "identifiers") {
			continue
		}
		got := sum()
		if want == "" {
			want = got
			// a sample checked against Pseudonym in Go
			rows, err := conn.QueryContext(ctx, `SELECT kind, id, pseudonym FROM pseudonym USING SAMPLE 2000 ROWS`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k, id, p string
				rows.Scan(&k, &id, &p)
				if p != Pseudonym(key, k, id) {
					t.Errorf("%s: %s %q -> %q, want %q", w.name, k, id, p, Pseudonym(key, k, id))
				}
			}
			rows.Close()
		} else if got != want {
			t.Errorf("%s wrote %s, want %s", w.name, got, want)
		}
		if _, err := conn.ExecContext(ctx, `DROP TABLE pseudonym`); err != nil {
			t.Fatal(err)
		}
	}
}

package dedup

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// tmpPrefix names the dedup's temporary folders in the store folder; a killed run's folders are
// removed by the next run (the caller holds the store's lock).
const tmpPrefix = "dedup-tmp-"

// tempDir makes the run's temporary folder beside the database file (the store folder is
// owner-only, and these files hold identities), or in the system's temporary folder for a
// database in memory. It removes what killed runs left.
func tempDir(ctx context.Context, conn *sql.Conn) (string, error) {
	var path sql.NullString
	_ = conn.QueryRowContext(ctx, `SELECT path FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&path)
	parent := ""
	if path.Valid && path.String != "" && path.String != ":memory:" {
		parent = filepath.Dir(path.String)
		old, _ := filepath.Glob(filepath.Join(parent, tmpPrefix+"*"))
		for _, d := range old {
			_ = os.RemoveAll(d)
		}
	}
	dir, err := os.MkdirTemp(parent, tmpPrefix)
	if err != nil {
		return "", fmt.Errorf("dedup: temporary folder: %w", err)
	}
	return dir, nil
}

// export runs query, writes its result to a Parquet file in dir and calls fn with its rows in
// batches, in the query's order. Reading a large result this way costs a fraction of reading it
// row by row through database/sql (no call into DuckDB per value). The batch's strings point into
// its buffers: fn copies what it keeps (strings.Clone).
func export(ctx context.Context, conn *sql.Conn, dir, name, query string, fn func(arrow.RecordBatch) error) error {
	path := filepath.Join(dir, name+".parquet")
	defer os.Remove(path)
	q := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 122880)`,
		query, strings.ReplaceAll(path, "'", "''"))
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("dedup: reading %s: %w", name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("dedup: reading %s: %w", name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 32768}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("dedup: reading %s: %w", name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("dedup: reading %s: %w", name, err)
	}
	defer rr.Release()
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(rr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("dedup: reading %s: %w", name, err)
	}
	return nil
}

// col gives typed access to a batch's columns by position.
type col struct{ rec arrow.RecordBatch }

// str returns column c of row i as a string of its own ("" for NULL).
func (b col) str(c, i int) string {
	a := b.rec.Column(c).(*array.String)
	if a.IsNull(i) {
		return ""
	}
	return strings.Clone(a.Value(i))
}

// raw returns column c of row i as a string pointing into the batch ("" for NULL): only for
// values used before the next batch.
func (b col) raw(c, i int) string {
	a := b.rec.Column(c).(*array.String)
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}

// date returns a DATE column's value (zero time for NULL).
func (b col) date(c, i int) time.Time {
	a := b.rec.Column(c).(*array.Date32)
	if a.IsNull(i) {
		return time.Time{}
	}
	return a.Value(i).ToTime()
}

// int64 returns a BIGINT column's value and whether it is not NULL.
func (b col) int64(c, i int) (int64, bool) {
	a := b.rec.Column(c).(*array.Int64)
	if a.IsNull(i) {
		return 0, false
	}
	return a.Value(i), true
}

// float64 returns a DOUBLE column's value and whether it is not NULL.
func (b col) float64(c, i int) (float64, bool) {
	a := b.rec.Column(c).(*array.Float64)
	if a.IsNull(i) {
		return 0, false
	}
	return a.Value(i), true
}

package pipeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
)

// rawWriter writes the raw rows of one delivery inside the load's open transaction. Write takes
// the reader's records in order; Flush writes what is still buffered (before the invariant check
// and the commit); Close releases everything, also after an error (the transaction is then
// rolled back by the caller).
type rawWriter interface {
	Write(ctx context.Context, rec arrow.RecordBatch) error
	Flush(ctx context.Context) error
	Close() error
}

// Raw-layer write methods (rawWriteMode). The product uses rawWriteParquet; the others stay for
// the side-by-side benchmark.
const (
	rawWriteParquet  = "parquet"  // records -> temporary Parquet file -> INSERT ... SELECT FROM read_parquet
	rawWriteAppender = "appender" // DuckDB Appender, row by row (the former path)
)

// rawWriteMode selects the raw-layer write method (tests and benchmarks may change it).
var rawWriteMode = rawWriteParquet

// parquetGroupRows is how many rows a temporary Parquet file holds before it is inserted:
// memory stays bounded (the writer keeps only the open page buffers) and each INSERT is large
// enough for DuckDB to use its threads.
const parquetGroupRows = 256 * 1024

// loadTmpPrefix names the temporary folder of a load inside the store folder (owner-only, like
// the store itself: the files hold raw rows).
const loadTmpPrefix = ".load-tmp-"

func (s *Store) newRawWriter(conn *sql.Conn, table string, sc *arrow.Schema) (rawWriter, error) {
	switch rawWriteMode {
	case rawWriteAppender:
		var app *duckdb.Appender
		err := conn.Raw(func(dc any) error {
			var e error
			app, e = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
			return e
		})
		if err != nil {
			return nil, err
		}
		return &appenderRawWriter{app: app, row: make([]driver.Value, len(sc.Fields()))}, nil
	default:
		return s.newParquetRawWriter(conn, table, sc)
	}
}

// appenderRawWriter is the former path: every value boxed and appended row by row.
type appenderRawWriter struct {
	app    *duckdb.Appender
	row    []driver.Value
	closed bool
}

func (w *appenderRawWriter) Write(_ context.Context, rec arrow.RecordBatch) error {
	return appendRecord(w.app, rec, w.row)
}

func (w *appenderRawWriter) Flush(context.Context) error {
	w.closed = true
	return w.app.Close()
}

func (w *appenderRawWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.app.Close()
}

// parquetRawWriter writes the records to temporary, uncompressed Parquet files of up to
// parquetGroupRows rows in a private folder of the store, and inserts each file with
// INSERT ... SELECT FROM read_parquet on the load's connection, inside its transaction. The
// files are removed as soon as they are inserted, and the folder on Close (also on error);
// folders left by a killed load are removed by the next load (removeLoadTmp).
type parquetRawWriter struct {
	conn   *sql.Conn
	sc     *arrow.Schema
	dir    string
	insert string // INSERT statement with a %s for the quoted file path
	props  *parquet.WriterProperties
	aprops pqarrow.ArrowWriterProperties

	f    *os.File
	fw   *pqarrow.FileWriter
	path string
	rows int64
	seq  int
}

func (s *Store) newParquetRawWriter(conn *sql.Conn, table string, sc *arrow.Schema) (*parquetRawWriter, error) {
	dir, err := os.MkdirTemp(s.Dir, loadTmpPrefix)
	if err != nil {
		return nil, fmt.Errorf("temporary folder for the load: %w", err)
	}
	cols := make([]string, len(sc.Fields()))
	for i, f := range sc.Fields() {
		cols[i] = `"` + strings.ReplaceAll(f.Name, `"`, `""`) + `"`
	}
	list := strings.Join(cols, ", ")
	insert := fmt.Sprintf(`INSERT INTO "%s" (%s) SELECT %s FROM read_parquet('%%s')`,
		strings.ReplaceAll(table, `"`, `""`), list, list)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDictionaryDefault(false),
		parquet.WithStats(false),
	)
	return &parquetRawWriter{conn: conn, sc: sc, dir: dir, insert: insert, props: props,
		aprops: pqarrow.DefaultWriterProps()}, nil
}

func (w *parquetRawWriter) Write(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if w.fw == nil {
		w.seq++
		w.path = filepath.Join(w.dir, fmt.Sprintf("part-%06d.parquet", w.seq))
		f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		fw, err := pqarrow.NewFileWriter(w.sc, f, w.props, w.aprops)
		if err != nil {
			f.Close()
			return err
		}
		w.f, w.fw, w.rows = f, fw, 0
	}
	if err := w.fw.Write(rec); err != nil { // one row group per record
		return err
	}
	w.rows += rec.NumRows()
	if w.rows >= parquetGroupRows {
		return w.Flush(ctx)
	}
	return nil
}

// Flush closes the open Parquet file, inserts it and removes it.
func (w *parquetRawWriter) Flush(ctx context.Context) error {
	if w.fw == nil {
		return nil
	}
	fw, path := w.fw, w.path
	w.fw, w.f = nil, nil // the FileWriter closes the file
	if err := fw.Close(); err != nil {
		os.Remove(path)
		return err
	}
	defer os.Remove(path)
	res, err := w.conn.ExecContext(ctx, fmt.Sprintf(w.insert, strings.ReplaceAll(path, "'", "''")))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n != w.rows {
		return fmt.Errorf("inserted %d rows of %d", n, w.rows)
	}
	return nil
}

func (w *parquetRawWriter) Close() error {
	if w.fw != nil {
		w.fw.Close()
		w.fw, w.f = nil, nil
	}
	return os.RemoveAll(w.dir)
}

// removeLoadTmp removes the temporary folders that a killed load left in the store folder. The
// caller holds the store's lock: no other load is running.
func (s *Store) removeLoadTmp() {
	dirs, _ := filepath.Glob(filepath.Join(s.Dir, loadTmpPrefix+"*"))
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

package pipeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
	// Do runs fn, which uses the load's connection, while the writer does not use it.
	Do(fn func() error) error
}

// Raw-layer write methods (rawWriteMode). The product uses rawWriteParquet; the others stay for
// the side-by-side benchmark.
const (
	rawWriteParquet  = "parquet"  // records -> temporary Parquet file -> INSERT ... SELECT FROM read_parquet
	rawWriteAppender = "appender" // DuckDB Appender, row by row (the former path)
)

// rawWriteMode selects the raw-layer write method (tests and benchmarks may change it).
var rawWriteMode = rawWriteParquet

// extraRawWriters holds further write methods that only benchmarks register (for instance the
// Arrow interface, which needs the duckdb_arrow build tag: see arrow_bench_test.go).
var extraRawWriters = map[string]func(conn *sql.Conn, table string, sc *arrow.Schema) (rawWriter, error){}

// parquetGroupRows is how many rows a temporary Parquet file holds before it is inserted:
// memory stays bounded (the writer buffers one row group) and each INSERT is large enough for
// DuckDB to write its row groups directly and in parallel.
var parquetGroupRows int64 = 2 * duckRowGroupRows

// duckRowGroupRows is DuckDB's row group size (122,880 rows). The temporary files use the same
// row group size: DuckDB then inserts each Parquet row group as one table row group, in parallel,
// without re-cutting them (measured: ~25% faster load than 8,192-row groups, and 61,440-row
// groups are as slow as those).
const duckRowGroupRows = 122880

// loadTmpPrefix names the temporary folder of a load inside the store folder (owner-only, like
// the store itself: the files hold raw rows).
const loadTmpPrefix = ".load-tmp-"

func (s *Store) newRawWriter(conn *sql.Conn, table string, sc *arrow.Schema) (rawWriter, error) {
	if f, ok := extraRawWriters[rawWriteMode]; ok {
		return f(conn, table, sc)
	}
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

func (w *appenderRawWriter) Do(fn func() error) error { return fn() }

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
// INSERT ... SELECT FROM read_parquet on the load's connection, inside its transaction. A
// background goroutine inserts a finished file while the caller reads and writes the next one, so
// that reading (Go, one core) and inserting (DuckDB) overlap; at most two finished files wait.
// The connection is shared: every other use of it during the load goes through Do. Each file is
// removed as soon as it is inserted, and the folder on Close (also on error); folders left by a
// killed load are removed by the next load (removeLoadTmp).
type parquetRawWriter struct {
	conn   *sql.Conn
	sc     *arrow.Schema
	dir    string
	insert string // INSERT statement with a %s for the quoted file path
	props  *parquet.WriterProperties
	aprops pqarrow.ArrowWriterProperties

	fw   *pqarrow.FileWriter
	path string
	rows int64
	seq  int

	mu      sync.Mutex // serialises the uses of conn
	files   chan parquetPart
	cancel  context.CancelFunc
	done    chan struct{}
	errMu   sync.Mutex
	err     error
	stopped bool
}

type parquetPart struct {
	path string
	rows int64
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
		parquet.WithDictionaryDefault(false), // dictionaries: slower to write, no faster to insert
		parquet.WithStats(false),
		parquet.WithMaxRowGroupLength(duckRowGroupRows),
	)
	return &parquetRawWriter{conn: conn, sc: sc, dir: dir, insert: insert, props: props,
		aprops: pqarrow.DefaultWriterProps()}, nil
}

func (w *parquetRawWriter) failed() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

func (w *parquetRawWriter) setErr(err error) {
	w.errMu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.errMu.Unlock()
}

// Do runs fn on the connection while no insert runs.
func (w *parquetRawWriter) Do(fn func() error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fn()
}

// start starts the inserting goroutine.
func (w *parquetRawWriter) start(ctx context.Context) {
	ctx, w.cancel = context.WithCancel(ctx)
	w.files = make(chan parquetPart, 1)
	w.done = make(chan struct{})
	go func() {
		defer close(w.done)
		for p := range w.files {
			if w.failed() == nil {
				if err := w.insertFile(ctx, p); err != nil {
					w.setErr(err)
				}
			}
			os.Remove(p.path)
		}
	}()
}

func (w *parquetRawWriter) insertFile(ctx context.Context, p parquetPart) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	res, err := w.conn.ExecContext(ctx, fmt.Sprintf(w.insert, strings.ReplaceAll(p.path, "'", "''")))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n != p.rows {
		return fmt.Errorf("inserted %d rows of %d", n, p.rows)
	}
	return nil
}

func (w *parquetRawWriter) Write(ctx context.Context, rec arrow.RecordBatch) error {
	if err := w.failed(); err != nil {
		return err
	}
	if rec.NumRows() == 0 {
		return nil
	}
	if w.done == nil {
		w.start(ctx)
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
		w.fw, w.rows = fw, 0
	}
	if err := w.fw.WriteBuffered(rec); err != nil { // row groups of duckRowGroupRows rows
		return err
	}
	w.rows += rec.NumRows()
	if w.rows >= parquetGroupRows {
		return w.hand(ctx)
	}
	return nil
}

// hand closes the open Parquet file and hands it to the inserting goroutine.
func (w *parquetRawWriter) hand(ctx context.Context) error {
	fw, p := w.fw, parquetPart{path: w.path, rows: w.rows}
	w.fw = nil
	if err := fw.Close(); err != nil { // closes the file too
		os.Remove(p.path)
		return err
	}
	select {
	case w.files <- p:
		return nil
	case <-ctx.Done():
		os.Remove(p.path)
		return ctx.Err()
	}
}

// Flush inserts what is still buffered and waits for every insert.
func (w *parquetRawWriter) Flush(ctx context.Context) error {
	if w.done == nil {
		return w.failed()
	}
	if w.fw != nil {
		if err := w.hand(ctx); err != nil {
			return err
		}
	}
	w.stop()
	return w.failed()
}

// stop ends the inserting goroutine after the files handed to it.
func (w *parquetRawWriter) stop() {
	if w.done == nil || w.stopped {
		return
	}
	w.stopped = true
	close(w.files)
	<-w.done
	w.cancel()
}

// Close stops the inserts (after an error, the one running is interrupted) and removes the
// temporary folder.
func (w *parquetRawWriter) Close() error {
	if w.fw != nil {
		w.fw.Close()
		w.fw = nil
	}
	if w.done != nil && !w.stopped {
		w.setErr(errors.New("load abandoned"))
		w.cancel()
		w.stop()
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

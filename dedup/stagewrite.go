package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/memory/mallocator"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetRows writes n rows into table through a temporary Parquet file in dir, inserted with
// read_parquet on conn (inside its transaction): several times faster than DuckDB's appender,
// which calls into DuckDB for every value. The Arrow types follow the table's column types;
// row writes row i's values, in column order (see rowWriter).
func parquetRows(ctx context.Context, conn *sql.Conn, dir, table string, n int, row rowFunc) error {
	if n == 0 {
		return nil
	}
	sc, err := tableSchema(ctx, conn, table)
	if err != nil {
		return err
	}
	path, err := writeParquet(ctx, sc, dir, table, n, row)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	return insertParquet(ctx, conn, table, path)
}

// stageMemory holds the Arrow buffers of the Parquet files that writeParquet makes, outside Go's
// heap (C's malloc): a full run writes its tables' rows through them, and as Go memory those
// short-lived buffers were half of all a run allocated (5.8 of 11.6 GB at a million lines), each
// gigabyte of it starting another garbage collection that marks the person records again. Every
// buffer is released when its file is written (TestWriteParquetFreesItsMemory).
var stageMemory memory.Allocator = mallocator.NewMallocator()

// writeParquet writes n rows of table, of schema sc, to a new Parquet file in dir and returns
// its path; the caller removes it.
func writeParquet(ctx context.Context, sc *arrow.Schema, dir, table string, n int, row rowFunc) (string, error) {
	f, err := os.CreateTemp(dir, table+"-*.parquet")
	if err != nil {
		return "", err
	}
	path := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(path)
		return "", err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDictionaryDefault(false), parquet.WithStats(false), parquet.WithMaxRowGroupLength(122880),
		parquet.WithAllocator(stageMemory))
	fw, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(stageMemory)))
	if err != nil {
		return fail(err)
	}
	b := array.NewRecordBuilder(stageMemory, sc)
	defer b.Release()
	rw := rowWriter{cols: b.Fields(), sc: sc}
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		return fw.WriteBuffered(rec)
	}
	for i := 0; i < n; i++ {
		if i%32768 == 0 && i > 0 {
			if err := ctx.Err(); err != nil {
				fw.Close()
				return fail(err)
			}
			if err := flush(); err != nil {
				fw.Close()
				return fail(err)
			}
		}
		rw.c = 0
		row(i, &rw)
		if rw.err == nil && rw.c != len(rw.cols) {
			rw.err = fmt.Errorf("%d values for %d columns", rw.c, len(rw.cols))
		}
		if rw.err != nil {
			fw.Close()
			return fail(fmt.Errorf("writing %s: row %d, %w", table, i+1, rw.err))
		}
	}
	if err := flush(); err != nil {
		fw.Close()
		return fail(err)
	}
	if err := fw.Close(); err != nil { // closes f too
		os.Remove(path)
		return "", fmt.Errorf("writing %s: %w", table, err)
	}
	return path, nil
}

// insertParquet appends the rows of the Parquet file at path to table, on conn.
func insertParquet(ctx context.Context, conn *sql.Conn, table, path string) error {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s SELECT * FROM read_parquet('%s')`, table,
		strings.ReplaceAll(path, "'", "''"))); err != nil {
		return fmt.Errorf("writing %s: %w", table, err)
	}
	return nil
}

// stager appends rows to tables like parquetRows, but runs the INSERTs on a goroutine of its
// own, one after the other in the order given: DuckDB loads one batch's rows while the caller
// works out the next (2 cores: D2-D4's rules and DuckDB's inserts, each mostly on one). The
// caller writes the Parquet files; at most stagerQueue of them wait on disk.
//
// Nothing may read the tables written until close returns. Every stager must be closed or
// abandoned before its connection's transaction ends: a queued INSERT run after a ROLLBACK would
// run outside the transaction. The usual form:
//
//	s := newStager(ctx, conn, dir)
//	defer s.abandon()
//	... s.rows(...) ...
//	return s.close()
type stager struct {
	ctx     context.Context
	conn    *sql.Conn
	dir     string
	schemas map[string]*arrow.Schema
	jobs    chan stagedFile
	done    chan struct{}
	once    sync.Once
	skip    atomic.Bool // abandoned: remove the queued files without inserting them

	mu  sync.Mutex
	err error // the first INSERT that failed
}

// stagedFile is a Parquet file waiting to be inserted into its table.
type stagedFile struct{ table, path string }

// stagerQueue is how many written files may wait for their INSERT.
const stagerQueue = 8

func newStager(ctx context.Context, conn *sql.Conn, dir string) *stager {
	s := &stager{ctx: ctx, conn: conn, dir: dir, schemas: map[string]*arrow.Schema{},
		jobs: make(chan stagedFile, stagerQueue), done: make(chan struct{})}
	go s.insert()
	return s
}

func (s *stager) insert() {
	defer close(s.done)
	for j := range s.jobs {
		if !s.skip.Load() && s.failed() == nil {
			if err := insertParquet(s.ctx, s.conn, j.table, j.path); err != nil {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
			}
		}
		os.Remove(j.path)
	}
}

func (s *stager) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// rows writes n rows of table to a Parquet file and queues its INSERT; row is not called after
// it returns. It returns the error of an INSERT that failed before, if any: the rows after it
// are not written. Not after close.
func (s *stager) rows(table string, n int, row rowFunc) error {
	if err := s.failed(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	sc, ok := s.schemas[table]
	if !ok {
		var err error
		if sc, err = tableSchema(s.ctx, s.conn, table); err != nil {
			return err
		}
		s.schemas[table] = sc
	}
	path, err := writeParquet(s.ctx, sc, s.dir, table, n, row)
	if err != nil {
		return err
	}
	s.jobs <- stagedFile{table, path}
	return nil
}

// close waits for the queued INSERTs and returns the first error. It may be called again.
func (s *stager) close() error {
	s.once.Do(func() { close(s.jobs) })
	<-s.done
	return s.failed()
}

// abandon drops the queued INSERTs (their files are removed), waits for the one running, and
// closes the stager; after close it does nothing.
func (s *stager) abandon() {
	s.skip.Store(true)
	s.close()
}

// tableSchema returns the Arrow schema of a table's columns, in order.
func tableSchema(ctx context.Context, conn *sql.Conn, table string) (*arrow.Schema, error) {
	// a temporary table first, as a name in a query finds it first
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE table_name = $1 AND schema_name = 'main' AND database_name = (
		  SELECT database_name FROM duckdb_tables() WHERE table_name = $1 AND schema_name = 'main'
		    AND database_name IN ('temp', current_database())
		  ORDER BY database_name = 'temp' DESC LIMIT 1)
		ORDER BY column_index`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fields []arrow.Field
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		var t arrow.DataType
		switch typ {
		case "VARCHAR":
			t = arrow.BinaryTypes.String
		case "BIGINT":
			t = arrow.PrimitiveTypes.Int64
		case "INTEGER":
			t = arrow.PrimitiveTypes.Int32
		case "DOUBLE":
			t = arrow.PrimitiveTypes.Float64
		case "BOOLEAN":
			t = arrow.FixedWidthTypes.Boolean
		case "DATE":
			t = arrow.FixedWidthTypes.Date32
		default:
			return nil, fmt.Errorf("writing %s: column %s has type %s, which the dedup writer does not know", table, name, typ)
		}
		fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: true})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("writing %s: no such table", table)
	}
	return arrow.NewSchema(fields, nil), nil
}

// rowFunc writes the values of row i of a table, in column order, with w's methods.
type rowFunc func(i int, w *rowWriter)

// values is the rowFunc of a function returning each row's values as appendRows takes them
// (nil for NULL): for the small tables, where boxing every value costs nothing that matters.
func values(f func(i int) []driver.Value) rowFunc {
	return func(i int, w *rowWriter) { w.values(f(i)...) }
}

// rowWriter appends a row's values to the column builders of a Parquet file, one column after
// the other, without boxing them in interfaces: the tables of D2-D4 and link_key are written
// at tens of millions of rows, where one allocation per value kept the garbage collector busy.
// A value that does not fit its column is kept as the row's error, with the column's name.
type rowWriter struct {
	cols []array.Builder
	sc   *arrow.Schema
	c    int // the next column
	err  error
}

// next returns the next column's builder as a B, or false (and the row's error) when there is
// no next column or it is of another type.
func next[B array.Builder](w *rowWriter, what string) (B, bool) {
	var zero B
	if w.err != nil {
		return zero, false
	}
	if w.c >= len(w.cols) {
		w.err = fmt.Errorf("more values than the %d columns", len(w.cols))
		return zero, false
	}
	b, ok := w.cols[w.c].(B)
	if !ok {
		w.err = fmt.Errorf("column %s: a %s does not fit the column", w.sc.Field(w.c).Name, what)
		return zero, false
	}
	w.c++
	return b, true
}

// str writes a string ("" is a value).
func (w *rowWriter) str(s string) {
	if b, ok := next[*array.StringBuilder](w, "string"); ok {
		b.Append(s)
	}
}

// strOrNull writes a string, NULL for "".
func (w *rowWriter) strOrNull(s string) {
	if s == "" {
		w.null()
		return
	}
	w.str(s)
}

func (w *rowWriter) int64(v int64) {
	if b, ok := next[*array.Int64Builder](w, "int64"); ok {
		b.Append(v)
	}
}

func (w *rowWriter) int32(v int32) {
	if b, ok := next[*array.Int32Builder](w, "int32"); ok {
		b.Append(v)
	}
}

func (w *rowWriter) float64(v float64) {
	if b, ok := next[*array.Float64Builder](w, "float64"); ok {
		b.Append(v)
	}
}

// scoreOrNull writes a score, NULL when it has none.
func (w *rowWriter) scoreOrNull(v float64, ok bool) {
	if !ok {
		w.null()
		return
	}
	w.float64(v)
}

func (w *rowWriter) bool(v bool) {
	if b, ok := next[*array.BooleanBuilder](w, "bool"); ok {
		b.Append(v)
	}
}

// day writes the day of t (the zero time is a value, 0001-01-01).
func (w *rowWriter) day(t time.Time) {
	if b, ok := next[*array.Date32Builder](w, "date"); ok {
		b.Append(arrow.Date32FromTime(t))
	}
}

// date writes the day of t, NULL for the zero time.
func (w *rowWriter) date(t time.Time) {
	if t.IsZero() {
		w.null()
		return
	}
	w.day(t)
}

// null writes NULL in a column of any type.
func (w *rowWriter) null() {
	if b, ok := next[array.Builder](w, "NULL"); ok {
		b.AppendNull()
	}
}

// values writes values as appendRows takes them (nil for NULL).
func (w *rowWriter) values(vs ...driver.Value) {
	for _, v := range vs {
		if w.err != nil {
			return
		}
		if w.c >= len(w.cols) {
			w.err = fmt.Errorf("more values than the %d columns", len(w.cols))
			return
		}
		if err := appendValue(w.cols[w.c], v); err != nil {
			w.err = fmt.Errorf("column %s: %w", w.sc.Field(w.c).Name, err)
			return
		}
		w.c++
	}
}

func appendValue(b array.Builder, v driver.Value) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		if s, ok := v.(string); ok {
			b.Append(s)
			return nil
		}
	case *array.Int64Builder:
		switch x := v.(type) {
		case int64:
			b.Append(x)
			return nil
		case int:
			b.Append(int64(x))
			return nil
		}
	case *array.Int32Builder:
		switch x := v.(type) {
		case int32:
			b.Append(x)
			return nil
		case int:
			b.Append(int32(x))
			return nil
		}
	case *array.Float64Builder:
		if x, ok := v.(float64); ok {
			b.Append(x)
			return nil
		}
	case *array.BooleanBuilder:
		if x, ok := v.(bool); ok {
			b.Append(x)
			return nil
		}
	case *array.Date32Builder:
		if t, ok := v.(time.Time); ok {
			b.Append(arrow.Date32FromTime(t))
			return nil
		}
	}
	return fmt.Errorf("value %v of type %T does not fit the column", v, v)
}

package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
)

// TestParquetRowsKeepsEveryValue writes rows with every column type and NULLs through the
// Parquet path and the appender and requires the same table; a value that does not fit its
// column is refused with the row and column.
func TestParquetRowsKeepsEveryValue(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, filepath.Join(t.TempDir(), "t.duckdb"))
	for _, tb := range []string{"a", "b"} {
		if _, err := conn.ExecContext(ctx, `CREATE TABLE `+tb+` (s VARCHAR, i BIGINT, j INTEGER, f DOUBLE, b BOOLEAN, d DATE)`); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(1961, 2, 28, 0, 0, 0, 0, time.UTC)
	rows := [][]driver.Value{
		{"x", int64(1), int32(2), 0.5, true, day},
		{nil, nil, nil, nil, nil, nil},
		{"", int64(-7), int32(0), -1.25, false, time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"é\"',\n|", int64(1) << 40, int32(-3), 1e300, true, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	row := func(i int) []driver.Value { return rows[i] }
	if err := parquetRows(ctx, conn, t.TempDir(), "a", len(rows), values(row)); err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, conn, "b", len(rows), row); err != nil {
		t.Fatal(err)
	}
	read := func(tb string) []string {
		r, err := conn.QueryContext(ctx, `SELECT * FROM `+tb+` ORDER BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			v := make([]any, 6)
			p := make([]any, 6)
			for i := range v {
				p[i] = &v[i]
			}
			if err := r.Scan(p...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(v...))
		}
		return out
	}
	if diff := cmp.Diff(read("b"), read("a")); diff != "" {
		t.Errorf("Parquet path differs from the appender (-appender +parquet):\n%s", diff)
	}
	// the same rows through rowWriter's typed methods
	if _, err := conn.ExecContext(ctx, `CREATE TABLE c AS SELECT * FROM a LIMIT 0`); err != nil {
		t.Fatal(err)
	}
	if err := parquetRows(ctx, conn, t.TempDir(), "c", len(rows), func(i int, rw *rowWriter) {
		r := rows[i]
		if r[0] == nil {
			for range 6 {
				rw.null()
			}
			return
		}
		rw.str(r[0].(string))
		rw.int64(r[1].(int64))
		rw.int32(r[2].(int32))
		rw.float64(r[3].(float64))
		rw.bool(r[4].(bool))
		rw.day(r[5].(time.Time))
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(read("b"), read("c")); diff != "" {
		t.Errorf("typed writer differs from the appender (-appender +typed):\n%s", diff)
	}
	// the helpers that write NULL for an empty value
	if err := parquetRows(ctx, conn, t.TempDir(), "c", 1, func(i int, rw *rowWriter) {
		rw.strOrNull("")
		rw.null()
		rw.null()
		rw.scoreOrNull(2, false)
		rw.null()
		rw.date(time.Time{})
	}); err != nil {
		t.Fatal(err)
	}
	if got := read("c"); len(got) != 5 || got[3] != got[4] { // NULLs sort last
		t.Errorf("strOrNull, scoreOrNull and date of nothing: rows %q; want a second row of NULLs", got)
	}
	for _, bad := range []struct {
		name string
		row  rowFunc
		want string
	}{
		{"a string in a BIGINT column", func(_ int, rw *rowWriter) { rw.str("x"); rw.str("not a number") }, "row 1, column i: a string does not fit"},
		{"too few values", func(_ int, rw *rowWriter) { rw.str("x") }, "row 1, 1 values for 6 columns"},
		{"too many values", func(_ int, rw *rowWriter) {
			rw.str("x")
			for range 6 {
				rw.null()
			}
		}, "row 1, more values than the 6 columns"},
		{"a wrong value through values", values(func(int) []driver.Value {
			return []driver.Value{"x", "not a number", nil, nil, nil, nil}
		}), "row 1, column i"},
	} {
		err := parquetRows(ctx, conn, t.TempDir(), "c", 1, bad.row)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: got %v, want an error with %q", bad.name, err, bad.want)
		}
	}
}

// BenchmarkStageWriters writes 1,000,000 rows shaped like conviction_line through the appender
// and through a Parquet file, side by side:
//
//	go test ./dedup -run '^$' -bench StageWriters -benchtime 1x
func BenchmarkStageWriters(b *testing.B) {
	const n = 1_000_000
	rows := make([][]driver.Value, n)
	for i := range rows {
		var merged driver.Value
		if i%10 == 0 {
			merged = fmt.Sprintf("M%09d", i+1)
		}
		rows[i] = []driver.Value{fmt.Sprintf("M%09d", i), "MACH", fmt.Sprintf("2019/%06d", i/3), i%10 != 0, merged,
			fmt.Sprintf("MACH:P%08d", i/2), fmt.Sprintf("MACH:P%08d", i/2), int64(i / 2), fmt.Sprintf("CM%09d", i/2)}
	}
	row := func(i int) []driver.Value { return rows[i] }
	b.ResetTimer()
	for _, way := range []string{"appender", "parquet"} {
		b.Run(way, func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			conn := openConn(b, filepath.Join(dir, "t.duckdb"))
			var err error
			for b.Loop() {
				if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE t (record_id VARCHAR, source_system VARCHAR,
					judgment_norm VARCHAR, stands BOOLEAN, merged_into VARCHAR, person_record VARCHAR, cluster VARCHAR,
					notice_id BIGINT, chain_id VARCHAR)`); err != nil {
					b.Fatal(err)
				}
				if way == "appender" {
					err = appendRows(ctx, conn, "t", n, row)
				} else {
					err = parquetRows(ctx, conn, dir, "t", n, values(row))
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// openConn opens a DuckDB database (dsn "" for one in memory) and a connection on it, both closed
// when the test ends.
func openConn(tb testing.TB, dsn string) *sql.Conn {
	tb.Helper()
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// TestWholeRowGroupAppendsFillRowGroups checks what wholeRowGroups relies on: appends of whole
// row groups, in one transaction, leave the table's row groups full but the last, where appends
// of other sizes leave a partly filled row group after each (which the checkpoint after a later
// delete merges and rewrites). A DuckDB that stops doing either fails it.
func TestWholeRowGroupAppendsFillRowGroups(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, filepath.Join(t.TempDir(), "t.duckdb"))
	rowGroups := func(table string, sizes ...int) []int64 {
		t.Helper()
		if _, err := conn.ExecContext(ctx, `CREATE TABLE `+table+` (s VARCHAR, i BIGINT)`); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
			t.Fatal(err)
		}
		for _, n := range sizes {
			if err := parquetRows(ctx, conn, t.TempDir(), table, n, func(i int, rw *rowWriter) {
				rw.str(fmt.Sprint("r", i))
				rw.int64(int64(i))
			}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
			t.Fatal(err)
		}
		r, err := conn.QueryContext(ctx, `SELECT max(count) FROM pragma_storage_info('`+table+`')
			WHERE column_id = 1 GROUP BY row_group_id ORDER BY row_group_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []int64
		for r.Next() {
			var n int64
			if err := r.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	const full = rowGroupRows
	batches := []int{150_000, 150_000, 150_000, 10}
	var whole []int // the same rows in whole row groups, as wholeRowGroups cuts them
	carried := 0
	for i, n := range batches {
		carried += n
		k := wholeRowGroups(carried, i == len(batches)-1)
		if k > 0 {
			whole = append(whole, k)
		}
		carried -= k
	}
	if diff := cmp.Diff([]int{full, full, full, 450_010 - 3*full}, whole); diff != "" {
		t.Fatalf("wholeRowGroups cut the batches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{full, full, full, 450_010 - 3*full}, rowGroups("whole", whole...)); diff != "" {
		t.Errorf("row groups after appends of whole row groups (-want +got):\n%s", diff)
	}
	if got := rowGroups("batches", batches...); len(got) <= 5 {
		t.Errorf("row groups after appends of 150,000 rows: %v; DuckDB now fills them, so wholeRowGroups is no longer needed", got)
	}
}

// TestStagerInsertsInOrder queues appends to two tables inside a transaction and requires every
// row, in the order given, once close returns, and no Parquet file left behind.
func TestStagerInsertsInOrder(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, filepath.Join(t.TempDir(), "t.duckdb"))
	for _, q := range []string{`CREATE TABLE a (s VARCHAR, i BIGINT)`, `CREATE TABLE b (i BIGINT)`, `BEGIN TRANSACTION`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	s := newStager(ctx, conn, dir)
	defer s.abandon()
	var want []string
	next := 0
	for batch := range 3 * stagerQueue { // more than the queue holds: rows blocks, and goes on
		n := 1 + batch*37
		from := next
		if err := s.rows("a", n, func(i int, rw *rowWriter) { rw.str(fmt.Sprint("r", from+i)); rw.int64(int64(from + i)) }); err != nil {
			t.Fatal(err)
		}
		if err := s.rows("b", 1, func(_ int, rw *rowWriter) { rw.int64(int64(batch)) }); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			want = append(want, fmt.Sprint("r", from+i, " ", from+i))
		}
		next += n
	}
	if err := s.rows("a", 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatalf("close again: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, queryStrings(t, conn, `SELECT s || ' ' || i FROM a ORDER BY rowid`)); diff != "" {
		t.Errorf("rows of a, in table order (-want +got):\n%s", diff)
	}
	var wantB []string
	for batch := range 3 * stagerQueue {
		wantB = append(wantB, fmt.Sprint(batch))
	}
	if diff := cmp.Diff(wantB, queryStrings(t, conn, `SELECT i::VARCHAR FROM b ORDER BY rowid`)); diff != "" {
		t.Errorf("rows of b, in table order (-want +got):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("files left in the folder: %v", left)
	}
}

// TestStagerStopsAtTheFirstFailure makes one queued INSERT fail (a row breaking the table's
// key): close and the next rows report it, the files queued after it are not inserted, and a
// ROLLBACK then leaves the table as it was.
func TestStagerStopsAtTheFirstFailure(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, filepath.Join(t.TempDir(), "t.duckdb"))
	for _, q := range []string{`CREATE TABLE a (i BIGINT PRIMARY KEY)`, `INSERT INTO a VALUES (0)`, `BEGIN TRANSACTION`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	s := newStager(ctx, conn, dir)
	defer s.abandon()
	one := func(v int64) rowFunc {
		return func(_ int, rw *rowWriter) { rw.int64(v) }
	}
	for _, v := range []int64{1, 2, 1, 3, 4} { // the second 1 breaks the key
		if err := s.rows("a", 1, one(v)); err != nil {
			if !strings.Contains(err.Error(), "writing a") {
				t.Errorf("rows after the failure: %v; want the INSERT's error", err)
			}
			break
		}
	}
	err := s.close()
	if err == nil || !strings.Contains(err.Error(), "writing a") || !strings.Contains(strings.ToLower(err.Error()), "constraint") {
		t.Fatalf("close: %v; want the failed INSERT's error", err)
	}
	if err := s.rows("a", 1, one(5)); err == nil {
		t.Error("rows after a failure: no error")
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	if diff := cmp.Diff([]string{"0"}, queryStrings(t, conn, `SELECT i::VARCHAR FROM a ORDER BY i`)); diff != "" {
		t.Errorf("table after the rollback (-want +got):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("files left in the folder: %v", left)
	}
}

// TestStagerAbandonInsertsNothingMore abandons a stager with files queued behind a slow INSERT:
// they are removed, not inserted, so that nothing lands after the caller's ROLLBACK.
func TestStagerAbandonInsertsNothingMore(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, filepath.Join(t.TempDir(), "t.duckdb"))
	for _, q := range []string{`CREATE TABLE a (s VARCHAR, i BIGINT)`, `BEGIN TRANSACTION`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	s := newStager(ctx, conn, dir)
	row := func(i int, rw *rowWriter) {
		rw.str("some text to make the rows longer")
		rw.int64(int64(i))
	}
	for range stagerQueue {
		if err := s.rows("a", 200_000, row); err != nil {
			t.Fatal(err)
		}
	}
	s.abandon()
	s.abandon() // again: nothing
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // an INSERT still queued would land now
	if diff := cmp.Diff([]string{"0"}, queryStrings(t, conn, `SELECT count(*)::VARCHAR FROM a`)); diff != "" {
		t.Errorf("rows after abandon and rollback (-want +got):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("files left in the folder: %v", left)
	}
}

// queryStrings returns the first column of a query's rows.
func queryStrings(t *testing.T, conn *sql.Conn, q string) []string {
	t.Helper()
	r, err := conn.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteParquetFreesItsMemory writes files of several row groups through writeParquet, and
// fails one on a bad row and one on a cancelled context, and requires that every buffer it took
// from stageMemory (C memory, which no garbage collector frees) was given back.
func TestWriteParquetFreesItsMemory(t *testing.T) {
	checked := memory.NewCheckedAllocator(stageMemory)
	saved := stageMemory
	stageMemory = checked
	t.Cleanup(func() { stageMemory = saved })
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	day := time.Date(2020, 5, 17, 0, 0, 0, 0, time.UTC)
	good := func(i int, rw *rowWriter) {
		rw.strOrNull(strings.Repeat("x", i%50))
		rw.int64(int64(i))
		rw.bool(i%3 == 0)
		rw.day(day)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name    string
		ctx     context.Context
		n       int
		row     rowFunc
		wantErr bool
	}{
		{"300,000 rows", context.Background(), 300_000, good, false},
		{"a bad row after two batches", context.Background(), 70_000, func(i int, rw *rowWriter) {
			if i == 69_000 {
				rw.str("x")
				return
			}
			good(i, rw)
		}, true},
		{"cancelled", cancelled, 70_000, good, true},
	} {
		path, err := writeParquet(c.ctx, sc, t.TempDir(), "t", c.n, c.row)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v, want one: %v", c.name, err, c.wantErr)
		}
		if err == nil {
			os.Remove(path)
		}
		if n := checked.CurrentAlloc(); n != 0 {
			t.Errorf("%s: %d bytes of stageMemory not given back", c.name, n)
		}
	}
}

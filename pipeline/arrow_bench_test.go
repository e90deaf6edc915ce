//go:build duckdb_arrow

package pipeline

// The raw-layer write through duckdb-go's Arrow interface, for comparison only: it needs the
// duckdb_arrow build tag, which the product does not use.
//
//	CANVAS_BENCH_WRITERS=parquet,arrow go test -tags duckdb_arrow -run '^$' -bench LoadMach -benchtime 1x ./pipeline/

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

func init() {
	extraRawWriters["arrow"] = func(conn *sql.Conn, table string, sc *arrow.Schema) (rawWriter, error) {
		var ar *duckdb.Arrow
		err := conn.Raw(func(dc any) error {
			var e error
			ar, e = duckdb.NewArrowFromConn(dc.(driver.Conn))
			return e
		})
		if err != nil {
			return nil, err
		}
		cols := make([]string, len(sc.Fields()))
		for i, f := range sc.Fields() {
			cols[i] = `"` + f.Name + `"`
		}
		list := strings.Join(cols, ", ")
		return &arrowRawWriter{conn: conn, ar: ar, sc: sc,
			insert: fmt.Sprintf(`INSERT INTO "%s" (%s) SELECT %s FROM canvas_arrow_batch`, table, list, list)}, nil
	}
}

// arrowRawWriter groups records up to parquetGroupRows rows and inserts each group from a view
// over an Arrow record reader.
type arrowRawWriter struct {
	recordGroup
	conn   *sql.Conn
	ar     *duckdb.Arrow
	sc     *arrow.Schema
	insert string
}

func (w *arrowRawWriter) Write(ctx context.Context, rec arrow.RecordBatch) error {
	if w.add(rec) {
		return w.Flush(ctx)
	}
	return nil
}

func (w *arrowRawWriter) Flush(ctx context.Context) error {
	if len(w.recs) == 0 {
		return nil
	}
	defer w.drop()
	rr, err := array.NewRecordReader(w.sc, w.recs)
	if err != nil {
		return err
	}
	defer rr.Release()
	release, err := w.ar.RegisterView(rr, "canvas_arrow_batch")
	if err != nil {
		return err
	}
	defer release()
	_, err = w.conn.ExecContext(ctx, w.insert)
	return err
}

func (w *arrowRawWriter) Close() error { w.drop(); return nil }

func (w *arrowRawWriter) Do(fn func() error) error { return fn() }

package pipeline

// The raw-layer write through a DuckDB table function (duckdb-go's ChunkTableFunction, no build
// tag) that fills DuckDB data chunks column by column with typed setters, for comparison:
//
//	CANVAS_BENCH_WRITERS=parquet,udf go test -run '^$' -bench LoadMach -benchtime 1x ./pipeline/

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ciatteh/canvas/schema"
	"github.com/duckdb/duckdb-go/v2"
)

var udfSeq atomic.Int64

func init() {
	extraRawWriters["udf"] = func(conn *sql.Conn, table string, sc *arrow.Schema) (rawWriter, error) {
		w := &udfRawWriter{conn: conn, sc: sc}
		infos := make([]duckdb.ColumnInfo, len(sc.Fields()))
		cols := make([]string, len(sc.Fields()))
		for i, f := range sc.Fields() {
			var t duckdb.Type
			switch schema.DuckDBType(f.Type) {
			case "BIGINT":
				t = duckdb.TYPE_BIGINT
			case "DOUBLE":
				t = duckdb.TYPE_DOUBLE
			case "DATE":
				t = duckdb.TYPE_DATE
			case "BOOLEAN":
				t = duckdb.TYPE_BOOLEAN
			default:
				t = duckdb.TYPE_VARCHAR
			}
			ti, err := duckdb.NewTypeInfo(t)
			if err != nil {
				return nil, err
			}
			infos[i] = duckdb.ColumnInfo{Name: f.Name, T: ti}
			cols[i] = `"` + f.Name + `"`
		}
		name := fmt.Sprintf("canvas_raw_udf_%d", udfSeq.Add(1))
		err := duckdb.RegisterTableUDF(conn, name, duckdb.ChunkTableFunction{
			BindArguments: func(map[string]any, ...any) (duckdb.ChunkTableSource, error) {
				return &udfSource{w: w, infos: infos}, nil
			},
		})
		if err != nil {
			return nil, err
		}
		list := strings.Join(cols, ", ")
		w.insert = fmt.Sprintf(`INSERT INTO "%s" (%s) SELECT %s FROM %s()`, table, list, list, name)
		return w, nil
	}
}

// recordGroup buffers records up to parquetGroupRows rows, for the comparison writers that
// insert a group at a time.
type recordGroup struct {
	recs []arrow.RecordBatch
	rows int64
}

// add keeps rec and reports whether the group is full.
func (g *recordGroup) add(rec arrow.RecordBatch) bool {
	if rec.NumRows() == 0 {
		return false
	}
	rec.Retain()
	g.recs = append(g.recs, rec)
	g.rows += rec.NumRows()
	return g.rows >= parquetGroupRows
}

func (g *recordGroup) drop() {
	for _, r := range g.recs {
		r.Release()
	}
	g.recs, g.rows = nil, 0
}

type udfRawWriter struct {
	recordGroup
	conn   *sql.Conn
	sc     *arrow.Schema
	insert string
}

func (w *udfRawWriter) Write(ctx context.Context, rec arrow.RecordBatch) error {
	if w.add(rec) {
		return w.Flush(ctx)
	}
	return nil
}

func (w *udfRawWriter) Flush(ctx context.Context) error {
	if len(w.recs) == 0 {
		return nil
	}
	defer w.drop()
	res, err := w.conn.ExecContext(ctx, w.insert)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != w.rows {
		return fmt.Errorf("udf inserted %d of %d", n, w.rows)
	}
	return nil
}

func (w *udfRawWriter) Close() error             { w.drop(); return nil }
func (w *udfRawWriter) Do(fn func() error) error { return fn() }

// udfSource serves the buffered records of its writer, 2048 rows (a chunk) at a time.
type udfSource struct {
	w        *udfRawWriter
	infos    []duckdb.ColumnInfo
	rec, off int
}

func (s *udfSource) ColumnInfos() []duckdb.ColumnInfo     { return s.infos }
func (s *udfSource) Cardinality() *duckdb.CardinalityInfo { return nil }
func (s *udfSource) Init()                                {}

func (s *udfSource) FillChunk(ch duckdb.DataChunk) error {
	for s.rec < len(s.w.recs) && int64(s.off) >= s.w.recs[s.rec].NumRows() {
		s.rec, s.off = s.rec+1, 0
	}
	if s.rec >= len(s.w.recs) {
		return ch.SetSize(0)
	}
	r := s.w.recs[s.rec]
	n := int(r.NumRows()) - s.off
	if c := duckdb.GetDataChunkCapacity(); n > c {
		n = c
	}
	for c, col := range r.Columns() {
		var err error
		switch a := col.(type) {
		case *array.String:
			for i := 0; i < n && err == nil; i++ {
				if a.IsNull(s.off + i) {
					err = duckdb.SetChunkValue[any](ch, c, i, nil)
				} else {
					err = duckdb.SetChunkValue(ch, c, i, a.Value(s.off+i))
				}
			}
		case *array.Int64:
			for i := 0; i < n && err == nil; i++ {
				if a.IsNull(s.off + i) {
					err = duckdb.SetChunkValue[any](ch, c, i, nil)
				} else {
					err = duckdb.SetChunkValue(ch, c, i, a.Value(s.off+i))
				}
			}
		case *array.Float64:
			for i := 0; i < n && err == nil; i++ {
				if a.IsNull(s.off + i) {
					err = duckdb.SetChunkValue[any](ch, c, i, nil)
				} else {
					err = duckdb.SetChunkValue(ch, c, i, a.Value(s.off+i))
				}
			}
		case *array.Date32:
			for i := 0; i < n && err == nil; i++ {
				if a.IsNull(s.off + i) {
					err = duckdb.SetChunkValue[any](ch, c, i, nil)
				} else {
					err = duckdb.SetChunkValue(ch, c, i, a.Value(s.off+i).ToTime())
				}
			}
		default:
			err = fmt.Errorf("column %d: unsupported Arrow type %s", c, col.DataType())
		}
		if err != nil {
			return err
		}
	}
	s.off += n
	return ch.SetSize(n)
}

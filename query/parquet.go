package query

import (
	"io"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetBatch is the number of rows per record batch (and row group flush).
const parquetBatch = 64 * 1024

// parquetWriter writes Parquet (zstd) through Arrow record batches. Integers, floats, booleans,
// dates and timestamps keep their type; every other type is written as text.
type parquetWriter struct {
	out  io.Writer
	cols []Column
	kind []arrow.DataType
	b    *array.RecordBuilder
	fw   *pqarrow.FileWriter
	n    int
}

// newParquetWriter hides out's Close method: the Parquet writer would close the file or stdout it
// is given, and the caller owns it.
func newParquetWriter(out io.Writer) *parquetWriter {
	return &parquetWriter{out: struct{ io.Writer }{out}}
}

func arrowType(typ string) arrow.DataType {
	switch typ {
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER":
		return arrow.PrimitiveTypes.Int64
	case "FLOAT", "DOUBLE":
		return arrow.PrimitiveTypes.Float64
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMP":
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	if strings.HasPrefix(typ, "DECIMAL") {
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.BinaryTypes.String
}

func (p *parquetWriter) Begin(cols []Column) error {
	p.cols = cols
	fields := make([]arrow.Field, len(cols))
	p.kind = make([]arrow.DataType, len(cols))
	seen := map[string]int{}
	for i, c := range cols {
		name := c.Name
		if seen[name]++; seen[name] > 1 { // Parquet needs distinct names
			name = name + "_" + strings.Repeat("_", seen[name]-1)
		}
		p.kind[i] = arrowType(c.Type)
		fields[i] = arrow.Field{Name: name, Type: p.kind[i], Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	p.b = array.NewRecordBuilder(memory.DefaultAllocator, schema)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	fw, err := pqarrow.NewFileWriter(schema, p.out, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	p.fw = fw
	return nil
}

func (p *parquetWriter) Row(vals []any) error {
	for i, v := range vals {
		fb := p.b.Field(i)
		if v == nil {
			fb.AppendNull()
			continue
		}
		switch b := fb.(type) {
		case *array.BooleanBuilder:
			bv, _ := v.(bool)
			b.Append(bv)
		case *array.Int64Builder:
			f, _ := Number(v)
			switch x := v.(type) {
			case int64:
				b.Append(x)
			case int32:
				b.Append(int64(x))
			case int16:
				b.Append(int64(x))
			case int8:
				b.Append(int64(x))
			case uint8:
				b.Append(int64(x))
			case uint16:
				b.Append(int64(x))
			case uint32:
				b.Append(int64(x))
			default:
				b.Append(int64(f))
			}
		case *array.Float64Builder:
			f, _ := Number(v)
			b.Append(f)
		case *array.Date32Builder:
			t, _ := v.(time.Time)
			b.Append(arrow.Date32FromTime(t))
		case *array.TimestampBuilder:
			t, _ := v.(time.Time)
			b.Append(arrow.Timestamp(t.UnixMicro()))
		case *array.StringBuilder:
			b.Append(Text(v, p.cols[i].Type))
		}
	}
	if p.n++; p.n%parquetBatch == 0 {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter) flush() error {
	rec := p.b.NewRecordBatch()
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	return p.fw.WriteBuffered(rec)
}

func (p *parquetWriter) End() error {
	if err := p.flush(); err != nil {
		return err
	}
	p.b.Release()
	return p.fw.Close()
}

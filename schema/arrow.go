package schema

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// StoreVersion is the version of the restricted store's layout. A store written by another
// version is migrated when a migration exists, or refused with a message (package pipeline).
const StoreVersion = 1

// Lineage returns the columns that lead every raw-layer row: where it came from.
func Lineage() []arrow.Field {
	return []arrow.Field{
		{Name: "run_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "delivery_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	}
}

// Derived returns the columns that follow the contract columns: values the checks compute from a row.
func Derived() []arrow.Field {
	return []arrow.Field{
		// offence is the canvas offence code the row's agency code maps to.
		{Name: "offence", Type: arrow.BinaryTypes.String},
		// dq_flags lists the data-quality problems of optional values ("column: problem"), "; "-separated.
		{Name: "dq_flags", Type: arrow.BinaryTypes.String, Nullable: true},
		// extra holds the unknown extra columns of the delivery as a JSON object.
		{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
	}
}

// ArrowType is the Arrow type of a column kind in the canonical record.
func (k Kind) ArrowType() arrow.DataType {
	switch k {
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Decimal:
		return arrow.PrimitiveTypes.Float64
	default:
		return arrow.BinaryTypes.String
	}
}

// RecordSchema is the canonical record of a source as the adapters yield it: lineage, the
// contract's columns (typed), then the derived columns.
func (s *Source) RecordSchema() *arrow.Schema {
	fields := Lineage()
	for _, c := range s.Columns {
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Kind.ArrowType(), Nullable: !c.Required})
	}
	fields = append(fields, Derived()...)
	md := arrow.NewMetadata([]string{"source", "store_version"}, []string{s.Name, fmt.Sprint(StoreVersion)})
	return arrow.NewSchema(fields, &md)
}

// DuckDBType is the DuckDB column type for an Arrow type of the canonical records.
func DuckDBType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.DATE32:
		return "DATE"
	case arrow.INT64:
		return "BIGINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	default:
		return "VARCHAR"
	}
}

// CreateTableSQL is the DDL of the raw-layer table of a source, made from its record schema.
func (s *Source) CreateTableSQL() string {
	sc := s.RecordSchema()
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", s.Table)
	for i, f := range sc.Fields() {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "  %s %s", f.Name, DuckDBType(f.Type))
		if !f.Nullable {
			b.WriteString(" NOT NULL")
		}
	}
	b.WriteString("\n)")
	return b.String()
}

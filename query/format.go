package query

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Column is a result column: its name and DuckDB type name (INTEGER, VARCHAR, DECIMAL(18,3), ...).
type Column struct {
	Name string
	Type string
}

// Writer receives a result as it streams: the columns once, then each row, then End. The values
// slice passed to Row is reused: a Writer must not keep it.
type Writer interface {
	Begin(cols []Column) error
	Row(vals []any) error
	End() error
}

// Formats lists the output formats, the first being the default.
func Formats() []string { return []string{"table", "csv", "json", "xlsx", "parquet"} }

// NewWriter returns the writer of a format (see Formats) writing to out.
func NewWriter(format string, out io.Writer) (Writer, error) {
	switch format {
	case "table", "":
		return newTableWriter(out), nil
	case "csv":
		return newCSVWriter(out), nil
	case "json":
		return newJSONWriter(out), nil
	case "xlsx":
		return newXLSXWriter(out, "query"), nil
	case "parquet":
		return newParquetWriter(out), nil
	}
	return nil, fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats(), ", "))
}

// Text renders a value as text, the way the table, CSV and XLSX outputs show it; NULL is "".
func Text(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		if strings.HasPrefix(typ, "UUID") && len(x) == 16 {
			return uuidText(x)
		}
		return `\x` + hex.EncodeToString(x)
	case bool:
		return strconv.FormatBool(x)
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return fmt.Sprint(x)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case *big.Int:
		return x.String()
	case time.Time:
		switch {
		case typ == "DATE":
			return x.Format("2006-01-02")
		case strings.HasPrefix(typ, "TIME") && !strings.HasPrefix(typ, "TIMESTAMP"):
			return x.Format("15:04:05.999999")
		case strings.Contains(typ, "TZ") || strings.Contains(typ, "TIME ZONE"):
			return x.Format("2006-01-02 15:04:05.999999Z07:00")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case duckdb.Decimal:
		return x.String()
	case duckdb.UUID:
		return uuidText(x[:])
	case *duckdb.UUID:
		return x.String()
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %d us", x.Months, x.Days, x.Micros)
	}
	return fmt.Sprint(v)
}

func uuidText(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Number returns a value as a float64 when it is a number that fits one exactly enough for a
// spreadsheet; ok is false for anything else.
func Number(v any) (f float64, ok bool) {
	switch x := v.(type) {
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		if x > 1<<53 || x < -(1<<53) {
			return 0, false
		}
		return float64(x), true
	case int:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		if x > 1<<53 {
			return 0, false
		}
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case duckdb.Decimal:
		return x.Float64(), true
	}
	return 0, false
}

// SafeCell defuses a text cell for CSV and spreadsheets: a cell that starts with = + - @ (or a tab
// or carriage return) would be read as a formula, so it gets a leading apostrophe.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

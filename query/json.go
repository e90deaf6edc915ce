package query

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// jsonWriter writes a JSON array of objects, one per row, keyed by column name, streaming.
type jsonWriter struct {
	w    *bufio.Writer
	cols []Column
	keys [][]byte
	n    int
}

func newJSONWriter(out io.Writer) *jsonWriter { return &jsonWriter{w: bufio.NewWriter(out)} }

func (j *jsonWriter) Begin(cols []Column) error {
	j.cols = cols
	j.keys = make([][]byte, len(cols))
	for i, c := range cols {
		k, err := json.Marshal(c.Name)
		if err != nil {
			return err
		}
		j.keys[i] = k
	}
	_, err := j.w.WriteString("[")
	return err
}

func (j *jsonWriter) Row(vals []any) error {
	if j.n > 0 {
		j.w.WriteString(",")
	}
	j.n++
	j.w.WriteString("\n{")
	for i, v := range vals {
		if i > 0 {
			j.w.WriteString(",")
		}
		j.w.Write(j.keys[i])
		j.w.WriteString(":")
		b, err := json.Marshal(jsonValue(v, j.cols[i].Type))
		if err != nil {
			return err
		}
		j.w.Write(b)
	}
	_, err := j.w.WriteString("}")
	return err
}

func (j *jsonWriter) End() error {
	j.w.WriteString("\n]\n")
	return j.w.Flush()
}

// jsonValue maps a DuckDB value to what encoding/json should write: numbers as numbers (big ones
// and decimals as exact JSON numbers), dates as text, nested values as they come.
func jsonValue(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, string, int8, int16, int32, int64, uint8, uint16, uint32, uint64, int:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Text(x, typ)
		}
		return x
	case float32:
		return jsonValue(float64(x), typ)
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(x.String())
	case time.Time, []byte, duckdb.UUID, *duckdb.UUID, duckdb.Interval:
		return Text(x, typ)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e, "")
		}
		return out
	}
	return Text(v, typ)
}

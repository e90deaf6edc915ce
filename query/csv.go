package query

import (
	"encoding/csv"
	"io"
)

// csvWriter writes RFC 4180 CSV with a header row; text cells are defused (SafeCell), numbers are
// written as they are.
type csvWriter struct {
	w    *csv.Writer
	cols []Column
	rec  []string
	n    int
}

func newCSVWriter(out io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(out)} }

func (c *csvWriter) Begin(cols []Column) error {
	c.cols = cols
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = SafeCell(col.Name)
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) Row(vals []any) error {
	for i, v := range vals {
		s := Text(v, c.cols[i].Type)
		if _, isNum := Number(v); !isNum {
			s = SafeCell(s)
		}
		c.rec[i] = s
	}
	if err := c.w.Write(c.rec); err != nil {
		return err
	}
	if c.n++; c.n%1024 == 0 {
		c.w.Flush()
		return c.w.Error()
	}
	return nil
}

func (c *csvWriter) End() error {
	c.w.Flush()
	return c.w.Error()
}

package query

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// tableWriter writes an aligned text table for a terminal. Column widths come from the header and
// the first rows (buffered); later rows stream out with the same widths, wider cells pushing on.
type tableWriter struct {
	w      *bufio.Writer
	cols   []Column
	buf    [][]string
	widths []int
	flushd bool
	n      int
}

const tableSample = 200

func newTableWriter(out io.Writer) *tableWriter { return &tableWriter{w: bufio.NewWriter(out)} }

func (t *tableWriter) Begin(cols []Column) error {
	t.cols = cols
	t.widths = make([]int, len(cols))
	for i, c := range cols {
		t.widths[i] = utf8.RuneCountInString(c.Name)
	}
	return nil
}

func (t *tableWriter) cells(vals []any) []string {
	r := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = "NULL"
			continue
		}
		r[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(Text(v, t.cols[i].Type))
	}
	return r
}

func (t *tableWriter) Row(vals []any) error {
	t.n++
	r := t.cells(vals)
	if !t.flushd {
		for i, s := range r {
			if n := utf8.RuneCountInString(s); n > t.widths[i] {
				t.widths[i] = min(n, 60)
			}
		}
		t.buf = append(t.buf, r)
		if len(t.buf) >= tableSample {
			return t.flushHead()
		}
		return nil
	}
	return t.line(r)
}

func (t *tableWriter) flushHead() error {
	t.flushd = true
	names := make([]string, len(t.cols))
	rule := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.Name
		rule[i] = strings.Repeat("-", t.widths[i])
	}
	if err := t.line(names); err != nil {
		return err
	}
	if err := t.line(rule); err != nil {
		return err
	}
	for _, r := range t.buf {
		if err := t.line(r); err != nil {
			return err
		}
	}
	t.buf = nil
	return nil
}

func (t *tableWriter) line(r []string) error {
	for i, s := range r {
		if i > 0 {
			t.w.WriteString("  ")
		}
		pad := t.widths[i] - utf8.RuneCountInString(s)
		if isNumeric(t.cols[i].Type) && pad > 0 {
			t.w.WriteString(strings.Repeat(" ", pad))
			pad = 0
		}
		if i == len(r)-1 {
			pad = 0
		}
		t.w.WriteString(s)
		if pad > 0 {
			t.w.WriteString(strings.Repeat(" ", pad))
		}
	}
	_, err := t.w.WriteString("\n")
	return err
}

func (t *tableWriter) End() error {
	if !t.flushd {
		if err := t.flushHead(); err != nil {
			return err
		}
	}
	fmt.Fprintf(t.w, "(%d rows)\n", t.n)
	return t.w.Flush()
}

func isNumeric(typ string) bool {
	switch {
	case strings.HasSuffix(typ, "INT"), typ == "INTEGER", typ == "DOUBLE", typ == "FLOAT", typ == "REAL",
		strings.HasPrefix(typ, "DECIMAL"), typ == "HUGEINT", typ == "UHUGEINT":
		return true
	}
	return false
}

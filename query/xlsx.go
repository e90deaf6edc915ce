package query

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// xlsxMaxRows is the row limit of a worksheet, header included.
const xlsxMaxRows = 1_048_576

// xlsxWriter writes one worksheet through excelize's stream writer (rows go to a temporary file,
// not memory). Numbers are numbers; text cells are defused (SafeCell).
type xlsxWriter struct {
	out   io.Writer
	sheet string
	f     *excelize.File
	sw    *excelize.StreamWriter
	cols  []Column
	row   int
	cells []any
}

func newXLSXWriter(out io.Writer, sheet string) *xlsxWriter {
	return &xlsxWriter{out: out, sheet: sheet}
}

func (x *xlsxWriter) Begin(cols []Column) error {
	x.cols = cols
	x.f = excelize.NewFile()
	if err := x.f.SetSheetName("Sheet1", x.sheet); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(x.sheet)
	if err != nil {
		return err
	}
	x.sw = sw
	x.cells = make([]any, len(cols))
	for i, c := range cols {
		x.cells[i] = excelize.Cell{Value: SafeCell(c.Name)}
	}
	x.row = 1
	return x.sw.SetRow("A1", x.cells)
}

func (x *xlsxWriter) Row(vals []any) error {
	x.row++
	if x.row > xlsxMaxRows {
		return fmt.Errorf("an XLSX worksheet holds at most %d rows: use --format csv or parquet, or narrow the query", xlsxMaxRows-1)
	}
	for i, v := range vals {
		if f, ok := Number(v); ok {
			x.cells[i] = f
		} else if v == nil {
			x.cells[i] = nil
		} else {
			x.cells[i] = SafeCell(Text(v, x.cols[i].Type))
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.cells)
}

func (x *xlsxWriter) End() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	defer x.f.Close()
	_, err := x.f.WriteTo(x.out)
	return err
}

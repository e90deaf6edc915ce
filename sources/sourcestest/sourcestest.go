// Package sourcestest reads a delivery whole for tests of package sources and its adapters: rows
// as maps, the quarantine, and the invariant that every data row read is loaded or quarantined.
package sourcestest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
	"github.com/xuri/excelize/v2"
)

// Row is one loaded row: canonical column -> value as text; null values are left out.
type Row map[string]string

// Result is a whole delivery read.
type Result struct {
	Delivery      sources.Delivery
	Rows          []Row
	Quarantine    []sources.Quarantined
	Read, Flagged int
	Batches       int
}

// Now is the fixed date of "in the future" checks in tests.
func Now() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }

// ReadAll opens and reads a delivery with a checked allocator (leaks are errors). Unless set,
// opt.Now is Now(). Lineage columns run_id and delivery_id are left out of rows; sheet and line
// are kept.
func ReadAll(path string, adapters []sources.Adapter, opt sources.Options) (*Result, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opt.Memory = mem
	if opt.Now.IsZero() {
		opt.Now = Now()
	}
	res, err := readAll(path, adapters, opt)
	if n := mem.CurrentAlloc(); n != 0 {
		return res, fmt.Errorf("memory leak: %d bytes still allocated", n)
	}
	return res, err
}

func readAll(path string, adapters []sources.Adapter, opt sources.Options) (*Result, error) {
	ctx := context.Background()
	r, err := sources.Open(ctx, path, adapters, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res := &Result{Delivery: r.Delivery()}
	want := schema.SourceByName(res.Delivery.Source).RecordSchema()
	for {
		b, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		res.Batches++
		if !b.Record.Schema().Equal(want) {
			b.Record.Release()
			return res, fmt.Errorf("record schema %v, want %v", b.Record.Schema(), want)
		}
		if int(b.Record.NumRows())+len(b.Quarantine) != b.Read {
			b.Record.Release()
			return res, fmt.Errorf("invariant broken: %d loaded + %d quarantined != %d read", b.Record.NumRows(), len(b.Quarantine), b.Read)
		}
		res.Rows = append(res.Rows, Rows(b.Record)...)
		res.Quarantine = append(res.Quarantine, b.Quarantine...)
		res.Read += b.Read
		res.Flagged += b.Flagged
		b.Record.Release()
	}
	return res, nil
}

// Rows turns a record into rows of text values.
func Rows(rec arrow.RecordBatch) []Row {
	out := make([]Row, rec.NumRows())
	for i := range out {
		out[i] = Row{}
	}
	for c, col := range rec.Columns() {
		name := rec.ColumnName(c)
		if name == "run_id" || name == "delivery_id" {
			continue
		}
		for i := range out {
			if col.IsNull(i) {
				continue
			}
			switch a := col.(type) {
			case *array.String:
				out[i][name] = a.Value(i)
			case *array.Date32:
				out[i][name] = a.Value(i).FormattedString()
			case *array.Float64:
				out[i][name] = fmt.Sprint(a.Value(i))
			default:
				out[i][name] = col.ValueStr(i)
			}
		}
	}
	return out
}

// Without returns copies of rows without the named columns (lineage, typically).
func Without(rows []Row, columns ...string) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{}
		for k, v := range r {
			out[i][k] = v
		}
		for _, c := range columns {
			delete(out[i], c)
		}
	}
	return out
}

// Formula is a spreadsheet cell holding a formula and the value Excel cached for it.
type Formula struct {
	Expr   string
	Cached string
}

// Sheet is one worksheet to write: rows from A1 down, nil rows left empty.
type Sheet struct {
	Name string
	Rows [][]any
}

// WriteXLSX writes a workbook for fixtures. Cells take strings, numbers (a date given as an int
// is an Excel serial) and Formula values; formulas are stored with their cached value, as Excel
// saves them (excelize writes none).
func WriteXLSX(path string, sheets ...Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	var patches [][2]string
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		for r, row := range sh.Rows {
			for c, v := range row {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				switch v := v.(type) {
				case nil:
				case Formula:
					if err := f.SetCellFormula(sh.Name, cell, v.Expr); err != nil {
						return err
					}
					patches = append(patches, [2]string{"<f>" + v.Expr + "</f>", "<f>" + v.Expr + "</f><v>" + v.Cached + "</v>"})
				default:
					if err := f.SetCellValue(sh.Name, cell, v); err != nil {
						return err
					}
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		return err
	}
	return patchWorksheets(path, patches)
}

// patchWorksheets rewrites the worksheets of a workbook with string replacements.
func patchWorksheets(path string, patches [][2]string) error {
	if len(patches) == 0 {
		return nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if strings.HasPrefix(zf.Name, "xl/worksheets/") {
			for _, p := range patches {
				b = bytes.ReplaceAll(b, []byte(p[0]), []byte(p[1]))
			}
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// Serial is the Excel serial number (1900 date system) of a YYYY-MM-DD date.
func Serial(iso string) int {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return 0
	}
	return int(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// Markers of the generated contract table in an adapter's README.md.
const (
	ContractBegin = "<!-- contract:begin (generated from package schema: go test -update) -->"
	ContractEnd   = "<!-- contract:end -->"
)

// ContractMarkdown renders a source's contract as the adapters' README tables: columns, the
// header names accepted, kinds, required flags and, for enumerations, every accepted spelling.
func ContractMarkdown(src *schema.Source) string {
	var b strings.Builder
	b.WriteString("| column | header names also accepted | type | required | accepted values (spellings -> stored value) |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, c := range src.Columns {
		req := "no"
		if c.Required {
			req = "**yes**"
		}
		kind := c.Kind.String()
		if c.Kind == schema.Code {
			kind = "code (" + c.CodeList + ")"
		}
		vals := ""
		if c.Kind == schema.Enum {
			by := map[string][]string{}
			var canon []string
			for spelling, v := range c.Values {
				if _, ok := by[v]; !ok {
					canon = append(canon, v)
				}
				by[v] = append(by[v], spelling)
			}
			sort.Strings(canon)
			var parts []string
			for _, v := range canon {
				sort.Strings(by[v])
				parts = append(parts, strings.Join(by[v], ", ")+" -> `"+v+"`")
			}
			vals = strings.Join(parts, "; ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Name, strings.Join(c.Aliases, ", "), kind, req, vals)
	}
	return b.String()
}

// CheckREADME compares the contract table of an adapter's README.md with ContractMarkdown; with
// update it rewrites the table.
func CheckREADME(path string, src *schema.Source, update bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, ContractBegin), strings.Index(s, ContractEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no contract markers %q ... %q", path, ContractBegin, ContractEnd)
	}
	want := ContractBegin + "\n" + ContractMarkdown(src) + ContractEnd
	if s[i:j+len(ContractEnd)] == want {
		return nil
	}
	if !update {
		return fmt.Errorf("%s: the contract table is out of date with package schema (run go test -update)", path)
	}
	return os.WriteFile(path, []byte(s[:i]+want+s[j+len(ContractEnd):]), 0o644)
}

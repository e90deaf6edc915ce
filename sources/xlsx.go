package sources

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Unzip limits of XLSX deliveries: a zip bomb is refused instead of filling memory or disk.
// Worksheets larger than xlsxXMLLimit are unpacked to a temporary file and streamed.
const (
	xlsxUnzipLimit = 4 << 30
	xlsxXMLLimit   = 16 << 20
)

// xlsxReader reads one sheet of an XLSX delivery, streaming its rows.
type xlsxReader struct {
	del  Delivery
	f    *excelize.File
	rows *excelize.Rows
	conv *converter
	opt  *Options
	size int64
	line int64 // spreadsheet row of the last row read
	in   rowInput
	done bool
}

func xlsxOptions() excelize.Options {
	return excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxXMLLimit}
}

func openXLSX(ctx context.Context, o *opener) (r Reader, err error) {
	maxRun := int64(o.opt.MaxFieldBytes)
	if maxRun <= 0 {
		maxRun = DefaultMaxFieldBytes
	}
	// A cell's XML is its text plus a little markup: allow some slack over the field limit.
	if err := prescanXLSX(o.path, 2*maxRun+4096); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(o.path, xlsxOptions())
	if err != nil {
		return nil, &FileError{Path: o.path, Expected: "a complete XLSX workbook",
			Found: "a damaged, truncated or unsupported (encrypted?) zip: " + err.Error(),
			Hint:  "the file was probably cut during transfer: ask the partner to deliver it again"}
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	sheets := f.GetSheetList()
	if o.opt.Sheet != "" {
		found := ""
		for _, s := range sheets {
			if s == o.opt.Sheet || (found == "" && strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(o.opt.Sheet))) {
				found = s
			}
		}
		if found == "" {
			return nil, &FileError{Path: o.path, Expected: fmt.Sprintf("a sheet named %q", o.opt.Sheet),
				Found: "the sheets " + quoteList(sheets), Hint: "name one of the workbook's sheets"}
		}
		sheets = []string{found}
	}
	var closest []string
	var closestScore float64 = -1
	for _, sheet := range sheets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, err := f.Rows(sheet)
		if err != nil {
			return nil, xlsxDamaged(o.path, sheet, err)
		}
		line := int64(0)
		for n := 0; n < headerScanRows && rows.Next(); {
			line++
			cells, err := rows.Columns(xlsxOptions())
			if err != nil {
				rows.Close()
				return nil, xlsxDamaged(o.path, sheet, err)
			}
			if blankCells(cells) {
				continue
			}
			n++
			header := append([]string(nil), cells...)
			bm := bestMatch(o.idx, header)
			if o.claimed != "" && !bm.isHeader() {
				for _, h := range o.idx {
					if cm := h.match(header); h.src.Name == o.claimed && cm.isHeader() {
						bm = cm
					}
				}
			}
			if !bm.isHeader() {
				if s := bm.score(); s > closestScore {
					closest, closestScore = header, s
				}
				continue
			}
			m, ferr := recognise(o.path, o.idx, header, o.claimed, o.claimedBy)
			if ferr != nil {
				rows.Close()
				ferr.Found = fmt.Sprintf("(sheet %q, row %d) %s", sheet, line, ferr.Found)
				return nil, ferr
			}
			conv := newConverter(m.src, o.adapterOf(m.src.Name), o.opt.Codes, o.opt, m, header)
			conv.serial, conv.date1904, conv.sheet = true, date1904, sheet
			xr := &xlsxReader{f: f, rows: rows, conv: conv, opt: o.opt, size: o.size, line: line}
			xr.in.delim = ';'
			xr.del = Delivery{Path: o.path, Name: filepath.Base(o.path), Source: m.src.Name, Format: "xlsx", Sheet: sheet,
				HeaderLine: int(line), Header: header}
			xr.del.Mapping, xr.del.Extra = deliveryMapping(m, header, conv)
			return xr, nil
		}
		if err := rows.Error(); err != nil {
			rows.Close()
			return nil, xlsxDamaged(o.path, sheet, err)
		}
		rows.Close()
	}
	if closest == nil {
		return nil, &FileError{Path: o.path, Expected: "a sheet with a header row", Found: "no rows in the sheets " + quoteList(sheets),
			Hint: "check that the export wrote its data, or name the sheet that holds it"}
	}
	ferr := noHeader(o.path, o.idx, closest, o.claimed, o.claimedBy)
	ferr.Found = "in the sheets " + quoteList(sheets) + ": " + ferr.Found
	return nil, ferr
}

func xlsxDamaged(path, sheet string, err error) *FileError {
	return &FileError{Path: path, Expected: "a readable XLSX worksheet", Found: fmt.Sprintf("sheet %q is damaged: %v", sheet, err),
		Hint: "open and save the workbook again, or ask the partner to deliver it again"}
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func blankCells(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (r *xlsxReader) Delivery() Delivery { return r.del }

// BytesRead is the file size once the workbook is open: the zip is read as a whole.
func (r *xlsxReader) BytesRead() int64 { return r.size }

func (r *xlsxReader) Close() error {
	if r.conv != nil {
		r.conv.release()
		r.conv = nil
	}
	if r.f == nil {
		return nil
	}
	r.rows.Close()
	err := r.f.Close()
	r.f = nil
	return err
}

func (r *xlsxReader) Next(ctx context.Context) (*Batch, error) {
	if r.done || r.conv == nil {
		return nil, io.EOF
	}
	b := &Batch{}
	r.conv.reserve(r.opt.BatchSize)
	for b.Read < r.opt.BatchSize {
		if b.Read&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !r.rows.Next() {
			r.done = true
			if err := r.rows.Error(); err != nil {
				rec := r.conv.flush()
				rec.Release()
				return nil, xlsxDamaged(r.del.Path, r.del.Sheet, err)
			}
			break
		}
		r.line++
		cells, err := r.rows.Columns(xlsxOptions())
		if err != nil {
			r.done = true
			rec := r.conv.flush()
			rec.Release()
			return nil, xlsxDamaged(r.del.Path, r.del.Sheet, err)
		}
		if blankCells(cells) {
			continue
		}
		in := &r.in
		in.fields, in.nFields, in.line, in.tooLong, in.nul = cells, len(cells), r.line, -1, false
		for j, c := range cells {
			if len(c) > r.opt.MaxFieldBytes {
				in.tooLong = j
				cells[j] = c[:runeStart(c, r.opt.MaxFieldBytes)]
				break
			}
		}
		b.Read++
		q, flagged := r.conv.convert(in)
		if q != nil {
			b.Quarantine = append(b.Quarantine, *q)
		} else if flagged {
			b.Flagged++
		}
	}
	if b.Read == 0 {
		return nil, io.EOF
	}
	b.Record = r.conv.flush()
	return b, nil
}

package synth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/ciatteh/canvas/schema"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// sink receives the rows of one delivery file.
type sink interface {
	// row writes a canonical row, localised as the file's profile says.
	row(rb *rowBuf) error
	// raw writes cells already localised, in canonical column order (junk rows).
	raw(cells []string) error
	close() error
}

// csvSink writes a CSV delivery file with its profile's delimiter, encoding and line ends.
type csvSink struct {
	p    *profile
	cols []column
	a3   map[string]string
	f    *os.File
	bw   *bufio.Writer
	w    io.Writer
	line []byte
	cell []byte
}

func newCSVSink(path string, p *profile, src *schema.Source, a3 map[string]string) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &csvSink{p: p, cols: columnsOf(src), a3: a3, f: f, bw: bufio.NewWriterSize(f, 1<<18)}
	s.w = s.bw
	switch p.enc {
	case encUTF8BOM:
		s.bw.WriteString("\ufeff")
	case enc1252:
		s.w = charmap.Windows1252.NewEncoder().Writer(s.bw)
	}
	hdr := make([]string, len(src.Columns))
	for i, c := range src.Columns {
		hdr[i] = headerName(c, p.lang, p.style)
	}
	if err := s.write(hdr, nil); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *csvSink) field(v []byte) {
	quote := false
	for _, ch := range v {
		if ch == s.p.delim || ch == '"' || ch == '\n' || ch == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		s.line = append(s.line, v...)
		return
	}
	s.line = append(s.line, '"')
	for _, ch := range v {
		if ch == '"' {
			s.line = append(s.line, '"')
		}
		s.line = append(s.line, ch)
	}
	s.line = append(s.line, '"')
}

func (s *csvSink) eol() error {
	if s.p.crlf {
		s.line = append(s.line, '\r', '\n')
	} else {
		s.line = append(s.line, '\n')
	}
	_, err := s.w.Write(s.line)
	return err
}

// write writes text cells (header or junk) through the column order of the profile.
func (s *csvSink) write(cells []string, extra []string) error {
	s.line = s.line[:0]
	n := 0
	for j := range cells {
		i := j
		if s.p.perm != nil && j < len(s.p.perm) && len(cells) == len(s.p.perm) {
			i = s.p.perm[j]
		}
		if n > 0 {
			s.line = append(s.line, s.p.delim)
		}
		s.field([]byte(cells[i]))
		n++
	}
	if s.p.extra {
		s.line = append(s.line, s.p.delim)
		if extra == nil {
			s.field([]byte(extraHeader(s.p.lang)))
		}
	}
	return s.eol()
}

func extraHeader(lang int) string {
	return [...]string{"remarks", "remarque", "opmerking"}[lang]
}

func (s *csvSink) row(rb *rowBuf) error {
	s.line = s.line[:0]
	for j := 0; j < rb.n(); j++ {
		i := j
		if s.p.perm != nil {
			i = s.p.perm[j]
		}
		if j > 0 {
			s.line = append(s.line, s.p.delim)
		}
		// Localise straight into the line; quote the rare field that needs it afterwards.
		start := len(s.line)
		s.line = s.p.localise(s.line, &s.cols[i], rb.cell(i), s.a3)
		for _, ch := range s.line[start:] {
			if ch == s.p.delim || ch == '"' || ch == '\n' || ch == '\r' {
				s.cell = append(s.cell[:0], s.line[start:]...)
				s.line = s.line[:start]
				s.field(s.cell)
				break
			}
		}
	}
	if s.p.extra {
		s.line = append(s.line, s.p.delim)
	}
	return s.eol()
}

func (s *csvSink) raw(cells []string) error { return s.write(cells, []string{}) }

func (s *csvSink) close() error {
	err := s.bw.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// xlsxSink writes an XLSX delivery file through excelize's stream writer.
type xlsxSink struct {
	p       *profile
	cols    []column
	a3      map[string]string
	path    string
	f       *excelize.File
	sw      *excelize.StreamWriter
	nextRow int
	style   int
	cell    []byte
	vals    []any
}

func newXLSXSink(path string, p *profile, src *schema.Source, a3 map[string]string, ex day) (*xlsxSink, error) {
	f := excelize.NewFile()
	s := &xlsxSink{p: p, cols: columnsOf(src), a3: a3, path: path, f: f, nextRow: 1}
	data := [...]string{"Extract", "Extraction", "Extractie"}[p.lang]
	if p.info {
		if err := f.SetSheetName("Sheet1", "Notes"); err != nil {
			return nil, err
		}
		f.SetCellValue("Notes", "A1", [...]string{"Synthetic extract, see the data sheet", "Extrait synthétique : voir la feuille de données", "Synthetisch extract: zie het gegevensblad"}[p.lang])
		if _, err := f.NewSheet(data); err != nil {
			return nil, err
		}
	} else if err := f.SetSheetName("Sheet1", data); err != nil {
		return nil, err
	}
	st, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return nil, err
	}
	s.style = st
	if s.sw, err = f.NewStreamWriter(data); err != nil {
		return nil, err
	}
	if p.title {
		title := [...]string{"Extract " + src.Name, "Extraction " + src.Name, "Extractie " + src.Name}[p.lang]
		s.setRow([]any{title})
		s.setRow([]any{[...]string{"Extract date", "Date d'extraction", "Extractiedatum"}[p.lang], ex.iso()})
		s.nextRow++
	}
	hdr := make([]any, 0, len(src.Columns)+1)
	for j := range src.Columns {
		i := j
		if p.perm != nil {
			i = p.perm[j]
		}
		hdr = append(hdr, headerName(src.Columns[i], p.lang, p.style))
	}
	if p.extra {
		hdr = append(hdr, extraHeader(p.lang))
	}
	return s, s.setRow(hdr)
}

func (s *xlsxSink) setRow(vals []any) error {
	cell, _ := excelize.CoordinatesToCellName(1, s.nextRow)
	s.nextRow++
	return s.sw.SetRow(cell, vals)
}

func (s *xlsxSink) row(rb *rowBuf) error {
	s.vals = s.vals[:0]
	for j := 0; j < rb.n(); j++ {
		i := j
		if s.p.perm != nil {
			i = s.p.perm[j]
		}
		c := &s.cols[i]
		v := rb.cell(i)
		if len(v) == 0 {
			s.vals = append(s.vals, nil)
			continue
		}
		switch c.kind {
		case schema.Date:
			if s.p.serial {
				y, _ := strconv.Atoi(string(v[0:4]))
				m, _ := strconv.Atoi(string(v[5:7]))
				d, _ := strconv.Atoi(string(v[8:10]))
				s.vals = append(s.vals, excelize.Cell{StyleID: s.style, Value: mkday(y, m, d).excelSerial()})
				continue
			}
		case schema.Int:
			if n, err := strconv.Atoi(string(v)); err == nil {
				s.vals = append(s.vals, n)
				continue
			}
		case schema.Decimal:
			if x, err := strconv.ParseFloat(string(v), 64); err == nil {
				s.vals = append(s.vals, x)
				continue
			}
		}
		s.vals = append(s.vals, string(s.p.localise(s.cell[:0], c, v, s.a3)))
	}
	return s.setRow(s.vals)
}

func (s *xlsxSink) raw([]string) error {
	return fmt.Errorf("synth: junk rows are written to CSV files only")
}

func (s *xlsxSink) close() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	err := s.f.SaveAs(s.path)
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

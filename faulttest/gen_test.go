package faulttest

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file writes deliveries that follow extracts.md (CSV with ;, , or TAB; XLSX with a title
// block), with overlapping re-deliveries, tombstones and a share of bad rows for quarantine. It
// uses its own small writers, not package sources, so that a bug there cannot hide itself.

// Headers of the three extracts, in the contract's English names.
func policeHeader() []string {
	return []string{"fact_id", "pv_number", "registration_date", "fact_date", "district", "police_zone",
		"offence_code", "role", "person_ref", "sex", "birth_year", "citizenship", "exploitation_form", "extract_date", "deleted"}
}

func prosecutionHeader() []string {
	return []string{"case_number", "office", "entry_date", "prevention_code", "pv_numbers", "suspect_ref",
		"sex", "birth_year", "citizenship", "status", "dismissal_reason", "status_date", "joined_to", "extract_date", "deleted"}
}

func machHeader() []string {
	return []string{"record_id", "record_version", "record_status", "source_system", "judgment_id", "court",
		"judgment_date", "instance", "appeal_of", "decision", "final_date", "case_number", "person_id", "national_number",
		"surname", "given_names", "birth_date", "birth_place", "sex", "citizenship", "offence_code", "offence_date",
		"victims", "sentence_type", "prison_months", "suspended", "fine_eur"}
}

// codeLists holds valid codes from the code lists (spec/codes).
type codeLists struct {
	districts, offices, courts, police, prosecution, mach, countries []string
}

func validCodes() codeLists {
	return codeLists{
		districts:   []string{"ANT", "LIM", "BRU", "LEU", "BRW", "OVL", "WVL", "LIE", "LUX", "NAM", "EUP", "HAI"},
		offices:     []string{"ANT", "LIM", "BRU", "HAL", "LEU", "BRW", "OVL", "WVL", "LIE", "LUX", "NAM", "EUP", "CHA", "MOT", "FED"},
		courts:      []string{"TPI-ANT", "TPI-LIM", "TPI-BRU", "TPI-LEU", "TPI-LIE", "CA-BRU", "CA-LIE"},
		police:      []string{"42A1", "42A2", "42A3", "42A4", "42A5", "42B0", "42B1"},
		prosecution: []string{"37A", "37B", "37C", "37D", "37E", "37F", "38A", "38B"},
		mach:        []string{"THB-433Q-SEX", "THB-433Q-LAB", "SMU-77BIS", "SMU-77QUATER", "THB-433OCTIES"},
		countries:   []string{"BE", "ROU", "fra", "NL", "MAR", "SYR", "ER", ""},
	}
}

// table is a delivery's content before it is written: a header and rows of text.
type table struct {
	Header []string
	Rows   [][]string
	Bad    int // rows made to break the contract (they must end in quarantine)
}

// genSpec says what extract to generate: rows keyed from First, a share re-delivering the keys of
// an earlier extract with a later extract date, some tombstones, and a bad row every BadEvery.
type genSpec struct {
	Rows      int
	First     int       // first record number
	Extract   time.Time // extract_date
	Version   int       // MACH record_version
	Redeliver int       // of the rows, how many re-deliver keys from number 0 on
	Tombstone int       // every Tombstone-th re-delivered row is a tombstone (0: none)
	BadEvery  int       // 0: no bad rows
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

func day(r *rand.Rand, year int) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(360))
}

// dateText writes a date in one of the contract's forms.
func dateText(r *rand.Rand, d time.Time) string {
	switch r.IntN(4) {
	case 0:
		return d.Format("02/01/2006")
	case 1:
		return d.Format("02.01.2006")
	default:
		return d.Format("2006-01-02")
	}
}

// keyOf returns the record number of row i: re-delivered keys first, then new ones.
func (g genSpec) keyOf(i int) (n int, redelivered bool) {
	if i < g.Redeliver {
		return i, true
	}
	return g.First + i, false
}

func (g genSpec) tombstone(i int) bool {
	return i < g.Redeliver && g.Tombstone > 0 && i%g.Tombstone == 0
}

func (g genSpec) bad(i int) bool { return g.BadEvery > 0 && i%g.BadEvery == g.BadEvery-1 }

// policeTable generates a police extract.
func policeTable(seed uint64, g genSpec) table {
	r := rand.New(rand.NewPCG(seed, 1))
	t := table{Header: policeHeader()}
	c := validCodes()
	for i := 0; i < g.Rows; i++ {
		n, _ := g.keyOf(i)
		role := "SUSPECT"
		if n%3 == 0 {
			role = "VICTIM"
		}
		off := c.police[n%len(c.police)]
		form := ""
		if role == "VICTIM" && off == "42A1" {
			form = "SEX"
		}
		reg := day(r, 2023)
		deleted := "N"
		if g.tombstone(i) {
			deleted = "Y"
		}
		row := []string{fmt.Sprintf("F%07d", n/2), fmt.Sprintf("PV %d/2023", n/2), dateText(r, reg), dateText(r, reg.AddDate(0, 0, -r.IntN(30))),
			c.districts[n%len(c.districts)], strconv.Itoa(5300 + n%90), off, role, fmt.Sprintf("P%07d", n),
			pick(r, []string{"M", "F", "H", "V", "X", ""}), strconv.Itoa(1950 + r.IntN(55)), pick(r, c.countries), form,
			g.Extract.Format("2006-01-02"), deleted}
		if g.bad(i) {
			t.Bad++
			switch (i / g.BadEvery) % 4 {
			case 0:
				row[4] = "XXX" // unknown district
			case 1:
				row[2] = "31/02/2023" // impossible date
			case 2:
				row[6] = "99Z9" // unknown offence code
			default:
				row[7] = "WITNESS" // not a role of the contract
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// prosecutionTable generates a prosecution extract.
func prosecutionTable(seed uint64, g genSpec) table {
	r := rand.New(rand.NewPCG(seed, 2))
	t := table{Header: prosecutionHeader()}
	c := validCodes()
	statuses := []string{"OPEN", "DISMISSED", "SETTLED", "INVESTIGATION", "REFERRED", "JOINED"}
	for i := 0; i < g.Rows; i++ {
		n, _ := g.keyOf(i)
		entry := day(r, 2023)
		st := statuses[n%len(statuses)]
		reason, joined := "", ""
		switch st {
		case "DISMISSED":
			reason = pick(r, []string{"TECHNICAL", "POLICY", "UNKNOWN_AUTHOR", "OTHER"})
		case "JOINED":
			joined = fmt.Sprintf("C%07d", n/2+1)
		}
		deleted := ""
		if g.tombstone(i) {
			deleted = "Y"
		}
		row := []string{fmt.Sprintf("C%07d", n/2), c.offices[n%len(c.offices)], dateText(r, entry), c.prosecution[n%len(c.prosecution)],
			fmt.Sprintf("PV %d/2023|PV %d/2023", n/2, n/2+1), fmt.Sprintf("S%07d", n), pick(r, []string{"M", "F", ""}),
			strconv.Itoa(1950 + r.IntN(55)), pick(r, c.countries), st, reason, dateText(r, entry.AddDate(0, 0, r.IntN(60))), joined,
			g.Extract.Format("02/01/2006"), deleted}
		if g.bad(i) {
			t.Bad++
			switch (i / g.BadEvery) % 3 {
			case 0:
				row[1] = "XXX" // unknown office
			case 1:
				row[9] = "MAYBE" // not a status of the contract
			default:
				row[3] = "" // required prevention code missing
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// machTable generates a conviction extract.
func machTable(seed uint64, g genSpec) table {
	r := rand.New(rand.NewPCG(seed, 3))
	t := table{Header: machHeader()}
	c := validCodes()
	for i := 0; i < g.Rows; i++ {
		n, _ := g.keyOf(i)
		jd := day(r, 2022)
		status := "ACTIVE"
		if g.tombstone(i) {
			status = "CANCELLED"
		}
		version := g.Version
		row := []string{fmt.Sprintf("R%08d", n), strconv.Itoa(version), status, pick(r, []string{"MACH", "LEGACY"}),
			fmt.Sprintf("J/%d/2022", n/3), c.courts[n%len(c.courts)], dateText(r, jd), "FIRST", "",
			pick(r, []string{"CONVICTION", "SUSPENSION", "ACQUITTAL"}), dateText(r, jd.AddDate(0, 2, 0)), fmt.Sprintf("C%07d", n/2),
			fmt.Sprintf("M%07d", n/3), "", fmt.Sprintf("Surname %d", n/3), "Jean-Pierre", dateText(r, day(r, 1980)), "Liège",
			pick(r, []string{"M", "F"}), pick(r, c.countries), c.mach[n%len(c.mach)], dateText(r, jd.AddDate(0, -6, 0)),
			strconv.Itoa(r.IntN(5)), "PRISON", strconv.Itoa(r.IntN(60)), pick(r, []string{"N", "Y", "PARTIAL"}),
			pick(r, []string{"1234.50", "1234,50", "1.234,50", ""})}
		if g.bad(i) {
			t.Bad++
			switch (i / g.BadEvery) % 3 {
			case 0:
				row[5] = "XXX" // unknown court
			case 1:
				row[9] = "MAYBE" // not a decision of the contract
			default:
				row[6] = "2022-13-45" // impossible date
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// writeCSV writes a table as CSV with RFC 4180 quoting, the given delimiter and line end.
func writeCSV(t testing.TB, path string, tb table, delim byte, crlf bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	line := func(fields []string) {
		for i, v := range fields {
			if i > 0 {
				w.WriteByte(delim)
			}
			if strings.ContainsAny(v, string(delim)+"\"\r\n") {
				w.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			} else {
				w.WriteString(v)
			}
		}
		w.WriteString(eol)
	}
	line(tb.Header)
	for _, r := range tb.Rows {
		line(r)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// xlsxPart is one file of an XLSX package.
type xlsxPart struct {
	Name string
	Body func(w io.Writer) error
}

// Fixed parts of a one-sheet workbook.
const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	xlsxSheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`
	xlsxSheetTail = `</sheetData></worksheet>`
	xlsxEmptySST  = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>`
)

func xlsxWorkbook(sheet string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` +
		xmlEscape(sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func constPart(name, body string) xlsxPart {
	return xlsxPart{Name: name, Body: func(w io.Writer) error { _, err := io.WriteString(w, body); return err }}
}

// xlsxParts returns the parts of a one-sheet workbook whose sheet XML is written by sheet and
// whose shared-string table by sst (nil: empty).
func xlsxParts(sheetName string, sheet, sst func(w io.Writer) error) []xlsxPart {
	if sst == nil {
		sst = func(w io.Writer) error { _, err := io.WriteString(w, xlsxEmptySST); return err }
	}
	return []xlsxPart{
		constPart("[Content_Types].xml", xlsxContentTypes),
		constPart("_rels/.rels", xlsxRootRels),
		constPart("xl/workbook.xml", xlsxWorkbook(sheetName)),
		constPart("xl/_rels/workbook.xml.rels", xlsxWorkbookRels),
		{Name: "xl/sharedStrings.xml", Body: sst},
		{Name: "xl/worksheets/sheet1.xml", Body: sheet},
	}
}

// writeZip writes parts as a deflated zip archive.
func writeZip(t testing.TB, path string, parts []xlsxPart) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.Create(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := p.Body(bw); err != nil {
			t.Fatalf("%s: %s: %v", path, p.Name, err)
		}
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// colName returns the spreadsheet column letters of a 0-based index.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// sheetRows writes table rows as sheet XML rows from spreadsheet row first, cells as inline
// strings, except values of dateCols in YYYY-MM-DD form, written as Excel serial numbers.
func sheetRows(w io.Writer, first int, rows [][]string, dateCols map[int]bool) error {
	bw := bufio.NewWriter(w)
	for i, row := range rows {
		n := first + i
		fmt.Fprintf(bw, `<row r="%d">`, n)
		for c, v := range row {
			if v == "" {
				continue
			}
			ref := colName(c) + strconv.Itoa(n)
			if d, err := time.Parse("2006-01-02", v); err == nil && dateCols[c] {
				serial := d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
				fmt.Fprintf(bw, `<c r="%s"><v>%d</v></c>`, ref, int(serial))
				continue
			}
			fmt.Fprintf(bw, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, xmlEscape(v))
		}
		bw.WriteString(`</row>`)
	}
	return bw.Flush()
}

// writeXLSX writes a table as a one-sheet workbook with a two-line title block above the header;
// dates of the columns in dateCols become Excel serial numbers.
func writeXLSX(t testing.TB, path, sheetName string, tb table, dateCols map[int]bool) {
	t.Helper()
	sheet := func(w io.Writer) error {
		io.WriteString(w, xlsxSheetHead)
		title := [][]string{{"Extract for CIATTEH"}, {"generated by faulttest"}, tb.Header}
		if err := sheetRows(w, 1, title, nil); err != nil {
			return err
		}
		if err := sheetRows(w, 4, tb.Rows, dateCols); err != nil {
			return err
		}
		_, err := io.WriteString(w, xlsxSheetTail)
		return err
	}
	writeZip(t, path, xlsxParts(sheetName, sheet, nil))
}

// deliveryFile is one generated delivery and what the test knows of it.
type deliveryFile struct {
	Name string
	Rows int // data rows
	Bad  int // rows that must be quarantined
}

// writeDeliverySet writes a delivery set of about total rows into dir: police, prosecution and
// MACH CSVs in three delimiters and two line ends, re-deliveries with later extracts and
// tombstones, and police and MACH XLSX workbooks. Names sort in delivery order.
func writeDeliverySet(t testing.TB, dir string, total int) []deliveryFile {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	unit := total / 20
	if unit < 10 {
		unit = 10
	}
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	type spec struct {
		name  string
		make  func(uint64, genSpec) table
		g     genSpec
		write func(path string, tb table)
	}
	csv := func(delim byte, crlf bool) func(string, table) {
		return func(p string, tb table) { writeCSV(t, p, tb, delim, crlf) }
	}
	xlsx := func(dates map[int]bool) func(string, table) {
		return func(p string, tb table) { writeXLSX(t, p, "Extract", tb, dates) }
	}
	specs := []spec{
		{"01_police_20250101.csv", policeTable, genSpec{Rows: 4 * unit, First: 0, Extract: d("2025-01-01"), BadEvery: 97}, csv(';', true)},
		{"02_prosecution_20250101.csv", prosecutionTable, genSpec{Rows: 3 * unit, First: 0, Extract: d("2025-01-01"), BadEvery: 89}, csv(',', false)},
		{"03_mach_20250101.csv", machTable, genSpec{Rows: 3 * unit, First: 0, Version: 1, Extract: d("2025-01-01"), BadEvery: 83}, csv('\t', false)},
		{"04_police_20250201.csv", policeTable, genSpec{Rows: 3 * unit, First: 4 * unit, Redeliver: unit / 2, Tombstone: 7, Extract: d("2025-02-01"), BadEvery: 101}, csv(';', false)},
		{"05_police_20250215.xlsx", policeTable, genSpec{Rows: unit, First: 8 * unit, Redeliver: unit / 4, Tombstone: 5, Extract: d("2025-02-15"), BadEvery: 53}, xlsx(map[int]bool{2: true, 13: true})},
		{"06_prosecution_20250201.csv", prosecutionTable, genSpec{Rows: 2 * unit, First: 3 * unit, Redeliver: unit / 2, Tombstone: 6, Extract: d("2025-02-01"), BadEvery: 79}, csv(';', true)},
		{"07_mach_20250201.csv", machTable, genSpec{Rows: 2 * unit, First: 3 * unit, Version: 2, Redeliver: unit / 2, Tombstone: 9, Extract: d("2025-02-01"), BadEvery: 71}, csv(',', true)},
		{"08_mach_20250215.xlsx", machTable, genSpec{Rows: unit, First: 6 * unit, Version: 3, Redeliver: unit / 4, Tombstone: 4, Extract: d("2025-02-15"), BadEvery: 61}, xlsx(map[int]bool{6: true})},
		{"09_police_20250301.csv", policeTable, genSpec{Rows: unit, First: 10 * unit, Redeliver: unit / 3, Extract: d("2025-03-01"), BadEvery: 0}, csv(',', false)},
	}
	var out []deliveryFile
	for i, s := range specs {
		tb := s.make(uint64(i+1), s.g)
		// The name prefix gives the source; within a source, names sort in delivery order.
		name := s.name[3:]
		name = fmt.Sprintf("%s_%02d%s", strings.TrimSuffix(name, filepath.Ext(name)), i+1, filepath.Ext(name))
		s.write(filepath.Join(dir, name), tb)
		out = append(out, deliveryFile{Name: name, Rows: len(tb.Rows), Bad: tb.Bad})
	}
	return out
}

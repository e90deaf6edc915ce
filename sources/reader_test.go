package sources_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

func rowsOf(rows []sourcestest.Row) []map[string]string {
	out := make([]map[string]string, len(rows))
	for i, r := range sourcestest.Without(rows, "sheet", "line", "extra", "dq_flags") {
		out[i] = r
	}
	return out
}

// TestVariants reads the same police delivery in every accepted variant: each gives the same
// canonical rows.
func TestVariants(t *testing.T) {
	tests := []struct {
		file               string
		format, enc, delim string
		sheet              string
		headerLine         int
		lines              []string // line (and sheet) of each row
		extra              []string
	}{
		{"police_en_semicolon_lf.csv", "csv", "utf-8", ";", "", 1, []string{"2", "3", "5", "7"}, []string{"remark"}},
		{"police_fr_comma_crlf_bom.csv", "csv", "utf-8-bom", ",", "", 1, []string{"2", "3", "5", "6"}, []string{"Remarque"}},
		{"police_nl_tab_cp1252_crlf.csv", "csv", "windows-1252", "\t", "", 1, []string{"2", "3", "5", "6"}, []string{"Opmerking"}},
		{"police_fr_semicolon_cp1252.csv", "csv", "windows-1252", ";", "", 1, []string{"2", "3", "5", "6"}, []string{"Remarque"}},
		{"police_title_block.csv", "csv", "utf-8", ";", "", 4, []string{"5", "6", "8", "9"}, []string{"remark"}},
		{"police_fr_title.xlsx", "xlsx", "", "", "Extraction", 4, []string{"5", "6", "7", "8"}, []string{"Remarque"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := sourcestest.ReadAll(filepath.Join("testdata", tt.file), all.Adapters(), sources.Options{})
			if err != nil {
				t.Fatal(err)
			}
			d := res.Delivery
			if d.Source != "police" || d.Format != tt.format || d.Encoding != tt.enc || d.Delimiter != tt.delim ||
				d.Sheet != tt.sheet || d.HeaderLine != tt.headerLine {
				t.Errorf("delivery = %+v", d)
			}
			if diff := cmp.Diff(tt.extra, d.Extra); diff != "" {
				t.Errorf("extra columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantPolice(), rowsOf(res.Rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var lines []string
			for _, r := range res.Rows {
				lines = append(lines, r["line"])
				if r["sheet"] != tt.sheet {
					t.Errorf("sheet %q, want %q", r["sheet"], tt.sheet)
				}
			}
			if diff := cmp.Diff(tt.lines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if res.Read != 4 || len(res.Quarantine) != 0 || res.Flagged != 0 {
				t.Errorf("read %d, quarantined %v, flagged %d", res.Read, res.Quarantine, res.Flagged)
			}
			// the quoted field with a delimiter, quotes and a line break is kept whole in extra
			if got := res.Rows[1]["extra"]; !strings.Contains(got, `see; \"file\"\nline two`) {
				t.Errorf("extra of row 2 = %s", got)
			}
		})
	}
}

// TestBadRows: rows that cannot be counted go to quarantine with line, column, value and
// reason; rows with bad optional values are loaded with flags.
func TestBadRows(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "police_bad_rows.csv"), all.Adapters(), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type q struct {
		Line                  int64
		Column, Value, Reason string
	}
	var got []q
	for _, x := range res.Quarantine {
		got = append(got, q{x.Line, x.Column, x.Value, x.Reason})
		if x.Raw == "" {
			t.Errorf("line %d: no raw text", x.Line)
		}
	}
	want := []q{
		{2, "district", "XXX", "unknown district code"},
		{3, "offence_code", "99Z9", "unknown offence code for police (not in offence_map.csv nor a canvas offence code)"},
		{4, "registration_date", "31/02/2023", "unparseable date"},
		{5, "role", "WITNESS", "unknown value, expected one of SUSPECT, VICTIM"},
		{6, "person_ref", "", "required value missing"},
		{7, "", "", "too many fields: 16, the header has 15"},
		{8, "", "", "too few fields: 9, the header has 15"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quarantine (-want +got):\n%s", diff)
	}
	if res.Read != 9 || len(res.Rows) != 2 || res.Flagged != 2 {
		t.Fatalf("read %d, loaded %d, flagged %d", res.Read, len(res.Rows), res.Flagged)
	}
	wantRows := []sourcestest.Row{
		{"fact_id": "F8", "pv_number": "PV8", "registration_date": "2023-01-05", "district": "BRU", "offence_code": "42A1",
			"role": "VICTIM", "person_ref": "P8", "extract_date": "2024-01-01", "offence": "THB-433Q-SEX", "line": "9",
			"dq_flags": "fact_date: unparseable date (2023-99-01); sex: unknown value, expected one of F, M, U, X (Q); " +
				"birth_year: not an integer (19x0); citizenship: unknown country (ZZ); " +
				"exploitation_form: unknown value, expected one of BEG, CRIM, LAB, ORG, OTH, SEX (FOO); deleted: unknown value, expected one of N, Y (MAYBE)"},
		{"fact_id": "F9", "pv_number": "PV9", "registration_date": "2023-01-05", "district": "BRU", "offence_code": "42A1",
			"role": "VICTIM", "person_ref": "P9", "extract_date": "2024-01-01", "offence": "THB-433Q-SEX", "line": "10",
			"dq_flags": "birth_year: birth year before 1900 (1850)"},
	}
	if diff := cmp.Diff(wantRows, res.Rows); diff != "" {
		t.Errorf("loaded rows (-want +got):\n%s", diff)
	}
}

// TestRefused: files that break the contract as a whole are refused with a FileError that names
// the file, what was expected and found, and what to do.
func TestRefused(t *testing.T) {
	tests := []struct {
		file   string
		opt    sources.Options
		found  string // in FileError.Found
		atNext bool   // refused while reading rather than at Open
	}{
		{"empty.csv", sources.Options{}, "an empty file", false},
		{"police_binary.csv", sources.Options{}, "binary data", false},
		{"police_truncated.xlsx", sources.Options{}, "truncated", false},
		{"bad_missing_column.csv", sources.Options{Source: "police"}, "missing district, offence_code", false},
		{"bad_missing_column.csv", sources.Options{}, "missing district, offence_code", false},
		{"police_wrong_source.csv", sources.Options{}, "header row of a mach extract", false},
		{"unrecognised.csv", sources.Options{}, "no header row in the first 50 rows", false},
		{"police_fr_title.xlsx", sources.Options{Sheet: "Missing"}, `the sheets "Extraction", "Notes"`, false},
		{"police_fr_title.xlsx", sources.Options{Sheet: "Notes"}, "no such row; the closest holds nothing here (0 of 8", false},
		{"police_unterminated_quote.csv", sources.Options{}, "opened at line 3 is never closed", true},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.opt.Source+tt.opt.Sheet, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			ctx := context.Background()
			r, err := sources.Open(ctx, path, all.Adapters(), tt.opt)
			if err == nil {
				defer r.Close()
				if !tt.atNext {
					t.Fatalf("Open accepted %s", tt.file)
				}
				for err == nil {
					var b *sources.Batch
					b, err = r.Next(ctx)
					if b != nil {
						b.Record.Release()
					}
				}
			}
			var fe *sources.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FileError", err, err)
			}
			if !strings.Contains(fe.Found, tt.found) || fe.Path != path || fe.Expected == "" || fe.Hint == "" {
				t.Errorf("FileError %+v, want Found containing %q", fe, tt.found)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("message %q does not name the file", err)
			}
		})
	}
}

func TestHeaderOnly(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "header_only.csv"), all.Adapters(), sources.Options{Source: "police"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 0 || len(res.Rows) != 0 || len(res.Quarantine) != 0 || res.Delivery.Source != "police" {
		t.Errorf("header-only delivery: %+v", res)
	}
}

// TestFieldTooLong: a field longer than MaxFieldBytes quarantines its row and memory stays bounded.
func TestFieldTooLong(t *testing.T) {
	p := filepath.Join(t.TempDir(), "police_long.csv")
	h := strings.Join(policeHeaders["en"][:15], ";")
	long := strings.Repeat("x", 5000)
	text := h + "\nF1;PV1;2023-01-05;;BRU;;42A1;VICTIM;" + long + ";;;;;2024-01-01;\n" +
		"F2;PV2;2023-01-05;;BRU;;42A1;VICTIM;P2;;;;;2024-01-01;\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{MaxFieldBytes: 1000, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Quarantine) != 1 || res.Quarantine[0].Column != "person_ref" || res.Quarantine[0].Line != 2 ||
		!strings.Contains(res.Quarantine[0].Reason, "field too long") || len(res.Quarantine[0].Raw) > 2000 {
		t.Errorf("quarantine %+v", res.Quarantine)
	}
	if len(res.Rows) != 1 || res.Read != 2 || res.Batches != 2 {
		t.Errorf("rows %v read %d batches %d", res.Rows, res.Read, res.Batches)
	}
}

// TestRecognition: the source comes from Options.Source, else the file name prefix, else the
// header row.
func TestRecognition(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "police_en_semicolon_lf.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"export.csv", "POLICE_2024.csv", "delivery.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{})
		if err != nil || res.Delivery.Source != "police" || len(res.Rows) != 4 {
			t.Errorf("%s: %v %+v", name, err, res)
		}
	}
	// named mach by the prefix, police by the header: refused
	p := filepath.Join(dir, "mach_2024.csv")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sources.Open(context.Background(), p, all.Adapters(), sources.Options{})
	var fe *sources.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "not the source it claims") {
		t.Errorf("mach_ file with a police header: %v", err)
	}
	// forced source wins over the name
	_, err = sources.Open(context.Background(), p, all.Adapters(), sources.Options{Source: "prosecution"})
	if !errors.As(err, &fe) || !strings.Contains(fe.Expected, "prosecution") {
		t.Errorf("forced prosecution on a police file: %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sources.Open(ctx, filepath.Join("testdata", "police_en_semicolon_lf.csv"), all.Adapters(), sources.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Open: %v", err)
	}
}

// FuzzReadCSV reads arbitrary bytes after a police header row: no panic, no leak, every data row
// loaded or quarantined, and any refusal a *FileError.
func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"F1;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n",
		"F1;\"PV;1\";05/01/2023;;bru;;42a1;victime;\"P\n1\";H;1990;BEL;SEX;2024-01-01;N\r\n\r\nF2;PV2\n",
		"\"unterminated\n", "\x00\x01\x02", "a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q\n;;;;\n",
		"F1;PV1;2023-02-30;2023-99-99;BRU;;42A1;VICTIM;P1;Q;-5;ZZZ;FOO;2024-01-01;MAYBE\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	header := strings.Join(policeHeaders["en"][:15], ";") + "\n"
	codes := schema.MustCodes()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "police_fuzz.csv")
		if err := os.WriteFile(p, append([]byte(header), data...), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{MaxFieldBytes: 256, BatchSize: 3, Codes: codes})
		var fe *sources.FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		if res.Read != len(res.Rows)+len(res.Quarantine) {
			t.Fatalf("read %d, loaded %d, quarantined %d", res.Read, len(res.Rows), len(res.Quarantine))
		}
		// everything written to the store is valid text (DuckDB refuses invalid UTF-8)
		for _, q := range res.Quarantine {
			for _, s := range []string{q.Raw, q.Column, q.Value, q.Reason} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("quarantine %+v holds invalid text", q)
				}
			}
		}
		for _, r := range res.Rows {
			for k, v := range r {
				if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
					t.Fatalf("row %s = %q is invalid text", k, v)
				}
			}
		}
	})
}

// TestBatchSizes: batch and block boundaries change nothing in what is read.
func TestBatchSizes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "police_many.csv")
	b, err := os.ReadFile(filepath.Join("testdata", "police_bad_rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	content := lines[0]
	for i := 0; i < 60; i++ {
		content += strings.Join(lines[1:], "")
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Read != 540 || len(want.Quarantine) != 420 {
		t.Fatalf("read %d quarantined %d", want.Read, len(want.Quarantine))
	}
	for _, size := range []int{1, 7, 128, 129, 1000} {
		got, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{BatchSize: size})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.Rows, got.Rows); diff != "" {
			t.Errorf("batch size %d: rows (-want +got):\n%s", size, diff)
		}
		if diff := cmp.Diff(want.Quarantine, got.Quarantine); diff != "" {
			t.Errorf("batch size %d: quarantine (-want +got):\n%s", size, diff)
		}
		if wantBatches := (540 + size - 1) / size; got.Batches != wantBatches {
			t.Errorf("batch size %d: %d batches, want %d", size, got.Batches, wantBatches)
		}
	}
}

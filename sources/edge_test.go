package sources_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/ciatteh/canvas/sources/police"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

const policeHeader = "fact_id;pv_number;registration_date;fact_date;district;police_zone;offence_code;role;person_ref;sex;birth_year;citizenship;exploitation_form;extract_date;deleted"

// TestEdgeCases: CSV corner cases, each with the rows loaded (a few columns) and quarantined.
func TestEdgeCases(t *testing.T) {
	type q struct {
		Line         int64
		Column, Raw  string
		ReasonPrefix string
	}
	tests := []struct {
		name    string
		content string
		opt     sources.Options
		rows    []sourcestest.Row // projected on the keys of the wanted rows
		loaded  int               // rows loaded, when rows is nil
		quar    []q
	}{
		{
			name:    "BOM on a Windows-1252 file",
			content: "\xEF\xBB\xBF" + policeHeader + "\nF1;PV1;2023-01-05;;BRU;;42A1;VICTIM;R\xe9f;;;;;2024-01-01;\n",
			rows:    []sourcestest.Row{{"fact_id": "F1", "person_ref": "Réf"}},
		},
		{
			name:    "duplicate and unnamed columns go to extra",
			content: policeHeader + ";district;;note\nF1;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;;ANT;x;\n",
			rows:    []sourcestest.Row{{"district": "BRU", "extra": `{"district":"ANT","column_17":"x"}`}},
		},
		{
			name:    "NUL byte in a row after the first bytes",
			content: policeHeader + "\n" + strings.Repeat("F0;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n", 200) + "F1;PV\x001;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n",
			loaded:  200,
			quar:    []q{{202, "", `F1;PV\x001;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;`, "the row holds a NUL byte"}},
		},
		{
			name:    "quoted fields in the raw text of a quarantined row",
			content: policeHeader + "\n\"F;1\";\"PV\n1\";2023-01-05;;XXX;;42A1;VICTIM;P1;;;;;2024-01-01;\n",
			quar:    []q{{2, "district", "\"F;1\";\"PV\n1\";2023-01-05;;XXX;;42A1;VICTIM;P1;;;;;2024-01-01;", "unknown district code"}},
		},
		{
			name:    "several problems in one row",
			content: policeHeader + "\nF1;PV1;2023-13-05;;XXX;;42A1;;P1;;;;;2024-01-01;\n",
			quar:    []q{{2, "registration_date", "F1;PV1;2023-13-05;;XXX;;42A1;;P1;;;;;2024-01-01;", "unparseable date; district: unknown district code (XXX); role: required value missing"}},
		},
		{
			name:    "blank rows of delimiters are not data rows",
			content: policeHeader + "\n;;;;;;;;;;;;;;\n  \nF1;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n",
			rows:    []sourcestest.Row{{"fact_id": "F1", "line": "4"}},
		},
		{
			name:    "lone CR line ends",
			content: policeHeader + "\rF1;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\rF2;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;",
			rows:    []sourcestest.Row{{"fact_id": "F1", "line": "2"}, {"fact_id": "F2", "line": "3"}},
		},
		{
			name:    "offence code valid on the fact date",
			content: policeHeader + "\nF1;PV1;2023-01-05;2022-12-01;BRU;;42b1;VICTIM;P1;;;;;2024-01-01;\n",
			rows:    []sourcestest.Row{{"offence_code": "42B1", "offence": "SMU-77QUATER"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "police_edge.csv")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := sourcestest.ReadAll(p, all.Adapters(), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var rows []sourcestest.Row
			for i, r := range res.Rows {
				got := sourcestest.Row{}
				if i < len(tt.rows) {
					for k := range tt.rows[i] {
						if v, ok := r[k]; ok {
							got[k] = v
						}
					}
				}
				rows = append(rows, got)
			}
			if tt.rows == nil && len(rows) == tt.loaded {
				rows = nil
			}
			if diff := cmp.Diff(tt.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var quar []q
			for _, x := range res.Quarantine {
				reason := x.Reason
				for _, w := range tt.quar {
					if strings.HasPrefix(x.Reason, w.ReasonPrefix) {
						reason = w.ReasonPrefix
					}
				}
				quar = append(quar, q{x.Line, x.Column, x.Raw, reason})
			}
			if diff := cmp.Diff(tt.quar, quar); diff != "" {
				t.Errorf("quarantine (-want +got):\n%s", diff)
			}
		})
	}
}

// TestXLSXEdge: a 1904-date workbook, a value beyond the header, an over-long cell.
func TestXLSXEdge(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "delivery.xlsx")
	hdr := strings.Split(policeHeader, ";")
	row := func(id string, reg any) []any {
		r := []any{id, "PV1", reg, nil, "BRU", nil, "42A1", "VICTIM", "P1", nil, nil, nil, nil, "2024-01-01"}
		return r
	}
	long := strings.Repeat("é", 600) // 1200 bytes
	tooMany := append(row("F2", "2023-01-05"), nil, "beyond the header")
	tooLong := row("F3", "2023-01-05")
	tooLong[8] = long
	rows := [][]any{toAny(hdr), row("F1", 43465), tooMany, tooLong}
	if err := sourcestest.WriteXLSX(p, sourcestest.Sheet{Name: "Data", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{MaxFieldBytes: 1001})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0]["registration_date"] != "2023-01-01" || res.Rows[0]["sheet"] != "Data" {
		t.Errorf("rows %v (serial 43465 in the 1904 system is 2023-01-01)", res.Rows)
	}
	if len(res.Quarantine) != 2 || !strings.HasPrefix(res.Quarantine[0].Reason, "too many fields: 16") ||
		res.Quarantine[1].Column != "person_ref" || !strings.HasPrefix(res.Quarantine[1].Reason, "field too long") ||
		res.Quarantine[1].Line != 4 || res.Quarantine[1].Sheet != "Data" || len(res.Quarantine[1].Raw) > 1100 {
		t.Errorf("quarantine %+v", res.Quarantine)
	}
}

func TestCancelWhileReading(t *testing.T) {
	p := filepath.Join(t.TempDir(), "police_many.csv")
	content := policeHeader + "\n" + strings.Repeat("F1;PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n", 5000)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := sources.Open(ctx, p, all.Adapters(), sources.Options{BatchSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := r.Next(ctx)
	if err != nil || b.Read != 1000 {
		t.Fatalf("first batch: %v", err)
	}
	b.Record.Release()
	if r.BytesRead() <= 0 {
		t.Error("no progress reported")
	}
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel: %v", err)
	}
}

// strictPolice is the police adapter with two extra checks, to test what adapters may do.
type strictPolice struct{ sources.Adapter }

func (s strictPolice) CheckRow(r *sources.CheckedRow) {
	s.Adapter.CheckRow(r)
	if r.Text("fact_id") == "F2" {
		r.Reject("fact_id", "reserved fact id") // required: quarantines
	}
	if r.Text("fact_id") == "F3" {
		r.Quarantine("pv_number", "withdrawn report")
	}
}

func TestAdapterQuarantine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "police_adapter.csv")
	content := policeHeader + "\n"
	for _, id := range []string{"F1", "F2", "F3"} {
		content += id + ";PV1;2023-01-05;;BRU;;42A1;VICTIM;P1;;;;;2024-01-01;\n"
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := sourcestest.ReadAll(p, []sources.Adapter{strictPolice{police.New()}}, sources.Options{})
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
	}
	want := []q{{3, "fact_id", "F2", "reserved fact id"}, {4, "pv_number", "PV1", "withdrawn report"}}
	if diff := cmp.Diff(want, got); diff != "" || len(res.Rows) != 1 {
		t.Errorf("quarantine (-want +got):\n%s\nrows %v", diff, res.Rows)
	}
}

func TestSheetNamedLoosely(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "police_fr_title.xlsx"), all.Adapters(), sources.Options{Sheet: " extraction"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivery.Sheet != "Extraction" || len(res.Rows) != 4 {
		t.Errorf("sheet %q, %d rows", res.Delivery.Sheet, len(res.Rows))
	}
}

package mach_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/ciatteh/canvas/sources/mach"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

// update rewrites testdata/casier_nl_title.xlsx (go test ./sources/mach -update).
var update = flag.Bool("update", false, "rewrite the XLSX fixture in testdata/ and the contract table of README.md")

// TestChecks pins the conviction row checks of README.md.
func TestChecks(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "mach_checks.csv"), all.Adapters(), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ ID, NatNum, BirthDate, Victims, Fine, Flags string }
	var got []row
	for _, r := range res.Rows {
		got = append(got, row{r["record_id"], r["national_number"], r["birth_date"], r["victims"], r["fine_eur"], r["dq_flags"]})
	}
	want := []row{
		{"R1", "85073003328", "1985-07-30", "3", "1234.5", ""},
		{"R2", "", "", "", "", "appeal_of: APPEAL without the judgment it reviews"},
		{"R3", "", "", "", "", "appeal_of: a FIRST instance judgment reviews no judgment (J/2022/9)"},
		{"R4", "", "", "", "", "final_date: final before the judgment date (01/03/2023)"},
		{"R5", "", "", "", "", "national_number: invalid national number: invalid check digits (85073003327)"},
		{"R6", "", "1990-01-02", "", "", "national_number: national number inconsistent with the birth date, not used (90010112395)"},
		{"R7", "85273003371", "1985-07-30", "", "", ""},
		{"R8", "", "", "", "", "birth_date: birth date after the judgment date (01/01/2024); victims: negative (-2)"},
		{"R11", "01020300170", "2001-02-03", "", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	type q struct {
		Line                  int64
		Column, Value, Reason string
	}
	var gotQ []q
	for _, x := range res.Quarantine {
		gotQ = append(gotQ, q{x.Line, x.Column, x.Value, x.Reason})
	}
	wantQ := []q{{10, "court", "XXX", "unknown court code"}, {11, "record_version", "abc", "not an integer"}}
	if diff := cmp.Diff(wantQ, gotQ); diff != "" {
		t.Errorf("quarantine (-want +got):\n%s", diff)
	}
}

// TestXLSX reads a Dutch-headed workbook below a title block: serial and text dates, a formula
// read by its cached value, a national number stored as a number without its leading zero.
func TestXLSX(t *testing.T) {
	path := filepath.Join("testdata", "casier_nl_title.xlsx")
	if *update {
		hdr := []any{"Record_ID", "Versie", "Vonnisnummer", "Rechtbank", "Vonnisdatum", "Aanleg", "Bestreden vonnis", "Beslissing",
			"Datum kracht van gewijsde", "Persoon-ID", "Rijksregisternummer", "Naam", "Geboortedatum", "Misdrijfcode",
			"Aantal slachtoffers", "Geldboete", "Interne nota"}
		err := sourcestest.WriteXLSX(path, sourcestest.Sheet{Name: "Veroordelingen", Rows: [][]any{
			{"Uittreksel strafregister"}, {"Aangemaakt op 01/06/2024"}, nil,
			hdr,
			{"R1", 1, "J/2023/1", "TPI-ANT", sourcestest.Serial("2023-03-15"), "Eerste aanleg", nil, "Veroordeling",
				"15/04/2023", "P1", 1020300170, "Peeters", sourcestest.Serial("2001-02-03"), "SMU-77BIS", 2,
				sourcestest.Formula{Expr: "2*500", Cached: "1000"}, "zie dossier"},
			nil,
			{"R2", 1, "J/2023/2", "CA-ANT", "2023-10-01", "Hoger beroep", "J/2023/1", "Vrijspraak",
				sourcestest.Serial("2023-11-01"), "P1", "01.02.03-001.70", "Peeters", "03/02/2001", "SMU-77BIS", nil, nil, nil},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := sourcestest.ReadAll(path, all.Adapters(), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Delivery
	if d.Source != "mach" || d.Format != "xlsx" || d.Sheet != "Veroordelingen" || d.HeaderLine != 4 ||
		cmp.Diff([]string{"Interne nota"}, d.Extra) != "" || d.Mapping["Datum kracht van gewijsde"] != "final_date" {
		t.Errorf("delivery %+v", d)
	}
	want := []sourcestest.Row{
		{"sheet": "Veroordelingen", "line": "5", "record_id": "R1", "record_version": "1", "judgment_id": "J/2023/1", "court": "TPI-ANT",
			"judgment_date": "2023-03-15", "instance": "FIRST", "decision": "CONVICTION", "final_date": "2023-04-15", "person_id": "P1",
			"national_number": "01020300170", "surname": "Peeters", "birth_date": "2001-02-03", "offence_code": "SMU-77BIS",
			"offence": "SMU-77BIS", "victims": "2", "fine_eur": "1000", "extra": `{"Interne nota":"zie dossier"}`},
		{"sheet": "Veroordelingen", "line": "7", "record_id": "R2", "record_version": "1", "judgment_id": "J/2023/2", "court": "CA-ANT",
			"judgment_date": "2023-10-01", "instance": "APPEAL", "appeal_of": "J/2023/1", "decision": "ACQUITTAL", "final_date": "2023-11-01",
			"person_id": "P1", "national_number": "01020300170", "surname": "Peeters", "birth_date": "2001-02-03",
			"offence_code": "SMU-77BIS", "offence": "SMU-77BIS"},
	}
	if diff := cmp.Diff(want, res.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(res.Quarantine) != 0 || res.Read != 2 {
		t.Errorf("quarantine %v read %d", res.Quarantine, res.Read)
	}
}

func TestREADME(t *testing.T) {
	if err := sourcestest.CheckREADME("README.md", mach.New().Source(), *update); err != nil {
		t.Error(err)
	}
}

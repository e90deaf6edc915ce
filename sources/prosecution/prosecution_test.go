package prosecution_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/ciatteh/canvas/sources/prosecution"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

// TestChecks pins the prosecution row checks of README.md on a French-headed delivery
// (recognised by its parquet_ prefix).
func TestChecks(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "parquet_checks.csv"), all.Adapters(), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivery.Source != "prosecution" {
		t.Fatalf("source %q", res.Delivery.Source)
	}
	type row struct{ Case, Status, Reason, Offence, PVs, Flags string }
	var got []row
	for _, r := range res.Rows {
		got = append(got, row{r["case_number"], r["status"], r["dismissal_reason"], r["offence"], r["pv_numbers"], r["dq_flags"]})
	}
	want := []row{
		{"BR.12.LL.000001/23", "DISMISSED", "POLICY", "THB-433Q-SEX", "PV1|PV2", ""},
		{"BR.12.LL.000002/23", "OPEN", "TECHNICAL", "THB-433Q-LAB", "PV3", "dismissal_reason: dismissal reason on a case that is OPEN, not DISMISSED (Technique)"},
		{"BR.12.LL.000003/23", "JOINED", "", "SMU-77BIS", "", "joined_to: JOINED without the case it was joined to"},
		{"BR.12.LL.000004/23", "JOINED", "", "SMU-77QUATER", "", "joined_to: case joined to itself (BR.12.LL.000004/23)"},
		{"BR.12.LL.000005/23", "REFERRED", "", "SMU-77BIS", "", "status_date: status date before the entry date (01/01/2023)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	type q struct {
		Line          int64
		Column, Value string
	}
	var gotQ []q
	for _, x := range res.Quarantine {
		gotQ = append(gotQ, q{x.Line, x.Column, x.Value})
	}
	wantQ := []q{{7, "office", "XXX"}, {8, "status", "Perdu"}, {9, "status_date", ""}}
	if diff := cmp.Diff(wantQ, gotQ); diff != "" {
		t.Errorf("quarantine (-want +got):\n%s", diff)
	}
	if res.Read != 8 || res.Flagged != 4 {
		t.Errorf("read %d flagged %d", res.Read, res.Flagged)
	}
}

func TestREADME(t *testing.T) {
	if err := sourcestest.CheckREADME("README.md", prosecution.New().Source(), *updateREADME); err != nil {
		t.Error(err)
	}
}

var updateREADME = flag.Bool("update", false, "rewrite the contract table of README.md")

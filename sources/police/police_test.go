package police_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/police"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

// TestChecks pins the police row checks of README.md.
func TestChecks(t *testing.T) {
	res, err := sourcestest.ReadAll(filepath.Join("testdata", "police_checks.csv"), []sources.Adapter{police.New()}, sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Line, Role, Offence, Flags string }
	var got []row
	for _, r := range res.Rows {
		got = append(got, row{r["line"], r["role"], r["offence"], r["dq_flags"]})
	}
	want := []row{
		{"2", "VICTIM", "THB-433Q-SEX", ""},
		{"3", "SUSPECT", "THB-433Q-SEX", "exploitation_form: exploitation form on a SUSPECT row (trafficking victims only) (SEX)"},
		{"4", "SUSPECT", "SMU-77QUATER", "fact_date: facts after their registration date (2023-02-01)"},
		{"5", "VICTIM", "THB-433Q-LAB", "birth_year: birth year in the future (2030); registration_date: registered after the extract date (2024-02-05)"},
		{"6", "VICTIM", "THB-433Q-LAB", "exploitation_form: unknown value, expected one of BEG, CRIM, LAB, ORG, OTH, SEX (Esclavage)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if res.Read != 5 || len(res.Quarantine) != 0 || res.Flagged != 4 {
		t.Errorf("read %d quarantined %d flagged %d", res.Read, len(res.Quarantine), res.Flagged)
	}
}

func TestREADME(t *testing.T) {
	if err := sourcestest.CheckREADME("README.md", police.New().Source(), *updateREADME); err != nil {
		t.Error(err)
	}
}

var updateREADME = flag.Bool("update", false, "rewrite the contract table of README.md")

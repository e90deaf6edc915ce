package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/build"
	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/dedup/fixture"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/google/go-cmp/cmp"
)

func TestPairwise(t *testing.T) {
	pred := map[string]string{"a": "1", "b": "1", "c": "1", "d": "2", "x": "9"}
	truth := map[string]string{"a": "A", "b": "A", "c": "B", "d": "B"}
	got := pairwise(pred, truth)
	// predicted pairs ab ac bc (3), true pairs ab cd (2), both: ab
	want := Pairwise{Records: 4, TruePairs: 2, PredictedPairs: 3, TruePositives: 1, Precision: 1.0 / 3, Recall: 0.5, F1: 0.4, Split: 1, Merged: 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pairwise (-want +got):\n%s", d)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	s := fixture.Store(t)
	fixture.Insert(t, s,
		fixture.Conviction{RecordID: "A1", PersonID: "1", Surname: "Ahmed", BirthDate: "1980-01-01", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS"},
		fixture.Conviction{RecordID: "A2", PersonID: "1", Surname: "Ahmed", BirthDate: "1980-01-01", JudgmentID: "J1", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS"},
		fixture.Conviction{RecordID: "B1", PersonID: "2", Surname: "Zed", BirthDate: "1970-01-01", JudgmentID: "J2", Court: "TPI-ANT", JudgmentDate: "2020-05-01", FinalDate: "2020-06-01", Offence: "SMU-77BIS"},
	)
	fixture.Resolve(t, s)
	if _, err := dedup.Run(ctx, s.DB, dedup.Options{}); err != nil {
		t.Fatal(err)
	}
	key, _ := s.Key()
	out := filepath.Join(t.TempDir(), "canvas.duckdb")
	if _, err := build.Build(ctx, s.DB, key, out, build.Options{}); err != nil {
		t.Fatal(err)
	}
	cv, err := pipeline.OpenDuckDB(out, pipeline.Settings{}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer cv.Close()
	// the truth: every non-zero cell of the canvas (read back), persons and chains
	dir := t.TempDir()
	rows, err := cv.Query(`SELECT concat_ws(',', ref_year, phenomenon, stage, measure, sex, age_group, citizenship, district, exploitation, value) FROM indicator WHERE value > 0`)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"ref_year,phenomenon,stage,measure,sex,age_group,citizenship,district,exploitation,value"}
	for rows.Next() {
		var l string
		rows.Scan(&l)
		lines = append(lines, l)
	}
	rows.Close()
	write(t, dir, "indicator.csv", strings.Join(lines, "\n")+"\n")
	write(t, dir, "persons.csv", "source,record_key,true_person_id\nmach,A1,X\nmach,A2,X\nmach,B1,Y\npolice,F|SUSPECT|R,Z\n")
	write(t, dir, "chains.csv", "record_id,true_chain_id,chain_outcome,final_date,counted\nA1,C1,CONVICTION_FINAL,2020-06-01,Y\nA2,C1,CONVICTION_FINAL,2020-06-01,Y\nB1,C2,CONVICTION_FINAL,2020-06-01,Y\n")
	r, err := Evaluate(ctx, s.DB, cv, Options{TruthDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	r.Print(&sb)
	if !r.OK() {
		t.Fatalf("a canvas equal to its truth is outside the targets:\n%s", sb.String())
	}
	if r.Linkage.F1 != 1 || r.Chains.F1 != 1 || r.ChainOutcome.Agree != 3 {
		t.Errorf("linkage %+v chains %+v outcome %+v", r.Linkage, r.Chains, r.ChainOutcome)
	}
	// one more convicted person in the truth: PERSONS_CONVICTED off by 50%, CONVICTIONS wrong
	write(t, dir, "indicator.csv", strings.Join(lines, "\n")+"\n"+
		"2020,SMUGGLING,CONVICTION,PERSONS_CONVICTED,_T,_T,_T,_T,_T,1\n2020,SMUGGLING,CONVICTION,CONVICTIONS,_T,_T,_T,_T,_T,1\n")
	write(t, dir, "persons.csv", "source,record_key,true_person_id\nmach,A1,X\nmach,A2,X\nmach,B1,X\n")
	r, err = Evaluate(ctx, s.DB, cv, Options{TruthDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || len(r.Failures) != 3 {
		t.Errorf("want 3 failures (convictions cell, persons convicted, linkage F1), got %q", r.Failures)
	}
}

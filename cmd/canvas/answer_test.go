package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/pipeline"
)

// worldStore makes a store folder whose shared canvas is the questionnaire package's synthetic
// test world.
func worldStore(t *testing.T) string {
	t.Helper()
	store := t.TempDir()
	world, err := filepath.Abs("../../questionnaire/testdata/world")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(store, pipeline.CanvasFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{fmt.Sprintf(`CREATE TABLE indicator AS SELECT * FROM read_csv('%s/indicator.csv', header = true, columns = {
		'ref_year': 'INTEGER', 'phenomenon': 'VARCHAR', 'stage': 'VARCHAR', 'measure': 'VARCHAR', 'sex': 'VARCHAR',
		'age_group': 'VARCHAR', 'citizenship': 'VARCHAR', 'district': 'VARCHAR', 'exploitation': 'VARCHAR',
		'value': 'BIGINT', 'obs_status': 'VARCHAR', 'counting_rule': 'VARCHAR'})`, world)}
	for _, m := range []string{"measure_definition", "series_note", "coverage", "canvas_run"} {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s AS SELECT * FROM read_csv('%s/%s.csv', header = true, all_varchar = true)`, m, world, m))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

func TestAnswerCommand(t *testing.T) {
	store := worldStore(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "smu.xlsx")
	sdmx := filepath.Join(dir, "smu.csv")
	if code := run(context.Background(), []string{"--store", store, "-q", "answer", "eurostat-smu", "--year", "2023", "--out", out, "--sdmx", sdmx}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{out, sdmx} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(sdmx)
	if !strings.HasPrefix(string(b), "STRUCTURE,STRUCTURE_ID,ACTION,") {
		t.Errorf("SDMX-CSV:\n%s", b)
	}
	// GLOTIP writes its long CSV beside the workbook
	if code := run(context.Background(), []string{"--store", store, "-q", "answer", "unodc-glotip", "--years", "2022-2023", "--out", filepath.Join(dir, "g.xlsx")}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.csv")); err != nil {
		t.Error(err)
	}
	// usage errors
	if code := run(context.Background(), []string{"--store", store, "answer", "unodc-cts", "--years", "2022", "--out", out}); code != exitUsage {
		t.Errorf("--years 2022: exit %d, want %d", code, exitUsage)
	}
	if code := run(context.Background(), []string{"--store", filepath.Join(dir, "nostore"), "answer", "unodc-cts", "--year", "2022", "--out", out}); code != exitFailed {
		t.Errorf("no canvas: exit %d, want %d", code, exitFailed)
	}
}

func TestAnswerPrintSpec(t *testing.T) {
	root := newRootCmd()
	var buf bytes.Buffer
	root.SetOut(&buf)
	root.SetArgs([]string{"answer", "--print-spec", "eurostat-thb"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "name: eurostat-thb") {
		t.Errorf("--print-spec:\n%s", buf.String())
	}
}

// TestAnswerDemo runs the demo's answer step on a store holding the test world.
func TestAnswerDemo(t *testing.T) {
	store := worldStore(t)
	answers := t.TempDir()
	var out bytes.Buffer
	if err := answerDemo(context.Background(), &pipeline.Store{Dir: store}, answers, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"eurostat-thb-2022.xlsx", "eurostat-thb-2022.sdmx.csv", "unodc-glotip-2022.csv", "example-form-2022.xlsx"} {
		if _, err := os.Stat(filepath.Join(answers, f)); err != nil {
			t.Errorf("%v\n%s", err, out.String())
		}
	}
}

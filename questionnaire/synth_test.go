package questionnaire

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/synth"
)

// TestSynthTruth answers every built-in questionnaire from a canvas holding the synthetic
// generator's true indicator cube (package synth, truth/indicator.csv: Belgian scale, every
// measure and breakdown), and checks every cell against a sum over that file made in Go: the
// selectors, sums and sparse zeros hold on a realistic cube, not only on the small test world.
func TestSynthTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a synthetic world")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.FromYear, cfg.ToYear, cfg.Nights = 2021, 2023, 0
	if _, err := synth.Generate(ctx, dir, cfg, nil); err != nil {
		t.Fatal(err)
	}
	truthCSV := filepath.Join(dir, "truth", "indicator.csv")
	rows := readCSV(t, truthCSV)
	truthVals := map[string]int64{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseInt(r[9], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		truthVals[strings.Join(r[:9], "|")] = v
	}

	path := filepath.Join(t.TempDir(), "canvas.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE indicator AS
		SELECT *, 'A' AS obs_status,
		       CASE WHEN measure = 'PERSONS_CONVICTED_PRINCIPAL' THEN 'PRINCIPAL_OFFENCE' ELSE 'ANY_MENTION' END AS counting_rule
		FROM read_csv('%s', header = true, columns = {
		'ref_year': 'INTEGER', 'phenomenon': 'VARCHAR', 'stage': 'VARCHAR', 'measure': 'VARCHAR', 'sex': 'VARCHAR',
		'age_group': 'VARCHAR', 'citizenship': 'VARCHAR', 'district': 'VARCHAR', 'exploitation': 'VARCHAR',
		'value': 'BIGINT'})`, truthCSV)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	off := false
	years := []int{2021, 2022, 2023}
	for _, name := range BuiltIn() {
		spec, err := LoadSpec(name, "", validator(t))
		if err != nil {
			t.Fatal(err)
		}
		a, err := compute(ctx, db, spec, years, &off)
		if err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for _, ta := range a.tables {
			for yi, y := range a.years {
				for ri := range ta.t.Rows {
					for ci := range ta.t.Columns {
						c := ta.cells[yi][ri][ci]
						d := spec.define(ta.t, ri, ci)
						where := fmt.Sprintf("%s %s %d %s/%s", name, ta.t.ID, y, ta.t.Rows[ri].ID, ta.t.Columns[ci].ID)
						if d.Missing != "" {
							if c.Missing == "" {
								t.Errorf("%s: want missing", where)
							}
							continue
						}
						if c.Missing != "" {
							t.Errorf("%s: missing (%s)", where, c.Missing)
							continue
						}
						var want int64
						for _, dims := range combos(c.Select) {
							want += truthVals[strconv.Itoa(y)+"|"+strings.Join(dims, "|")]
						}
						if c.Value != want {
							t.Errorf("%s: %d, truth %d", where, c.Value, want)
						}
						if c.Value > 0 {
							nonzero++
						}
					}
				}
			}
		}
		if nonzero == 0 {
			t.Errorf("%s: every cell is 0", name)
		}
	}
}

// TestPipelineCanvas answers every built-in questionnaire from a canvas the real pipeline built
// (canvas synth, then canvas load): set CANVAS_IT_STORE to its store folder and, to compare with
// the truth, CANVAS_IT_TRUTH to the synthetic world's truth folder. Skipped otherwise. The
// canvas is built from the extracts after dedup, so small differences from the truth are the
// dedup's, and are logged with the number of cells the canvas cannot give.
func TestPipelineCanvas(t *testing.T) {
	store := os.Getenv("CANVAS_IT_STORE")
	if store == "" {
		t.Skip("set CANVAS_IT_STORE (and CANVAS_IT_TRUTH) to check answers from a real canvas")
	}
	ctx := context.Background()
	db, err := sql.Open("duckdb", filepath.Join(store, "canvas.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, to, _, err := CanvasYears(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	truthVals := map[string]int64{}
	if dir := os.Getenv("CANVAS_IT_TRUTH"); dir != "" {
		for _, r := range readCSV(t, filepath.Join(dir, "indicator.csv"))[1:] {
			v, _ := strconv.ParseInt(r[9], 10, 64)
			truthVals[strings.Join(r[:9], "|")] = v
		}
	}
	off := false
	years := []int{to - 2, to - 1, to}
	for _, name := range BuiltIn() {
		spec, err := LoadSpec(name, "", validator(t))
		if err != nil {
			t.Fatal(err)
		}
		a, err := compute(ctx, db, spec, years, &off)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Answer(ctx, db, Options{Name: name, FromYear: years[0], ToYear: to, Out: filepath.Join(t.TempDir(), name+".xlsx")}); err != nil {
			t.Fatal(err)
		}
		var cells, same, missing int
		var diff int64
		for _, c := range a.all {
			if c.Missing != "" {
				missing++
				continue
			}
			if len(truthVals) == 0 {
				continue
			}
			var want int64
			for _, dims := range combos(c.Select) {
				want += truthVals[strconv.Itoa(c.Year)+"|"+strings.Join(dims, "|")]
			}
			cells++
			if want == c.Value {
				same++
			}
			diff += max(want-c.Value, c.Value-want)
		}
		t.Logf("%s %v: %d cells not available; %d of %d cells equal to the truth, total absolute difference %d",
			name, years, missing, same, cells, diff)
	}
}

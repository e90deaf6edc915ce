package questionnaire

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// -update rewrites the golden files (testdata/golden), as gofmt's tests do: a change in an
// answer is then a reviewable diff.
var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

func validator(t testing.TB) *Validator {
	t.Helper()
	c, err := schema.LoadCodes("")
	if err != nil {
		t.Fatal(err)
	}
	return NewValidator(c)
}

// dumpWorkbook renders a workbook as text for golden files: per sheet its merged ranges, frozen
// pane and every non-empty cell with its displayed value (number formats applied) and formula.
func dumpWorkbook(t testing.TB, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&b, "## sheet %s\n", sh)
		mcs, _ := f.GetMergeCells(sh)
		for _, mc := range mcs {
			fmt.Fprintf(&b, "merged %s:%s\n", mc.GetStartAxis(), mc.GetEndAxis())
		}
		if p, err := f.GetPanes(sh); err == nil && p.Freeze {
			fmt.Fprintf(&b, "frozen at %s\n", p.TopLeftCell)
		}
		inMerge := map[string]bool{} // cells of a merged range but its first: excelize repeats its value
		for _, mc := range mcs {
			c1, r1, _ := excelize.CellNameToCoordinates(mc.GetStartAxis())
			c2, r2, _ := excelize.CellNameToCoordinates(mc.GetEndAxis())
			for r := r1; r <= r2; r++ {
				for c := c1; c <= c2; c++ {
					if r != r1 || c != c1 {
						ref, _ := excelize.CoordinatesToCellName(c, r)
						inMerge[ref] = true
					}
				}
			}
		}
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for ri, row := range rows {
			var vals []string
			for ci := range row {
				ref, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				v, _ := f.GetCellValue(sh, ref)
				fm, _ := f.GetCellFormula(sh, ref)
				if inMerge[ref] {
					v = ""
				}
				if fm != "" {
					v += " {=" + fm + "}"
				}
				vals = append(vals, v)
			}
			for len(vals) > 0 && vals[len(vals)-1] == "" {
				vals = vals[:len(vals)-1]
			}
			if len(vals) > 0 {
				fmt.Fprintf(&b, "%d\t%s\n", ri+1, strings.Join(vals, "\t"))
			}
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./questionnaire -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs from the golden file (-want +got); if the change is intended, run go test ./questionnaire -update:\n%s", name, d)
	}
}

func TestGolden(t *testing.T) {
	db := openWorld(t)
	for _, name := range BuiltIn() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Name: name, FromYear: 2021, ToYear: 2024, Out: filepath.Join(dir, name+".xlsx"), Store: "testdata/world"}
			spec, err := LoadSpec(name, "", validator(t))
			if err != nil {
				t.Fatal(err)
			}
			if spec.SDMX != nil {
				opts.SDMXOut = filepath.Join(dir, name+".sdmx.csv")
			}
			res, err := Answer(context.Background(), db, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.RunID != "run-20260101-000000-test" {
				t.Errorf("run id %q, want the canvas_run table's", res.RunID)
			}
			golden(t, name+".xlsx.txt", dumpWorkbook(t, opts.Out))
			if spec.SDMX != nil {
				b, err := os.ReadFile(opts.SDMXOut)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+".sdmx.csv", string(b))
			}
			if spec.Long != nil {
				b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+".long.csv", string(b))
			}
			// the same inputs give the same answer
			opts2 := opts
			opts2.Out = filepath.Join(dir, "again.xlsx")
			opts2.SDMXOut = ""
			if _, err := Answer(context.Background(), db, opts2); err != nil {
				t.Fatal(err)
			}
			b1, _ := os.ReadFile(opts.Out)
			b2, _ := os.ReadFile(opts2.Out)
			if !bytes.Equal(b1, b2) {
				t.Errorf("a second run gives another workbook file")
			}
		})
	}
}

// TestTruth checks every answered cell of every built-in questionnaire against the synthetic
// truth (the units themselves, not the cube): a figure equals the count of the units its
// selector names; a cell is missing exactly when its source does not cover the year or the spec
// says the canvas cannot give it.
func TestTruth(t *testing.T) {
	db := openWorld(t)
	units := loadUnits(t)
	off := false
	for _, name := range BuiltIn() {
		t.Run(name, func(t *testing.T) {
			spec, err := LoadSpec(name, "", validator(t))
			if err != nil {
				t.Fatal(err)
			}
			a, err := compute(context.Background(), db, spec, worldYears(), &off)
			if err != nil {
				t.Fatal(err)
			}
			answered := 0
			for _, ta := range a.tables {
				for yi, y := range a.years {
					for ri := range ta.t.Rows {
						for ci := range ta.t.Columns {
							c := ta.cells[yi][ri][ci]
							d := spec.define(ta.t, ri, ci)
							where := fmt.Sprintf("%s %d row %s column %s", ta.t.ID, y, ta.t.Rows[ri].ID, ta.t.Columns[ci].ID)
							uncovered := len(d.Select["stage"]) > 0 && d.Select["stage"][0] == "CONVICTION" && !convictionCovers(y)
							switch {
							case d.Missing != "":
								if c.Missing != d.Missing {
									t.Errorf("%s: missing %q, want the spec's reason %q", where, c.Missing, d.Missing)
								}
							case uncovered:
								if !strings.Contains(c.Missing, "does not cover") {
									t.Errorf("%s: the conviction source does not cover %d, got %d (missing %q)", where, y, c.Value, c.Missing)
								}
							default:
								if c.Missing != "" {
									t.Errorf("%s: missing (%s), want a figure", where, c.Missing)
									continue
								}
								if want := truth(units, y, c.Select); c.Value != want {
									t.Errorf("%s: %d, the truth is %d (%s)", where, c.Value, want, c.Select)
								}
								answered++
								if c.Suppressed != "" {
									t.Errorf("%s: suppressed although suppression is off", where)
								}
							}
						}
					}
				}
			}
			if answered == 0 {
				t.Fatal("no cell answered")
			}
		})
	}
}

// TestFlags checks the statuses carried from the canvas: provisional, break, missing year, and
// a true zero that is 0, not missing.
func TestFlags(t *testing.T) {
	db := openWorld(t)
	off := false
	spec, err := LoadSpec("eurostat-thb", "", validator(t))
	if err != nil {
		t.Fatal(err)
	}
	a, err := compute(context.Background(), db, spec, worldYears(), &off)
	if err != nil {
		t.Fatal(err)
	}
	conv := a.tables[0] // legal_status: row 3 is CONV, column 0 total
	for yi, y := range a.years {
		c := conv.cells[yi][3][0]
		want := map[int]string{2021: "M", 2022: "B", 2023: "P", 2024: "P"}[y]
		if c.OBSStatus() != want {
			t.Errorf("convicted %d: OBS_STATUS %s, want %s", y, c.OBSStatus(), want)
		}
	}
	// organ removal among victims of one sex in one year is rare: find a covered zero
	cd, err := loadCanvas(context.Background(), db, 2021, 2024, []Selector{{"measure": {"VICTIMS"}}})
	if err != nil {
		t.Fatal(err)
	}
	c := cd.resolve(2023, Selector{"phenomenon": {"TRAFFICKING"}, "stage": {"POLICE"}, "measure": {"VICTIMS"}, "exploitation": {"ORG"}, "sex": {"_U"}}.full())
	if c.Missing != "" || c.Value != truth(loadUnits(t), 2023, c.Select) {
		t.Errorf("a covered combination: %+v", c)
	}
	// offences have no person breakdowns: by sex they are not available, not 0
	c = cd.resolve(2023, Selector{"phenomenon": {"TRAFFICKING"}, "stage": {"POLICE"}, "measure": {"OFFENCES_RECORDED"}, "sex": {"F"}}.full())
	if c.Missing == "" {
		// the measure was not loaded above; load it
		cd2, err := loadCanvas(context.Background(), db, 2023, 2023, []Selector{{"measure": {"OFFENCES_RECORDED"}}})
		if err != nil {
			t.Fatal(err)
		}
		c = cd2.resolve(2023, c.Select)
		if c.Missing == "" || !strings.Contains(c.Missing, "not broken down by sex") {
			t.Errorf("offences by sex: %+v, want not available", c)
		}
	}
	// a year outside the canvas
	c = cd.resolve(2019, Selector{"phenomenon": {"TRAFFICKING"}, "stage": {"POLICE"}, "measure": {"VICTIMS"}}.full())
	if c.Missing == "" {
		t.Errorf("2019 is not in the canvas: %+v", c)
	}
}

// TestSuppression checks GLOTIP's policy on the synthetic world: every count from 1 to 4 is
// hidden and shown as "<5", and no additive group has exactly one hidden cell.
func TestSuppression(t *testing.T) {
	db := openWorld(t)
	spec, err := LoadSpec("unodc-glotip", "", validator(t))
	if err != nil {
		t.Fatal(err)
	}
	if !spec.Suppression.Enabled || spec.Suppression.Label != "<5" {
		t.Fatalf("GLOTIP suppression: %+v", spec.Suppression)
	}
	a, err := compute(context.Background(), db, spec, worldYears(), nil)
	if err != nil {
		t.Fatal(err)
	}
	primary, secondary := 0, 0
	for _, c := range a.all {
		small := c.Missing == "" && c.Value > 0 && c.Value < 5
		if small != (c.Suppressed == "C") {
			t.Errorf("%d %s: value %d suppressed %q", c.Year, c.Select, c.Value, c.Suppressed)
		}
		switch c.Suppressed {
		case "C":
			primary++
			if a.shown(c) != "<5" {
				t.Errorf("primary cell shows %v", a.shown(c))
			}
		case "D":
			secondary++
			if a.shown(c) == "<5" {
				t.Errorf("a secondary cell must not claim to be small")
			}
		}
	}
	if primary == 0 || secondary == 0 {
		t.Fatalf("the world should exercise both: %d primary, %d secondary", primary, secondary)
	}
	// no total with exactly one hidden member: rebuild the groups independently
	byKey := map[string]*Cell{}
	for _, c := range a.all {
		byKey[cellKey(c.Year, c.Select, "")] = c
	}
	along := map[string][]*Cell{} // wildcard key -> every distinct cell with it
	for _, c := range byKey {
		for _, d := range breakdowns() {
			w := cellKey(c.Year, c.Select, d)
			along[w] = append(along[w], c)
		}
	}
	for _, tot := range byKey {
		for _, d := range breakdowns() {
			if tot.Select[d][0] != "_T" {
				continue
			}
			members := along[cellKey(tot.Year, tot.Select, d)] // the total and its components
			if len(members) == 1 {
				continue
			}
			hidden := 0
			for _, m := range members {
				if m.Suppressed != "" || m.Missing != "" {
					hidden++
				}
			}
			if hidden == 1 {
				t.Errorf("%d %s along %s: exactly one hidden cell, which the total reveals", tot.Year, tot.Select, d)
			}
		}
	}
	// turned off by the analyst: nothing hidden
	off := false
	a, err = compute(context.Background(), db, spec, worldYears(), &off)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.all {
		if c.Suppressed != "" {
			t.Fatalf("suppression off, yet %s is hidden", c.Select)
		}
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+32": "'+32", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)", "Total": "Total", "": "", "\t=1": "'\t=1",
	} {
		if got := safeText(in); got != want {
			t.Errorf("safeText(%q) = %q, want %q", in, got, want)
		}
	}
	// a series note that looks like a formula reaches the Notes sheet as text
	db := openWorld(t)
	out := filepath.Join(t.TempDir(), "a.xlsx")
	if _, err := Answer(context.Background(), db, Options{Name: "eurostat-smu", Year: 2023, Out: out}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Notes")
	found := false
	for ri, r := range rows {
		for ci, v := range r {
			ref, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
			if fm, _ := f.GetCellFormula("Notes", ref); fm != "" {
				t.Errorf("Notes!%s holds a formula: %s", ref, fm)
			}
			if strings.Contains(v, "HYPERLINK") {
				found = true
				if !strings.HasPrefix(v, "'=") {
					t.Errorf("Notes!%s = %q, want it neutralised", ref, v)
				}
			}
		}
	}
	if !found {
		t.Error("the series note did not reach the Notes sheet")
	}
}

func TestAnswerErrors(t *testing.T) {
	db := openWorld(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Name: "eurostat-xyz", Year: 2023, Out: filepath.Join(dir, "a.xlsx")}, "no built-in questionnaire"},
		{Options{Name: "eurostat-thb", Out: filepath.Join(dir, "a.xlsx")}, "no reference year"},
		{Options{Name: "eurostat-thb", Year: 2023}, "no output file"},
		{Options{Name: "unodc-cts", Year: 2023, Out: filepath.Join(dir, "a.xlsx"), SDMXOut: filepath.Join(dir, "a.csv")}, "no SDMX settings"},
		{Options{Name: "eurostat-thb", FromYear: 2024, ToYear: 2022, Out: filepath.Join(dir, "a.xlsx")}, "first year is after the last"},
	} {
		_, err := Answer(context.Background(), db, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	v := validator(t)
	base := "name: x\nselect: {phenomenon: TRAFFICKING}\ntables:\n  - id: t\n    rows:\n      - {id: r, label: R, select: {stage: POLICE, measure: VICTIMS}}\n    columns:\n"
	for _, tc := range []struct{ yaml, want string }{
		{base + "      - {id: c, label: C, select: {sex: Q}}\n", `x.yaml:8: table t, row "r", column "c": unknown sex code "Q"`},
		{base + "      - {id: c, label: C, select: {measure: VICTIM}}\n", `x.yaml:8: table t, row "r", column "c": unknown measure code "VICTIM"`},
		{base + "      - {id: c, label: C, select: {gender: M}}\n", `x.yaml:8: unknown selector dimension "gender"`},
		{base + "      - {id: c, label: C, select: {stage: CONVICTION}}\n", "x.yaml:8: table t, row \"r\", column \"c\": measure VICTIMS belongs to stage POLICE, not CONVICTION"},
		{base + "      - {id: c, label: C}\n    colour: red\n", `x.yaml:9: unknown key "colour"`},
		{base + "      - {id: c, label: C}\n    cells:\n      - {row: r, column: nope, missing: x}\n", `x.yaml:10: table t has no column "nope"`},
		{"name: x\ntables: [\n", "x.yaml: yaml: line"},
		{"name: x\n", "x.yaml:1: the questionnaire has no tables"},
		{base + "      - {id: c, label: C}\nsuppression: {enabled: maybe}\n", `x.yaml:9: expected true or false, not "maybe"`},
	} {
		_, err := ParseSpec("x.yaml", []byte(tc.yaml), v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v\nwant %q", err, tc.want)
		}
	}
	// every built-in spec loads
	for _, n := range BuiltIn() {
		if _, err := LoadSpec(n, "", v); err != nil {
			t.Error(err)
		}
	}
}

// TestEditedSpec: an analyst's edited copy replaces the built-in spec, no code change.
func TestEditedSpec(t *testing.T) {
	db := openWorld(t)
	b, err := BuiltInSpec("eurostat-smu")
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(b, []byte(`structure_id: "ESTAT:CRIM_SMU(1.0)"`), []byte(`structure_id: "ESTAT:CRIM_SMU(2.0)"`), 1)
	dir := t.TempDir()
	spec := filepath.Join(dir, "smu.yaml")
	if err := os.WriteFile(spec, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	sdmx := filepath.Join(dir, "smu.csv")
	if _, err := Answer(context.Background(), db, Options{Name: "eurostat-smu", SpecFile: spec, Year: 2023,
		Out: filepath.Join(dir, "smu.xlsx"), SDMXOut: sdmx}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(sdmx)
	if !strings.Contains(string(got), "ESTAT:CRIM_SMU(2.0)") {
		t.Errorf("the edited structure id is not used:\n%s", got)
	}
}

func TestAnswerBuiltIns(t *testing.T) {
	db := openWorld(t)
	from, to, final, err := CanvasYears(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if from != 2021 || to != 2024 || final != 2022 {
		// 2023 and 2024 hold provisional figures
		t.Errorf("years %d-%d, last final %d", from, to, final)
	}
	dir := t.TempDir()
	res, err := AnswerBuiltIns(context.Background(), db, dir, Options{Year: 2023})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range res {
		for _, f := range r.Files {
			files = append(files, filepath.Base(f))
		}
	}
	want := []string{"eurostat-smu-2023.xlsx", "eurostat-smu-2023.sdmx.csv", "eurostat-thb-2023.xlsx", "eurostat-thb-2023.sdmx.csv",
		"unodc-cts-2023.xlsx", "unodc-glotip-2023.xlsx", "unodc-glotip-2023.csv"}
	if d := cmp.Diff(want, files); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
}

// TestSDMXSuppressed: with suppression on, a hidden observation has no value and says why.
func TestSDMXSuppressed(t *testing.T) {
	db := openWorld(t)
	dir := t.TempDir()
	on := true
	sdmx := filepath.Join(dir, "thb.csv")
	if _, err := Answer(context.Background(), db, Options{Name: "eurostat-thb", Year: 2023, Out: filepath.Join(dir, "thb.xlsx"),
		SDMXOut: sdmx, Suppress: &on}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, sdmx)
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	seen := map[string]int{}
	for _, r := range rows[1:] {
		conf, v := r[col["CONF_STATUS"]], r[col["OBS_VALUE"]]
		seen[conf]++
		switch conf {
		case "C", "D":
			if v != "" {
				t.Errorf("suppressed observation with a value: %v", r)
			}
		case "F":
			if n, err := strconv.Atoi(v); err != nil || (n > 0 && n < 5) {
				t.Errorf("free observation %v", r)
			}
		default:
			t.Errorf("CONF_STATUS %q", conf)
		}
		want := "A" // in the test world, 2023 is provisional for convictions only
		if r[col["LEG_STAT"]] == "CONV" {
			want = "P"
		}
		if r[col["OBS_STATUS"]] != want {
			t.Errorf("OBS_STATUS %s, want %s: %v", r[col["OBS_STATUS"]], want, r)
		}
	}
	if seen["C"] == 0 || seen["D"] == 0 {
		t.Errorf("CONF_STATUS counts %v", seen)
	}
}

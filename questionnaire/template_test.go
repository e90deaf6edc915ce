package questionnaire

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// makeForm writes an institution's form as analysts receive them: a merged title, styled input
// cells, formulas adding them up, a merged remark and an instructions sheet.
func makeForm(t testing.TB, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sh := "Form A"
	must(f.SetSheetName("Sheet1", sh))
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C6E0B4"}}})
	input, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 2}}, NumFmt: 3})
	total, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3})
	must(f.SetCellStr(sh, "A1", "Form A - trafficking in human beings"))
	must(f.MergeCell(sh, "A1", "D1"))
	must(f.SetCellStyle(sh, "A1", "D1", title))
	must(f.SetCellStr(sh, "A2", "Reference year"))
	must(f.SetCellStyle(sh, "B2", "B2", input))
	for i, h := range []string{"Men", "Women", "Total"} {
		must(f.SetCellStr(sh, string(rune('B'+i))+"3", h))
	}
	for i, l := range []string{"Victims identified", "Suspects", "Convicted"} {
		r := strconv.Itoa(4 + i)
		must(f.SetCellStr(sh, "A"+r, l))
		must(f.SetCellStyle(sh, "B"+r, "C"+r, input))
		must(f.SetCellFormula(sh, "D"+r, "B"+r+"+C"+r))
		must(f.SetCellStyle(sh, "D"+r, "D"+r, total))
	}
	must(f.SetCellStr(sh, "A7", "Total"))
	for _, c := range []string{"B", "C", "D"} {
		must(f.SetCellFormula(sh, c+"7", "SUM("+c+"4:"+c+"6)"))
		must(f.SetCellStyle(sh, c+"7", c+"7", total))
	}
	must(f.SetCellStr(sh, "A9", "Convicted two years before (men, abroad)"))
	must(f.SetCellStyle(sh, "B9", "C9", input))
	must(f.SetCellStr(sh, "A11", "Foreign suspects of migrant smuggling"))
	must(f.SetCellStyle(sh, "B11", "B11", input))
	must(f.SetCellStr(sh, "A13", "Please return by 30 June. Yellow cells are to be filled."))
	must(f.MergeCell(sh, "A13", "D14"))
	must(f.SetColWidth(sh, "A", "A", 42))
	_, err := f.NewSheet("Instructions")
	must(err)
	must(f.SetCellStr("Instructions", "A1", "Fill in the yellow cells of Form A."))
	must(f.SetCellFormula("Instructions", "A2", "LEN(A1)"))
	must(f.SaveAs(path))
}

type cellState struct {
	Value, Formula string
	Style          int
}

func formState(t testing.TB, path string) (map[string]cellState, map[string][]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cells := map[string]cellState{}
	merges := map[string][]string{}
	for _, sh := range f.GetSheetList() {
		mcs, _ := f.GetMergeCells(sh)
		for _, mc := range mcs {
			merges[sh] = append(merges[sh], mc.GetStartAxis()+":"+mc.GetEndAxis())
		}
		for r := 1; r <= 15; r++ {
			for c := 1; c <= 5; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				v, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				fm, _ := f.GetCellFormula(sh, ref)
				st, _ := f.GetCellStyle(sh, ref)
				cells[sh+"!"+ref] = cellState{v, fm, st}
			}
		}
	}
	return cells, merges
}

func TestTemplate(t *testing.T) {
	db := openWorld(t)
	dir := t.TempDir()
	form := filepath.Join(dir, "form.xlsx")
	makeForm(t, form)
	if *update {
		makeForm(t, filepath.Join("example", "form.xlsx"))
	}
	out := filepath.Join(dir, "filled.xlsx")
	res, err := Answer(context.Background(), db, Options{Template: form, Map: "example/form-map.yaml", Year: 2023, Out: out, Store: "testdata/world"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cells != 9 || res.Missing != 2 {
		t.Errorf("result %+v: want 9 cells, 2 missing", res)
	}
	before, mergesBefore := formState(t, form)
	after, mergesAfter := formState(t, out)
	units := loadUnits(t)
	sel := func(ph, stage, measure string, more Selector) Selector {
		return Selector{"phenomenon": {ph}, "stage": {stage}, "measure": {measure}}.merge(more).full()
	}
	n := func(year int, s Selector) string { return strconv.FormatInt(truth(units, year, s), 10) }
	want := map[string]string{
		"Form A!B2":  "2023",
		"Form A!B4":  n(2023, sel("TRAFFICKING", "POLICE", "VICTIMS", Selector{"sex": {"M"}})),
		"Form A!C4":  n(2023, sel("TRAFFICKING", "POLICE", "VICTIMS", Selector{"sex": {"F"}})),
		"Form A!B5":  n(2023, sel("TRAFFICKING", "POLICE", "SUSPECTS", Selector{"sex": {"M"}})),
		"Form A!C5":  n(2023, sel("TRAFFICKING", "POLICE", "SUSPECTS", Selector{"sex": {"F"}})),
		"Form A!B6":  n(2023, sel("TRAFFICKING", "CONVICTION", "PERSONS_CONVICTED", Selector{"sex": {"M"}})),
		"Form A!C6":  n(2023, sel("TRAFFICKING", "CONVICTION", "PERSONS_CONVICTED", Selector{"sex": {"F"}})),
		"Form A!B9":  "..", // 2021: the conviction source does not cover it
		"Form A!C9":  "..",
		"Form A!B11": n(2023, sel("SMUGGLING", "POLICE", "SUSPECTS", Selector{"citizenship": {"EU_OTH", "NEU"}})),
	}
	for ref, b := range before {
		a := after[ref]
		if w, ok := want[ref]; ok {
			if a.Value != w {
				t.Errorf("%s = %q, want %q", ref, a.Value, w)
			}
			b.Value = a.Value
		}
		if a != b {
			t.Errorf("%s changed: before %+v, after %+v", ref, b, a)
		}
	}
	if d := cmp.Diff(mergesBefore, mergesAfter); d != "" {
		t.Errorf("merged cells changed:\n%s", d)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !cmp.Equal(got, []string{"Form A", "Instructions", "CIATTEH notes"}) {
		t.Errorf("sheets %v", got)
	}
	rows, _ := f.GetRows("CIATTEH notes")
	var all []string
	for _, r := range rows {
		all = append(all, strings.Join(r, " "))
	}
	text := strings.Join(all, "\n")
	for _, w := range []string{"run-20260101-000000-test", "Cells filled", "the conviction source does not cover 2021", "persons convicted abroad"} {
		if !strings.Contains(text, w) {
			t.Errorf("notes sheet lacks %q", w)
		}
	}
}

func TestMappingErrors(t *testing.T) {
	db := openWorld(t)
	dir := t.TempDir()
	form := filepath.Join(dir, "form.xlsx")
	makeForm(t, form)
	head := "select: {phenomenon: TRAFFICKING}\ncells:\n  - {sheet: Form A, cell: B4, select: {stage: POLICE, measure: VICTIMS}}\n"
	for _, tc := range []struct{ yaml, want string }{
		{head + "  - {sheet: Form B, cell: B5, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: unknown sheet "Form B" (the template has: Form A, Instructions)`},
		{head + "  - {sheet: Form A, cell: B0, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: cell "B0" is not a cell reference`},
		{head + "  - {sheet: Form A, cell: 4B, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: cell "4B" is not a cell reference`},
		{head + "  - {sheet: Form A, cell: B5, select: {stage: POLICE, measure: VICTIMZ}}\n", `map.yaml:4: unknown measure code "VICTIMZ"`},
		{head + "  - {sheet: Form A, cell: B5, select: {stage: POLICE, measure: VICTIMS, citizenship: FOREIGN}}\n", `map.yaml:4: unknown citizenship code "FOREIGN"`},
		{head + "  - {sheet: Form A, cell: B5, select: {stage: POLICE, measure: VICTIMS, gender: M}}\n", `map.yaml:4: unknown selector dimension "gender"`},
		{head + "  - {sheet: Form A, cell: B5, select: {stage: POLICE}}\n", `map.yaml:4: no measure selected`},
		{head + "  - {sheet: Form A, cell: D4, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: cell Form A!D4 holds a formula (=B4+C4)`},
		{head + "  - {sheet: Form A, cell: B4, select: {stage: POLICE, measure: SUSPECTS}}\n", `map.yaml:4: cell Form A!B4 is already filled by the entry at line 3`},
		{head + "  - {sheet: Form A, cell: B1, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: cell Form A!B1 is inside a merged range whose first cell is A1`},
		{head + "  - {sheet: Form A, row: Victims, column: Men, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: sheet "Form A": no row labelled "Victims"`},
		{head + "  - {sheet: Form A, row: Total, column: Total, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: sheet "Form A": row label "Total" is found in several rows (D3, A7)`},
		{head + "  - {sheet: Form A, cell: B5, colour: red}\n", `map.yaml:4: unknown key "colour"`},
		{head + "  - {sheet: Form A, select: {stage: POLICE, measure: VICTIMS}}\n", `map.yaml:4: say which cell`},
		{"cells: []\n", `map.yaml:1: the mapping fills no cells`},
		{head + "  - {sheet: Form A, cell: B5, year_offset: last}\n", `map.yaml:4: expected a whole number, not "last"`},
	} {
		mp := filepath.Join(dir, "map.yaml")
		if err := os.WriteFile(mp, []byte(tc.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Answer(context.Background(), db, Options{Template: form, Map: mp, Year: 2023, Out: filepath.Join(dir, "out.xlsx")})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v\nwant %q", err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.xlsx")); err == nil {
		t.Error("a bad mapping wrote an output")
	}
}

// TestExampleForm fills the embedded example the way the demo does: the mapping names its form.
func TestExampleForm(t *testing.T) {
	db := openWorld(t)
	dir := t.TempDir()
	_, mp, err := ExampleForm(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Answer(context.Background(), db, Options{Map: mp, Year: 2023, Out: filepath.Join(dir, "filled.xlsx")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cells != 9 {
		t.Errorf("%+v", res)
	}
}

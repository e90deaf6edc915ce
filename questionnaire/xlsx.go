package questionnaire

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// safeText makes text harmless in a spreadsheet or CSV: text beginning with =, +, - or @ (or a
// tab or carriage return) would be read as a formula by a spreadsheet program, so it gets a
// leading apostrophe.
func safeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// styles are the cell formats of an answer workbook.
type styles struct {
	f                                    *excelize.File
	title, subtitle, header, label, note int
	missing, suppressed                  int
	nums                                 map[string]int // by flags
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, nums: map[string]int{}}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	var err error
	mk := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	mk(&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	mk(&s.subtitle, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	mk(&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	mk(&s.label, &excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	mk(&s.note, &excelize.Style{Alignment: &excelize.Alignment{WrapText: false, Vertical: "top"}})
	mk(&s.missing, &excelize.Style{Border: border, Font: &excelize.Font{Italic: true, Color: "7F7F7F"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{Horizontal: "right"}})
	mk(&s.suppressed, &excelize.Style{Border: border, Font: &excelize.Font{Color: "9C5700"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}},
		Alignment: &excelize.Alignment{Horizontal: "right"}})
	for _, flags := range []string{"", "b", "p", "bp"} {
		format := "#,##0"
		if flags != "" {
			format += `" ` + strings.Join(strings.Split(flags, ""), " ") + `"`
		}
		st := &excelize.Style{Border: border, CustomNumFmt: &format}
		if flags != "" {
			st.Font = &excelize.Font{Italic: true}
		}
		var id int
		mk(&id, st)
		s.nums[flags] = id
	}
	return s, err
}

// sheetWriter writes cells of one sheet, keeping the first error.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	err   error
}

func (w *sheetWriter) set(col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		w.err = err
		return
	}
	switch x := v.(type) {
	case string:
		w.err = w.f.SetCellStr(w.sheet, ref, safeText(x))
	case int64:
		w.err = w.f.SetCellInt(w.sheet, ref, x)
	case int:
		w.err = w.f.SetCellInt(w.sheet, ref, int64(x))
	default:
		w.err = fmt.Errorf("cell %s: unexpected value type %T", ref, v)
	}
	if w.err == nil && style != 0 {
		w.err = w.f.SetCellStyle(w.sheet, ref, ref, style)
	}
}

func (w *sheetWriter) merge(c1, r1, c2, r2 int) {
	if w.err != nil || (c1 == c2 && r1 == r2) {
		return
	}
	a, _ := excelize.CoordinatesToCellName(c1, r1)
	b, _ := excelize.CoordinatesToCellName(c2, r2)
	w.err = w.f.MergeCell(w.sheet, a, b)
}

func (w *sheetWriter) width(c1, c2 int, width float64) {
	if w.err != nil {
		return
	}
	a, _ := excelize.ColumnNumberToName(c1)
	b, _ := excelize.ColumnNumberToName(c2)
	w.err = w.f.SetColWidth(w.sheet, a, b, width)
}

// shown is what a cell shows in a workbook or a long CSV: a count, or a text for a hidden or
// missing cell.
func (a *answer) shown(c *Cell) any {
	switch {
	case c.Missing != "":
		return ":"
	case c.Suppressed == "C" && a.policy.Label != "":
		return a.policy.Label
	case c.Suppressed != "":
		return "c"
	}
	return c.Value
}

// writeWorkbook writes the answer workbook: the long layout sheet when the questionnaire has one,
// a sheet per table, and the Notes sheet.
func writeWorkbook(a *answer, n *notes, out string) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	first := true
	addSheet := func(name string) (*sheetWriter, error) {
		if first {
			first = false
			return &sheetWriter{f: f, sheet: name}, f.SetSheetName("Sheet1", name)
		}
		_, err := f.NewSheet(name)
		return &sheetWriter{f: f, sheet: name}, err
	}
	if a.spec.Long != nil {
		name := a.spec.Long.Sheet
		if name == "" {
			name = "Long"
		}
		w, err := addSheet(name)
		if err != nil {
			return fmt.Errorf("writing %s: %w", out, err)
		}
		rows := a.longRows()
		for r, row := range rows {
			for c, v := range row {
				style := 0
				if r == 0 {
					style = st.header
				}
				w.set(c+1, r+1, v, style)
			}
		}
		w.width(1, len(a.spec.Long.Columns), 18)
		if w.err == nil {
			w.err = f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		}
		if w.err != nil {
			return fmt.Errorf("writing %s: sheet %s: %w", out, w.sheet, w.err)
		}
	}
	for i := range a.tables {
		ta := &a.tables[i]
		w, err := addSheet(ta.t.Sheet)
		if err != nil {
			return fmt.Errorf("writing %s: %w", out, err)
		}
		a.writeTable(w, st, ta)
		if w.err != nil {
			return fmt.Errorf("writing %s: sheet %s: %w", out, w.sheet, w.err)
		}
	}
	w, err := addSheet("Notes")
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	a.writeNotes(w, st, n)
	if w.err != nil {
		return fmt.Errorf("writing %s: sheet Notes: %w", out, w.err)
	}
	f.SetActiveSheet(0)
	if err := f.SaveAs(out); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

const headerRow = 4 // the year header; column labels below it, data from headerRow+2

func (a *answer) writeTable(w *sheetWriter, st *styles, ta *tableAnswer) {
	t := ta.t
	nc := len(t.Columns)
	title := t.Title
	if title == "" {
		title = t.ID
	}
	w.set(1, 1, title, st.title)
	w.set(1, 2, fmt.Sprintf("%s · table %s · reference year %s", a.spec.Title, t.ID, yearsText(a.years)), st.subtitle)
	w.set(1, headerRow, "", st.header)
	w.set(1, headerRow+1, "", st.header)
	w.merge(1, headerRow, 1, headerRow+1)
	labelWidth := 20.0
	for yi, y := range a.years {
		c0 := 2 + yi*nc
		w.set(c0, headerRow, strconv.Itoa(y), st.header)
		for ci := 1; ci < nc; ci++ {
			w.set(c0+ci, headerRow, "", st.header)
		}
		w.merge(c0, headerRow, c0+nc-1, headerRow)
		for ci, col := range t.Columns {
			w.set(c0+ci, headerRow+1, col.Label, st.header)
		}
	}
	for ri, row := range t.Rows {
		r := headerRow + 2 + ri
		w.set(1, r, row.Label, st.label)
		if l := float64(len(row.Label)); l+2 > labelWidth {
			labelWidth = min(l+2, 60)
		}
		for yi := range a.years {
			for ci := range t.Columns {
				c := ta.cells[yi][ri][ci]
				v := a.shown(c)
				style := st.nums[c.Flags]
				switch {
				case c.Missing != "":
					style = st.missing
				case c.Suppressed != "":
					style = st.suppressed
				}
				w.set(2+yi*nc+ci, r, v, style)
			}
		}
	}
	w.width(1, 1, labelWidth)
	w.width(2, 1+nc*len(a.years), 14)
	if w.err == nil {
		w.err = w.f.SetPanes(w.sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: headerRow + 1,
			TopLeftCell: fmt.Sprintf("B%d", headerRow+2), ActivePane: "bottomRight"})
	}
	r := headerRow + 2 + len(t.Rows) + 1
	for _, line := range a.footnotes(ta) {
		w.set(1, r, line, st.note)
		r++
	}
}

// footnotes are the lines under a table: the flags, the table's notes, and why cells are missing.
func (a *answer) footnotes(ta *tableAnswer) []string {
	lines := []string{a.legend()}
	for _, n := range ta.t.Notes {
		lines = append(lines, "Note: "+n)
	}
	type where struct{ rows, cols []string }
	reasons := map[string]*where{}
	var order []string
	for yi := range a.years {
		for ri, row := range ta.t.Rows {
			for ci, col := range ta.t.Columns {
				c := ta.cells[yi][ri][ci]
				if c.Missing == "" {
					continue
				}
				w, ok := reasons[c.Missing]
				if !ok {
					w = &where{}
					reasons[c.Missing] = w
					order = append(order, c.Missing)
				}
				w.rows = appendNew(w.rows, row.Label)
				w.cols = appendNew(w.cols, col.Label)
			}
		}
	}
	for _, reason := range order {
		w := reasons[reason]
		lines = append(lines, fmt.Sprintf("Not available (:) in %s × %s: %s.", strings.Join(w.rows, ", "), strings.Join(w.cols, ", "), reason))
	}
	return lines
}

func (a *answer) legend() string {
	s := "Flags: p provisional, b break in series, : not available (the reason is given with the table; never 0)"
	if a.policy.Enabled {
		label := a.policy.Label
		if label == "" {
			label = "c"
		}
		s += fmt.Sprintf(", %s a count from 1 to %d hidden, c hidden so that totals do not reveal another cell", label, a.policy.Threshold-1)
	}
	return s + "."
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func yearsText(ys []int) string {
	if len(ys) == 1 {
		return strconv.Itoa(ys[0])
	}
	return fmt.Sprintf("%d-%d", ys[0], ys[len(ys)-1])
}

// notesLines is the content of a Notes sheet: sections of rows of text.
func (a *answer) notesSections(n *notes) []section {
	var secs []section
	about := [][]string{
		{"Questionnaire", a.spec.Name},
		{"Title", a.spec.Title},
		{"Institution", a.spec.Institution},
		{"Reference years", yearsText(a.years)},
		{"Spec", a.spec.File},
		{"Store", n.Store},
		{"Canvas run", n.runText()},
	}
	secs = append(secs, section{"About this answer", []string{"", ""}, about})
	var qn [][]string
	for _, s := range a.spec.Notes {
		qn = append(qn, []string{s})
	}
	for _, t := range a.spec.Tables {
		for _, s := range t.Notes {
			qn = append(qn, []string{t.ID + ": " + s})
		}
	}
	if len(qn) > 0 {
		secs = append(secs, section{"Notes on this questionnaire", nil, qn})
	}
	secs = append(secs, section{"Counting rules", nil, a.countingRules()})
	secs = append(secs, section{"Suppression policy", nil, [][]string{{a.policyText()}}})
	secs = append(secs, section{"Flags", nil, [][]string{{a.legend()}}})
	for _, m := range []struct {
		title string
		t     metaTable
	}{
		{"Definitions (measure_definition)", n.Definitions},
		{"Sources and coverage (coverage)", n.Coverage},
		{"Series notes (series_note)", n.SeriesNotes},
		{"The canvas run that produced the figures (" + n.Run.Name + ")", n.Run},
	} {
		if m.t.Name == "" {
			secs = append(secs, section{m.title, nil, [][]string{{"The canvas has no such table."}}})
			continue
		}
		secs = append(secs, section{m.title, m.t.Columns, m.t.Rows})
	}
	return secs
}

type section struct {
	title  string
	header []string
	rows   [][]string
}

func (a *answer) countingRules() [][]string {
	rules := map[string]map[string]bool{}
	for _, c := range a.all {
		if c.Rule == "" {
			continue
		}
		m := strings.Join(c.Select["stage"], "+") + " " + strings.Join(c.Select["measure"], "+")
		if rules[m] == nil {
			rules[m] = map[string]bool{}
		}
		for _, r := range strings.Split(c.Rule, ", ") {
			rules[m][r] = true
		}
	}
	out := [][]string{
		{"Every figure is read from the canvas's indicator table; a unit counts once in every total (_T) and once under each value of a breakdown it has (docs/counting.md)."},
		{"Convictions are counted after the removal of double counting (versions, migration duplicates, decision chains, persons: canvas.md section 4)."},
		{"By form of exploitation a unit counts under each form it mentions, so forms may add up to more than the total; a category that groups several forms adds them up, so a unit with two forms of that category counts twice in it."},
		{"A combination with no indicator row is 0 in a year the source covers; a year a source does not cover is not available, never 0."},
	}
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, []string{k + ": counting rule " + strings.Join(sorted(rules[k]), ", ")})
	}
	return out
}

func (a *answer) policyText() string {
	if !a.policy.Enabled {
		return "No suppression: every count is shown as the canvas holds it (suppression is off for this answer; turn it on with --suppress)."
	}
	label := a.policy.Label
	if label == "" {
		label = "c"
	}
	return fmt.Sprintf("Counts from 1 to %d are hidden (shown as %s; SDMX CONF_STATUS C); further cells are hidden (shown as c; CONF_STATUS D) so that no total reveals a hidden cell. Zeros are shown. The restricted store keeps the true figures.",
		a.policy.Threshold-1, label)
}

func (a *answer) writeNotes(w *sheetWriter, st *styles, n *notes) {
	r := 1
	w.set(1, r, "Notes: "+a.spec.Title, st.title)
	r += 2
	for _, s := range a.notesSections(n) {
		w.set(1, r, s.title, st.title)
		r++
		if len(s.header) > 0 && s.header[0] != "" {
			for c, h := range s.header {
				w.set(c+1, r, h, st.header)
			}
			r++
		}
		for _, row := range s.rows {
			for c, v := range row {
				w.set(c+1, r, v, 0)
			}
			r++
		}
		r++
	}
	w.width(1, 1, 28)
	w.width(2, 12, 30)
}

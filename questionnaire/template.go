package questionnaire

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	yaml "go.yaml.in/yaml/v3"
)

//go:embed example/form.xlsx example/form-map.yaml
var exampleFiles embed.FS

// ExampleForm writes the example form and its mapping (example/ in this package, documented in
// README.md) into dir, and returns their paths: a demonstration of template filling.
func ExampleForm(dir string) (form, mapping string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	for _, name := range []string{"form.xlsx", "form-map.yaml"} {
		b, err := exampleFiles.ReadFile("example/" + name)
		if err != nil {
			return "", "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", "", fmt.Errorf("writing the example form: %w", err)
		}
	}
	return filepath.Join(dir, "form.xlsx"), filepath.Join(dir, "form-map.yaml"), nil
}

// Mapping says which cells of an institution's own XLSX form to fill, and from which indicator
// rows (README.md documents the format with an example).
type Mapping struct {
	File           string // where it was read from, for messages
	Template       string // the form, when the mapping names it (--template wins)
	Title          string
	Select         Selector // selector parts shared by every entry
	Suppression    Suppression
	MissingText    string // written where the canvas cannot answer (default "..")
	NotesSheet     string // the sheet added with the notes ("none": no notes sheet)
	RowLabelsIn    string // default column holding row labels (e.g. "A"; "" = anywhere)
	ColumnLabelsIn int    // default row holding column labels (0 = anywhere)
	Entries        []MapEntry
}

// MapEntry fills one cell of the form.
type MapEntry struct {
	Sheet          string
	Cell           string // a reference such as C7, or
	Row, Column    string // the labels of the cell's row and column, found in the sheet
	RowLabelsIn    string
	ColumnLabelsIn int
	Select         Selector
	YearOffset     int    // -1: the year before the reference year
	Missing        string // non-empty: the canvas cannot give this cell; the reason
	Write          string // "year": the reference year itself instead of a figure
	Line           int
}

// ParseMapping parses a mapping file; file names it in errors.
func ParseMapping(file string, b []byte) (*Mapping, error) {
	p := &parser{file: file}
	root, err := p.document(b)
	if err != nil {
		return nil, err
	}
	m := &Mapping{File: file, MissingText: "..", NotesSheet: "CIATTEH notes", Suppression: Suppression{Threshold: 5}}
	var colIn int64
	err = p.mapping(root, map[string]func(*yaml.Node) error{
		"shared":           func(*yaml.Node) error { return nil },
		"template":         p.str(&m.Template),
		"title":            p.str(&m.Title),
		"select":           p.selector(&m.Select),
		"missing_text":     p.str(&m.MissingText),
		"notes_sheet":      p.str(&m.NotesSheet),
		"row_labels_in":    p.str(&m.RowLabelsIn),
		"column_labels_in": p.integer(&colIn),
		"suppression": func(n *yaml.Node) error {
			return p.mapping(n, map[string]func(*yaml.Node) error{
				"enabled":   p.boolean(&m.Suppression.Enabled),
				"threshold": p.integer(&m.Suppression.Threshold),
				"label":     p.str(&m.Suppression.Label),
			})
		},
		"cells": func(n *yaml.Node) error {
			return p.sequence(n, func(c *yaml.Node) error {
				e := MapEntry{Line: c.Line}
				var off, in int64
				err := p.mapping(c, map[string]func(*yaml.Node) error{
					"sheet":            p.str(&e.Sheet),
					"cell":             p.str(&e.Cell),
					"row":              p.str(&e.Row),
					"column":           p.str(&e.Column),
					"row_labels_in":    p.str(&e.RowLabelsIn),
					"column_labels_in": p.integer(&in),
					"select":           p.selector(&e.Select),
					"year_offset":      p.integer(&off),
					"missing":          p.str(&e.Missing),
					"write":            p.str(&e.Write),
				})
				e.YearOffset, e.ColumnLabelsIn = int(off), int(in)
				m.Entries = append(m.Entries, e)
				return err
			})
		},
	})
	if err != nil {
		return nil, err
	}
	m.ColumnLabelsIn = int(colIn)
	if len(m.Entries) == 0 {
		return nil, p.errf(root, "the mapping fills no cells: add a `cells:` list")
	}
	if m.Suppression.Threshold < 1 {
		return nil, p.errf(root, "suppression threshold must be at least 1")
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		if e.RowLabelsIn == "" {
			e.RowLabelsIn = m.RowLabelsIn
		}
		if e.ColumnLabelsIn == 0 {
			e.ColumnLabelsIn = m.ColumnLabelsIn
		}
		bad := func(format string, a ...any) error {
			return &specError{File: file, Line: e.Line, Msg: fmt.Sprintf(format, a...)}
		}
		switch {
		case e.Sheet == "":
			return nil, bad("no sheet: every entry names its sheet")
		case e.Cell == "" && (e.Row == "" || e.Column == ""):
			return nil, bad("say which cell: `cell: C7`, or `row:` and `column:` labels found in the sheet")
		case e.Cell != "" && (e.Row != "" || e.Column != ""):
			return nil, bad("give either `cell:` or `row:` and `column:`, not both")
		case e.Write != "" && e.Write != "year":
			return nil, bad("write: %q: the only value is year", e.Write)
		}
	}
	return m, nil
}

// target is a mapping entry located in the form.
type target struct {
	entry *MapEntry
	ref   string
	year  int
	sel   Selector
	cell  *Cell
}

func fillTemplate(ctx context.Context, db *sql.DB, opts Options, v *Validator) (Result, error) {
	if opts.Map == "" {
		return Result{}, errors.New("a template needs its mapping file: give --map MAP.yaml")
	}
	if opts.Out == "" {
		return Result{}, errors.New("no output file: give --out FILE.xlsx")
	}
	if opts.FromYear != opts.ToYear {
		return Result{}, errors.New("a template is filled for one reference year: give --year Y (use year_offset in the mapping for other years)")
	}
	year := opts.Year
	if opts.FromYear != 0 {
		year = opts.FromYear
	}
	if year == 0 {
		return Result{}, errors.New("no reference year: give --year Y")
	}
	b, err := os.ReadFile(opts.Map)
	if err != nil {
		return Result{}, fmt.Errorf("reading mapping: %w", err)
	}
	m, err := ParseMapping(opts.Map, b)
	if err != nil {
		return Result{}, err
	}
	tpl := opts.Template
	if tpl == "" && m.Template != "" {
		tpl = m.Template
		if !filepath.IsAbs(tpl) {
			tpl = filepath.Join(filepath.Dir(opts.Map), tpl)
		}
	}
	if tpl == "" {
		return Result{}, errors.New("no template: give --template FORM.xlsx or `template:` in the mapping")
	}
	f, err := excelize.OpenFile(tpl)
	if err != nil {
		return Result{}, fmt.Errorf("opening template %s: %w", tpl, err)
	}
	defer f.Close()
	targets, err := m.locate(f, year, v)
	if err != nil {
		return Result{}, err
	}
	if m.NotesSheet != "" && m.NotesSheet != "none" {
		if idx, _ := f.GetSheetIndex(m.NotesSheet); idx >= 0 {
			return Result{}, &specError{File: m.File, Msg: fmt.Sprintf("the template already has a sheet %q: set notes_sheet to another name, or none", m.NotesSheet)}
		}
	}

	// resolve every cell, then suppress across the whole form
	lo, hi := year, year
	var sels []Selector
	for _, t := range targets {
		lo, hi = min(lo, t.year), max(hi, t.year)
		if t.sel != nil {
			sels = append(sels, t.sel)
		}
	}
	cd, err := loadCanvas(ctx, db, lo, hi, sels)
	if err != nil {
		return Result{}, err
	}
	policy := m.Suppression
	if opts.Suppress != nil {
		policy.Enabled = *opts.Suppress
	}
	var cells []*Cell
	for i := range targets {
		t := &targets[i]
		switch {
		case t.entry.Write == "year":
			continue
		case t.entry.Missing != "":
			t.cell = &Cell{Year: t.year, Select: t.entry.Select.full(), Missing: t.entry.Missing}
		default:
			c := cd.resolve(t.year, t.sel)
			t.cell = &c
		}
		cells = append(cells, t.cell)
	}
	suppress(cells, policy)

	title := m.Title
	if title == "" {
		title = "Form " + filepath.Base(tpl)
	}
	a := &answer{spec: &Spec{Name: filepath.Base(tpl), Title: title, File: m.File}, years: []int{year}, policy: policy, all: cells}
	res := Result{Name: filepath.Base(tpl), Years: []int{year}}
	for _, t := range targets {
		var err error
		switch {
		case t.cell == nil:
			err = f.SetCellInt(t.entry.Sheet, t.ref, int64(t.year))
		default:
			res.Cells++
			switch v := a.shown(t.cell).(type) {
			case int64:
				err = f.SetCellInt(t.entry.Sheet, t.ref, v)
			case string:
				if t.cell.Missing != "" {
					v = m.MissingText
					res.Missing++
				} else {
					res.Suppressed++
				}
				err = f.SetCellStr(t.entry.Sheet, t.ref, safeText(v))
			}
		}
		if err != nil {
			return res, fmt.Errorf("%s:%d: writing %s!%s: %w", m.File, t.entry.Line, t.entry.Sheet, t.ref, err)
		}
	}
	if m.NotesSheet != "" && m.NotesSheet != "none" {
		notes, err := readNotes(ctx, db, a.scope())
		if err != nil {
			return res, err
		}
		notes.Store = opts.Store
		res.RunID = notes.RunID
		if _, err := f.NewSheet(m.NotesSheet); err != nil {
			return res, fmt.Errorf("adding sheet %s: %w", m.NotesSheet, err)
		}
		st, err := newStyles(f)
		if err != nil {
			return res, err
		}
		w := &sheetWriter{f: f, sheet: m.NotesSheet}
		a.writeNotes(w, st, notes)
		a.writeFilled(w, targets, m)
		if w.err != nil {
			return res, fmt.Errorf("writing notes sheet: %w", w.err)
		}
	}
	yes := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &yes}); err != nil {
		return res, fmt.Errorf("writing %s: %w", opts.Out, err)
	}
	if err := f.SaveAs(opts.Out); err != nil {
		return res, fmt.Errorf("writing %s: %w", opts.Out, err)
	}
	res.Files = []string{opts.Out}
	return res, nil
}

// writeFilled appends to the notes sheet the list of filled cells: where, what, and the result.
func (a *answer) writeFilled(w *sheetWriter, targets []target, m *Mapping) {
	rows, _ := w.f.GetRows(w.sheet)
	r := len(rows) + 2
	w.set(1, r, "Cells filled (mapping "+m.File+")", 0)
	r++
	for c, h := range []string{"sheet", "cell", "mapping line", "year", "selector", "value", "status"} {
		w.set(c+1, r, h, 0)
	}
	r++
	for _, t := range targets {
		val, status := strconv.Itoa(t.year), "reference year"
		sel := ""
		if t.cell != nil {
			sel = t.cell.Select.String()
			switch x := a.shown(t.cell).(type) {
			case int64:
				val, status = strconv.FormatInt(x, 10), longFlag(t.cell)
			case string:
				val, status = x, longFlag(t.cell)
				if t.cell.Missing != "" {
					val, status = m.MissingText, "not available: "+t.cell.Missing
				}
			}
		}
		for c, v := range []any{t.entry.Sheet, t.ref, t.entry.Line, strconv.Itoa(t.year), sel, val, status} {
			w.set(c+1, r, v, 0)
		}
		r++
	}
}

// locate finds every entry's cell in the form and checks its selector, failing on the first
// problem with the mapping line.
func (m *Mapping) locate(f *excelize.File, year int, v *Validator) ([]target, error) {
	sheets := map[string]bool{}
	for _, s := range f.GetSheetList() {
		sheets[s] = true
	}
	grids := map[string][][]string{}
	seen := map[string]int{}
	var out []target
	for i := range m.Entries {
		e := &m.Entries[i]
		bad := func(format string, a ...any) error {
			return &specError{File: m.File, Line: e.Line, Msg: fmt.Sprintf(format, a...)}
		}
		if !sheets[e.Sheet] {
			return nil, bad("unknown sheet %q (the template has: %s)", e.Sheet, strings.Join(f.GetSheetList(), ", "))
		}
		ref := e.Cell
		if ref != "" {
			c, r, err := excelize.CellNameToCoordinates(ref)
			if err != nil || c > 16384 || r > 1048576 {
				return nil, bad("cell %q is not a cell reference such as C7", ref)
			}
			ref, _ = excelize.CoordinatesToCellName(c, r)
		} else {
			g, ok := grids[e.Sheet]
			if !ok {
				var err error
				g, err = f.GetRows(e.Sheet)
				if err != nil {
					return nil, bad("reading sheet %q: %v", e.Sheet, err)
				}
				grids[e.Sheet] = g
			}
			var err error
			ref, err = findByLabels(g, e)
			if err != nil {
				return nil, bad("sheet %q: %v", e.Sheet, err)
			}
		}
		if l, dup := seen[e.Sheet+"!"+ref]; dup {
			return nil, bad("cell %s!%s is already filled by the entry at line %d", e.Sheet, ref, l)
		}
		seen[e.Sheet+"!"+ref] = e.Line
		if fm, _ := f.GetCellFormula(e.Sheet, ref); fm != "" {
			return nil, bad("cell %s!%s holds a formula (=%s): filling it would destroy the formula; map the cells it adds up instead", e.Sheet, ref, fm)
		}
		if inside, top := insideMerge(f, e.Sheet, ref); inside {
			return nil, bad("cell %s!%s is inside a merged range whose first cell is %s: map %s", e.Sheet, ref, top, top)
		}
		t := target{entry: e, ref: ref, year: year + e.YearOffset}
		if e.Write == "" && e.Missing == "" {
			t.sel = m.Select.merge(e.Select).full()
			if err := v.Check(t.sel); err != nil {
				return nil, bad("%v", err)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

func insideMerge(f *excelize.File, sheet, ref string) (bool, string) {
	mcs, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return false, ""
	}
	c, r, _ := excelize.CellNameToCoordinates(ref)
	for _, mc := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		if c >= c1 && c <= c2 && r >= r1 && r <= r2 && (c != c1 || r != r1) {
			return true, mc.GetStartAxis()
		}
	}
	return false, ""
}

func normLabel(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// findByLabels finds the cell at the crossing of the row whose label is e.Row and the column
// whose label is e.Column.
func findByLabels(g [][]string, e *MapEntry) (string, error) {
	labelCol := 0
	if e.RowLabelsIn != "" {
		c, err := excelize.ColumnNameToNumber(e.RowLabelsIn)
		if err != nil {
			return "", fmt.Errorf("row_labels_in %q is not a column letter", e.RowLabelsIn)
		}
		labelCol = c
	}
	var rowHits, colHits []string
	row, col := 0, 0
	for ri, cells := range g {
		for ci, v := range cells {
			if normLabel(v) == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
			if normLabel(v) == normLabel(e.Row) && (labelCol == 0 || labelCol == ci+1) {
				if row != ri+1 {
					rowHits = append(rowHits, ref)
				}
				row = ri + 1
			}
			if normLabel(v) == normLabel(e.Column) && (e.ColumnLabelsIn == 0 || e.ColumnLabelsIn == ri+1) {
				if col != ci+1 {
					colHits = append(colHits, ref)
				}
				col = ci + 1
			}
		}
	}
	switch {
	case len(rowHits) == 0:
		return "", fmt.Errorf("no row labelled %q", e.Row)
	case len(colHits) == 0:
		return "", fmt.Errorf("no column labelled %q", e.Column)
	case len(rowHits) > 1:
		return "", fmt.Errorf("row label %q is found in several rows (%s): set row_labels_in to the column of the row labels, or use cell:", e.Row, strings.Join(rowHits, ", "))
	case len(colHits) > 1:
		return "", fmt.Errorf("column label %q is found in several columns (%s): set column_labels_in to the row of the column labels, or use cell:", e.Column, strings.Join(colHits, ", "))
	}
	return excelize.CoordinatesToCellName(col, row)
}

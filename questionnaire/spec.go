package questionnaire

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

//go:embed specs/*.yaml
var embeddedSpecs embed.FS

// BuiltIn returns the names of the built-in questionnaires, sorted.
func BuiltIn() []string {
	ents, err := fs.ReadDir(embeddedSpecs, "specs")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltInSpec returns the YAML text of a built-in questionnaire, for an analyst to copy, edit and
// pass back with --spec.
func BuiltInSpec(name string) ([]byte, error) {
	b, err := embeddedSpecs.ReadFile("specs/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in questionnaire %q (built in: %s)", name, strings.Join(BuiltIn(), ", "))
	}
	return b, nil
}

// Spec is one questionnaire, as read from its YAML file.
type Spec struct {
	File        string // where it was read from, for messages
	Name        string
	Title       string
	Institution string
	Select      Selector          // selector parts shared by every cell
	Codes       map[string]string // output codes shared by every cell (SDMX dimensions, long columns)
	Notes       []string
	Suppression Suppression
	SDMX        *SDMXSettings // nil: no SDMX output
	Long        *LongSettings // nil: no long layout
	Tables      []Table
}

// Suppression is the small-cell policy of an output (canvas.md section 6).
type Suppression struct {
	Enabled   bool
	Threshold int64  // counts from 1 to Threshold-1 are hidden
	Label     string // what a hidden cell shows in XLSX and CSV, e.g. "<5"
}

// SDMXSettings are the settings of the SDMX-CSV 2.0 output: the ids of the transmission
// instructions, which change without code changes.
type SDMXSettings struct {
	Structure   string   // "dataflow" or "datastructure"
	StructureID string   // e.g. ESTAT:CRIM_THB(1.0)
	Action      string   // I (information), R (replace), ...
	Dimensions  []string // column order; each is a code key set on the spec, table, row or column
}

// LongSettings describe a long layout (one row per cell), as UNODC's GLOTIP wants it.
type LongSettings struct {
	Sheet   string   // sheet name in the workbook
	Columns []string // code keys, or the special columns year, value, flag, note
}

// Table is one table of a questionnaire: one sheet in the workbook.
type Table struct {
	ID      string
	Title   string
	Sheet   string
	Select  Selector
	Codes   map[string]string
	Notes   []string
	Rows    []Line
	Columns []Line
	Cells   []CellRule
	Line    int
}

// Line is a row or a column of a table.
type Line struct {
	ID      string
	Label   string
	Select  Selector
	Codes   map[string]string
	Missing string // non-empty: the canvas cannot give this line; the reason
	Line    int
}

// CellRule overrides one cell of a table (at a row and a column).
type CellRule struct {
	Row, Column string
	Select      Selector
	Codes       map[string]string
	Missing     string
	Line        int
}

// selectorKeys are the dimensions of the indicator table that a selector may name, in the
// table's column order.
func selectorKeys() []string {
	return []string{"phenomenon", "stage", "measure", "sex", "age_group", "citizenship", "district", "exploitation"}
}

// breakdowns are the dimensions with a `_T` total.
func breakdowns() []string {
	return []string{"sex", "age_group", "citizenship", "district", "exploitation"}
}

// Selector names indicator rows: for each dimension the codes to add up. A breakdown not named
// is `_T`. Several codes add their values (e.g. citizenship [EU_OTH, NEU] for "foreign").
type Selector map[string][]string

// merge returns s with the dimensions of o laid over it.
func (s Selector) merge(o Selector) Selector {
	out := Selector{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// String renders the selector in a stable order, as in a spec file.
func (s Selector) String() string {
	var parts []string
	for _, k := range selectorKeys() {
		v, ok := s[k]
		if !ok {
			continue
		}
		if len(v) == 1 {
			parts = append(parts, k+"="+v[0])
		} else {
			parts = append(parts, k+"="+strings.Join(v, "+"))
		}
	}
	return strings.Join(parts, " ")
}

// full returns the selector with every breakdown filled (`_T` where not named).
func (s Selector) full() Selector {
	out := s.merge(nil)
	for _, d := range breakdowns() {
		if _, ok := out[d]; !ok {
			out[d] = []string{"_T"}
		}
	}
	return out
}

// specError is an error located at a line of a spec or mapping file.
type specError struct {
	File string
	Line int
	Msg  string
}

func (e *specError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// LoadSpec reads a questionnaire: a built-in one by name when file is empty, otherwise the YAML
// file the analyst edited. Errors name the file and line.
func LoadSpec(name, file string, v *Validator) (*Spec, error) {
	var b []byte
	src := file
	if file == "" {
		var err error
		b, err = BuiltInSpec(name)
		if err != nil {
			return nil, err
		}
		src = "built-in specs/" + name + ".yaml"
	} else {
		var err error
		b, err = os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading questionnaire spec: %w", err)
		}
	}
	s, err := ParseSpec(src, b, v)
	if err != nil {
		return nil, err
	}
	if file != "" && name != "" && s.Name != name && filepath.Base(file) != name {
		return nil, &specError{File: src, Msg: fmt.Sprintf("the file defines questionnaire %q, not %q", s.Name, name)}
	}
	return s, nil
}

// ParseSpec parses and validates a questionnaire spec; file names the source in errors.
func ParseSpec(file string, b []byte, v *Validator) (*Spec, error) {
	p := &parser{file: file}
	root, err := p.document(b)
	if err != nil {
		return nil, err
	}
	s := &Spec{File: file, Suppression: Suppression{Threshold: 5}}
	err = p.mapping(root, map[string]func(*yaml.Node) error{
		"shared":      func(*yaml.Node) error { return nil }, // a place for YAML anchors (&name) used below
		"name":        p.str(&s.Name),
		"title":       p.str(&s.Title),
		"institution": p.str(&s.Institution),
		"select":      p.selector(&s.Select),
		"codes":       p.codes(&s.Codes),
		"notes":       p.strs(&s.Notes),
		"suppression": func(n *yaml.Node) error {
			return p.mapping(n, map[string]func(*yaml.Node) error{
				"enabled":   p.boolean(&s.Suppression.Enabled),
				"threshold": p.integer(&s.Suppression.Threshold),
				"label":     p.str(&s.Suppression.Label),
			})
		},
		"sdmx": func(n *yaml.Node) error {
			s.SDMX = &SDMXSettings{Structure: "dataflow", Action: "I"}
			return p.mapping(n, map[string]func(*yaml.Node) error{
				"structure":    p.str(&s.SDMX.Structure),
				"structure_id": p.str(&s.SDMX.StructureID),
				"action":       p.str(&s.SDMX.Action),
				"dimensions":   p.strs(&s.SDMX.Dimensions),
			})
		},
		"long": func(n *yaml.Node) error {
			s.Long = &LongSettings{}
			return p.mapping(n, map[string]func(*yaml.Node) error{
				"sheet":   p.str(&s.Long.Sheet),
				"columns": p.strs(&s.Long.Columns),
			})
		},
		"tables": func(n *yaml.Node) error {
			return p.sequence(n, func(item *yaml.Node) error {
				t, err := p.table(item)
				if err != nil {
					return err
				}
				s.Tables = append(s.Tables, t)
				return nil
			})
		},
	})
	if err != nil {
		return nil, err
	}
	if err := s.validate(root, v); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Spec) validate(root *yaml.Node, v *Validator) error {
	e := func(line int, format string, a ...any) error {
		return &specError{File: s.File, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if s.Name == "" {
		return e(root.Line, "the questionnaire has no name: add `name: ...`")
	}
	if len(s.Tables) == 0 {
		return e(root.Line, "the questionnaire has no tables")
	}
	if s.Suppression.Threshold < 1 {
		return e(root.Line, "suppression threshold must be at least 1")
	}
	if s.SDMX != nil && (s.SDMX.StructureID == "" || len(s.SDMX.Dimensions) == 0) {
		return e(root.Line, "sdmx needs structure_id and dimensions")
	}
	if s.Long != nil && len(s.Long.Columns) == 0 {
		return e(root.Line, "long needs columns")
	}
	sheets := map[string]int{}
	cells := 0
	for _, t := range s.Tables {
		cells += len(t.Rows) * len(t.Columns)
	}
	if cells > maxCells {
		return e(root.Line, "the tables have %d cells; at most %d", cells, maxCells)
	}
	for ti := range s.Tables {
		t := &s.Tables[ti]
		if t.ID == "" {
			return e(t.Line, "a table has no id")
		}
		if t.Sheet == "" {
			t.Sheet = t.ID
		}
		if len(t.Sheet) > 31 || strings.ContainsAny(t.Sheet, `[]:*?/\`) {
			return e(t.Line, "sheet name %q: at most 31 characters, none of []:*?/\\", t.Sheet)
		}
		if l, dup := sheets[strings.ToLower(t.Sheet)]; dup {
			return e(t.Line, "sheet %q is also used by the table at line %d", t.Sheet, l)
		}
		sheets[strings.ToLower(t.Sheet)] = t.Line
		if len(t.Rows) == 0 || len(t.Columns) == 0 {
			return e(t.Line, "table %s needs rows and columns", t.ID)
		}
		for _, ls := range [][]Line{t.Rows, t.Columns} {
			seen := map[string]bool{}
			for i := range ls {
				if ls[i].ID == "" {
					ls[i].ID = ls[i].Label
				}
				if ls[i].ID == "" {
					return e(ls[i].Line, "a row or column needs an id or a label")
				}
				if seen[ls[i].ID] {
					return e(ls[i].Line, "id %q is used twice in table %s", ls[i].ID, t.ID)
				}
				seen[ls[i].ID] = true
			}
		}
		for _, c := range t.Cells {
			if t.row(c.Row) == nil {
				return e(c.Line, "table %s has no row %q", t.ID, c.Row)
			}
			if t.column(c.Column) == nil {
				return e(c.Line, "table %s has no column %q", t.ID, c.Column)
			}
		}
		for ri := range t.Rows {
			for ci := range t.Columns {
				d := s.define(t, ri, ci)
				if s.SDMX != nil {
					for _, dim := range s.SDMX.Dimensions {
						if _, ok := d.Codes[dim]; !ok {
							return e(d.Line, "table %s, row %q, column %q: no code for SDMX dimension %s: add it under codes", t.ID, t.Rows[ri].ID, t.Columns[ci].ID, dim)
						}
					}
				}
				if s.Long != nil {
					for _, col := range s.Long.Columns {
						if _, ok := d.Codes[col]; !ok && col != "year" && col != "value" && col != "flag" && col != "note" {
							return e(d.Line, "table %s, row %q, column %q: no code for long column %s: add it under codes", t.ID, t.Rows[ri].ID, t.Columns[ci].ID, col)
						}
					}
				}
				if d.Missing != "" {
					continue
				}
				if err := v.Check(d.Select); err != nil {
					return e(d.Line, "table %s, row %q, column %q: %v", t.ID, t.Rows[ri].ID, t.Columns[ci].ID, err)
				}
			}
		}
	}
	return nil
}

func (t *Table) row(id string) *Line {
	for i := range t.Rows {
		if t.Rows[i].ID == id {
			return &t.Rows[i]
		}
	}
	return nil
}

func (t *Table) column(id string) *Line {
	for i := range t.Columns {
		if t.Columns[i].ID == id {
			return &t.Columns[i]
		}
	}
	return nil
}

// cellDef is what a spec says about one cell: the merged selector and codes, or why it is missing.
type cellDef struct {
	Select  Selector
	Codes   map[string]string
	Missing string
	Line    int // the spec line that last shaped the cell, for messages
}

// define merges the layers of a spec into one cell's definition: questionnaire, table, row,
// column, then a cell rule.
func (s *Spec) define(t *Table, ri, ci int) cellDef {
	r, c := t.Rows[ri], t.Columns[ci]
	d := cellDef{
		Select: s.Select.merge(t.Select).merge(r.Select).merge(c.Select),
		Codes:  mergeCodes(s.Codes, t.Codes, r.Codes, c.Codes),
		Line:   c.Line,
	}
	if r.Line > c.Line {
		d.Line = r.Line
	}
	switch {
	case r.Missing != "":
		d.Missing, d.Line = r.Missing, r.Line
	case c.Missing != "":
		d.Missing, d.Line = c.Missing, c.Line
	}
	for _, cr := range t.Cells {
		if cr.Row == r.ID && cr.Column == c.ID {
			d.Select = d.Select.merge(cr.Select)
			d.Codes = mergeCodes(d.Codes, cr.Codes)
			d.Line = cr.Line
			if cr.Missing != "" {
				d.Missing = cr.Missing
			}
		}
	}
	return d
}

func mergeCodes(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// parser walks a YAML node tree, keeping line numbers for messages and refusing unknown keys.
type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, format string, a ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &specError{File: p.file, Line: line, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) document(b []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		// yaml.v3 messages already carry "line N"
		return nil, &specError{File: p.file, Msg: err.Error()}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &specError{File: p.file, Msg: "empty file"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, "expected a mapping at the top of the file")
	}
	// aliases (*name) are followed while parsing: refuse a file whose aliases expand into an
	// unreasonable number of nodes (a "billion laughs" file) before walking it
	budget := maxNodes
	if !withinBudget(root, &budget) {
		return nil, p.errf(root, "the file expands to more than %d YAML nodes through its aliases (*name): use fewer aliases", maxNodes)
	}
	return root, nil
}

// maxCells bounds the cells of a questionnaire (all tables, one year).
const maxCells = 50000

// maxNodes bounds the size of a spec or mapping file once its aliases are expanded.
const maxNodes = 200000

func withinBudget(n *yaml.Node, budget *int) bool {
	n = deref(n)
	*budget--
	if *budget < 0 || n == nil {
		return *budget >= 0
	}
	for _, c := range n.Content {
		if !withinBudget(c, budget) {
			return false
		}
	}
	return true
}

// deref follows a YAML alias (*name) to its anchor, so that specs can share a list of columns.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func (p *parser) mapping(n *yaml.Node, fields map[string]func(*yaml.Node) error) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return p.errf(n, "expected a mapping (key: value lines)")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			var known []string
			for name := range fields {
				known = append(known, name)
			}
			sort.Strings(known)
			return p.errf(k, "unknown key %q (known here: %s)", k.Value, strings.Join(known, ", "))
		}
		if err := f(deref(v)); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) sequence(n *yaml.Node, item func(*yaml.Node) error) error {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return p.errf(n, "expected a list (lines starting with -)")
	}
	for _, c := range n.Content {
		if err := item(deref(c)); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) str(dst *string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode {
			return p.errf(n, "expected a single value")
		}
		*dst = n.Value
		return nil
	}
}

func (p *parser) strs(dst *[]string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind == yaml.ScalarNode {
			*dst = append(*dst, n.Value)
			return nil
		}
		return p.sequence(n, func(c *yaml.Node) error {
			if c.Kind != yaml.ScalarNode {
				return p.errf(c, "expected a single value")
			}
			*dst = append(*dst, c.Value)
			return nil
		})
	}
}

func (p *parser) boolean(dst *bool) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			return p.errf(n, "expected true or false, not %q", n.Value)
		}
		*dst = b
		return nil
	}
}

func (p *parser) integer(dst *int64) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			return p.errf(n, "expected a whole number, not %q", n.Value)
		}
		*dst = i
		return nil
	}
}

func (p *parser) codes(dst *map[string]string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.MappingNode {
			return p.errf(n, "expected a mapping of codes (KEY: value)")
		}
		if *dst == nil {
			*dst = map[string]string{}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], deref(n.Content[i+1])
			if v.Kind != yaml.ScalarNode {
				return p.errf(v, "code %s: expected a single value", k.Value)
			}
			(*dst)[k.Value] = v.Value
		}
		return nil
	}
}

func (p *parser) selector(dst *Selector) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.MappingNode {
			return p.errf(n, "expected a selector mapping (measure: ..., sex: ...)")
		}
		if *dst == nil {
			*dst = Selector{}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			known := false
			for _, sk := range selectorKeys() {
				known = known || sk == k.Value
			}
			if !known {
				return p.errf(k, "unknown selector dimension %q (known: %s)", k.Value, strings.Join(selectorKeys(), ", "))
			}
			var vals []string
			if err := p.strs(&vals)(deref(v)); err != nil {
				return err
			}
			if len(vals) == 0 {
				return p.errf(v, "selector %s: no code given", k.Value)
			}
			(*dst)[k.Value] = vals
		}
		return nil
	}
}

func (p *parser) line(n *yaml.Node) (Line, error) {
	l := Line{Line: n.Line}
	err := p.mapping(n, map[string]func(*yaml.Node) error{
		"id":      p.str(&l.ID),
		"label":   p.str(&l.Label),
		"select":  p.selector(&l.Select),
		"codes":   p.codes(&l.Codes),
		"missing": p.str(&l.Missing),
	})
	return l, err
}

func (p *parser) table(n *yaml.Node) (Table, error) {
	t := Table{Line: n.Line}
	err := p.mapping(n, map[string]func(*yaml.Node) error{
		"id":     p.str(&t.ID),
		"title":  p.str(&t.Title),
		"sheet":  p.str(&t.Sheet),
		"select": p.selector(&t.Select),
		"codes":  p.codes(&t.Codes),
		"notes":  p.strs(&t.Notes),
		"rows": func(n *yaml.Node) error {
			return p.sequence(n, func(c *yaml.Node) error {
				l, err := p.line(c)
				t.Rows = append(t.Rows, l)
				return err
			})
		},
		"columns": func(n *yaml.Node) error {
			return p.sequence(n, func(c *yaml.Node) error {
				l, err := p.line(c)
				t.Columns = append(t.Columns, l)
				return err
			})
		},
		"cells": func(n *yaml.Node) error {
			return p.sequence(n, func(c *yaml.Node) error {
				cr := CellRule{Line: c.Line}
				err := p.mapping(c, map[string]func(*yaml.Node) error{
					"row":     p.str(&cr.Row),
					"column":  p.str(&cr.Column),
					"select":  p.selector(&cr.Select),
					"codes":   p.codes(&cr.Codes),
					"missing": p.str(&cr.Missing),
				})
				t.Cells = append(t.Cells, cr)
				return err
			})
		},
	})
	return t, err
}

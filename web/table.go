package web

import (
	"context"
	"database/sql"
	"fmt"
)

// Cell is one figure as members see it: the count (when shown), its observation status, and
// whether the suppression policy hides it.
type Cell struct {
	Value   int64
	Status  string // A normal, P provisional, B break in series, M missing
	Conf    string // "" shown, "C" hidden (small count), "D" hidden (secondary suppression)
	Missing bool   // the source does not cover the year: no figure, not zero
}

// Shown reports whether the cell's count may be shown.
func (c Cell) Shown() bool { return !c.Missing && c.Conf == "" }

// Text renders the cell for a table: the count, "<5", "x" or ":".
func (c Cell) Text(l *Lang) string {
	switch {
	case c.Missing:
		return ":"
	case c.Conf == "C":
		return "<5"
	case c.Conf == "D":
		return "x"
	}
	return l.Num(c.Value)
}

// Flag is the cell's status sign: "p", "b" or "".
func (c Cell) Flag() string {
	switch c.Status {
	case "P":
		return "p"
	case "B":
		return "b"
	}
	return ""
}

// Row is one row of a table: a category (or a measure) and a cell per year.
type Row struct {
	Key, Label string
	Stage      string // the measure's stage, in tables whose rows are measures
	Total      bool
	Cells      []Cell
}

// Table is a table as shown and downloaded: rows by columns (years).
type Table struct {
	Phenomenon string
	Measure    string // "" when the rows are measures
	Dim        string // breakdown of the rows: "measure" or a dimension
	Years      []int
	Rows       []Row
}

// Policy is the output suppression policy: counts from Min to Max are hidden, and so is one more
// cell wherever a total would reveal a single hidden count.
type Policy struct{ Min, Max int64 }

// DefaultPolicy hides counts from 1 to 4 (canvas.md section 6).
func DefaultPolicy() Policy { return Policy{Min: 1, Max: 4} }

// primary hides small counts.
func (p Policy) primary(c *Cell) {
	if !c.Missing && c.Value >= p.Min && c.Value <= p.Max {
		c.Conf = "C"
	}
}

// Apply applies the policy to a table. Rows that are totals (Total) and the rows that add up to
// them form one group per column: with exactly one hidden count among the categories, the next
// smallest non-zero category is hidden too (D), or the total when there is none, so that the
// hidden count cannot be recomputed. Tables without a total row get primary suppression only.
func (p Policy) Apply(t *Table) {
	for i := range t.Rows {
		for j := range t.Rows[i].Cells {
			p.primary(&t.Rows[i].Cells[j])
		}
	}
	total := -1
	for i, r := range t.Rows {
		if r.Total {
			total = i
		}
	}
	if total < 0 {
		return
	}
	for j := range t.Years {
		hidden, cand := 0, -1
		for i, r := range t.Rows {
			if i == total {
				continue
			}
			c := r.Cells[j]
			switch {
			case c.Conf == "C":
				hidden++
			case c.Shown() && c.Value > 0 && (cand < 0 || c.Value < t.Rows[cand].Cells[j].Value):
				cand = i
			}
		}
		if hidden != 1 {
			continue
		}
		if cand >= 0 {
			t.Rows[cand].Cells[j].Conf = "D"
		} else if tc := &t.Rows[total].Cells[j]; tc.Shown() {
			tc.Conf = "D"
		}
	}
}

// dims are the breakdowns of the indicator table, in the order of the pages.
func dims() []string { return []string{"sex", "age_group", "citizenship", "district", "exploitation"} }

func isDim(d string) bool {
	for _, x := range dims() {
		if x == d {
			return true
		}
	}
	return false
}

// totalsOnly is the WHERE clause for the total over every breakdown but keep.
func totalsOnly(keep string) string {
	s := ""
	for _, d := range dims() {
		if d != keep {
			s += " AND " + d + " = '_T'"
		}
	}
	return s
}

// fill reads (key, year, value, status) rows into the table's cells. A combination with no row is 0
// in a covered year, with the status of the year's other cells (P before B before A), and missing
// where the measure has only an M row for the year.
func fill(ctx context.Context, v *version, t *Table, q string, args ...any) (found map[string]bool, err error) {
	idx := map[string]int{}
	for i, r := range t.Rows {
		idx[r.Key] = i
	}
	yi := map[int]int{}
	for j, y := range t.Years {
		yi[y] = j
	}
	rows, err := v.app.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the indicator: %w", err)
	}
	defer rows.Close()
	found = map[string]bool{}
	set := make([][]bool, len(t.Rows))
	for i := range set {
		set[i] = make([]bool, len(t.Years))
	}
	colStatus := make([]string, len(t.Years))
	colMissing := make([]bool, len(t.Years))
	for rows.Next() {
		var key, status string
		var year int
		var val sql.NullInt64
		if err := rows.Scan(&key, &year, &val, &status); err != nil {
			return nil, err
		}
		j, ok := yi[year]
		if !ok {
			continue
		}
		switch {
		case status == "M":
			colMissing[j] = true
		case status == "P" || colStatus[j] == "":
			colStatus[j] = status
		case status == "B" && colStatus[j] == "A":
			colStatus[j] = status
		}
		i, ok := idx[key]
		if !ok {
			continue
		}
		if key != "_T" {
			found[key] = true
		}
		set[i][j] = true
		t.Rows[i].Cells[j] = Cell{Value: val.Int64, Status: status, Missing: status == "M" || !val.Valid}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range t.Rows {
		for j := range t.Years {
			if set[i][j] {
				continue
			}
			st := colStatus[j]
			if st == "" {
				st = "A"
			}
			t.Rows[i].Cells[j] = Cell{Status: st, Missing: colMissing[j] && colStatus[j] == ""}
		}
	}
	return found, nil
}

// overviewTable is every measure of a phenomenon (totals) by year.
func overviewTable(ctx context.Context, v *version, l *Lang, phen string) (*Table, error) {
	m := v.meta
	t := &Table{Phenomenon: phen, Dim: "measure", Years: m.Years()}
	for _, mi := range m.Measures {
		t.Rows = append(t.Rows, Row{Key: mi.Measure, Stage: mi.Stage, Label: measureLabel(l, mi), Cells: make([]Cell, len(t.Years))})
	}
	// measures are filled one by one so that a missing row is read per measure
	all := *t
	for i := range t.Rows {
		one := all
		one.Rows = t.Rows[i : i+1]
		if _, err := fill(ctx, v, &one, "SELECT measure, ref_year, value, obs_status FROM indicator WHERE phenomenon = ? AND measure = ?"+totalsOnly(""),
			phen, t.Rows[i].Key); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// breakdownTable is one measure of a phenomenon by one breakdown, by year, with its total row.
// hasBreakdown is false when the measure has only totals for that breakdown.
func breakdownTable(ctx context.Context, v *version, l *Lang, phen, measure, dim string) (t *Table, hasBreakdown bool, err error) {
	t = &Table{Phenomenon: phen, Measure: measure, Dim: dim, Years: v.meta.Years()}
	for _, c := range categories(v.meta, phen, dim) {
		t.Rows = append(t.Rows, Row{Key: c, Label: codeLabel(l, v.meta, dim, c), Total: c == "_T", Cells: make([]Cell, len(t.Years))})
	}
	q := "SELECT " + dim + ", ref_year, value, obs_status FROM indicator WHERE phenomenon = ? AND measure = ?" + totalsOnly(dim)
	found, err := fill(ctx, v, t, q, phen, measure)
	if err != nil {
		return nil, false, err
	}
	// codes in the canvas that the lists do not know are shown too (after the known ones)
	extra, err := readGeneric(ctx, v.app, "SELECT DISTINCT "+dim+" FROM indicator WHERE phenomenon = ? AND measure = ?"+totalsOnly(dim)+" ORDER BY 1", phen, measure)
	if err == nil {
		known := map[string]bool{}
		for _, r := range t.Rows {
			known[r.Key] = true
		}
		var add []Row
		for _, r := range extra.Rows {
			if !known[r[0]] {
				add = append(add, Row{Key: r[0], Label: r[0], Cells: make([]Cell, len(t.Years))})
			}
		}
		if len(add) > 0 {
			tot := t.Rows[len(t.Rows)-1]
			t.Rows = append(append(t.Rows[:len(t.Rows)-1], add...), tot)
			if found, err = fill(ctx, v, t, q, phen, measure); err != nil {
				return nil, false, err
			}
		}
	}
	if len(found) == 0 {
		// only the total: drop the empty categories
		t.Rows = t.Rows[len(t.Rows)-1:]
		return t, false, nil
	}
	return t, true, nil
}

// categories lists a breakdown's codes in display order, total last.
func categories(m *Meta, phen, dim string) []string {
	var cs []string
	switch dim {
	case "sex":
		cs = []string{"M", "F", "_U"}
	case "age_group":
		cs = []string{"Y_LT18", "Y_GE18", "_U"}
	case "citizenship":
		cs = []string{"NAT", "EU_OTH", "NEU", "_U"}
	case "district":
		for _, d := range m.Districts {
			cs = append(cs, d["code"])
		}
		cs = append(cs, "FED", "_U")
	case "exploitation":
		if phen == "SMUGGLING" {
			cs = []string{"_Z"}
		} else {
			for _, f := range m.Forms {
				cs = append(cs, f["code"])
			}
			cs = append(cs, "_U")
		}
	}
	return append(cs, "_T")
}

// codeLabel is a breakdown code's label in a language.
func codeLabel(l *Lang, m *Meta, dim, code string) string {
	if k := "code." + dim + "." + code; l.Has(k) {
		return l.T(k)
	}
	if k := "code." + code; l.Has(k) {
		return l.T(k)
	}
	switch dim {
	case "district":
		for _, d := range m.Districts {
			if d["code"] == code {
				fr, nl := d["name_fr"], d["name_nl"]
				switch {
				case l.Code == "fr" && fr != "":
					return fr
				case l.Code == "nl" && nl != "":
					return nl
				case fr == nl || nl == "":
					return fr
				case fr == "":
					return nl
				}
				return nl + " / " + fr
			}
		}
	case "exploitation":
		for _, f := range m.Forms {
			if f["code"] == code && f["label_en"] != "" {
				return f["label_en"]
			}
		}
	}
	return code
}

// measureLabel is a measure's label: the canvas's definition table's, else the program's.
func measureLabel(l *Lang, mi MeasureInfo) string {
	if s := mi.Def["label_"+l.Code]; s != "" {
		return s
	}
	if k := "measure." + mi.Measure; l.Has(k) {
		return l.T(k)
	}
	return mi.Measure
}

// localized picks a record's column in a language: name_<lang>, else name_en, else name.
func localized(r Record, name, lang string) string {
	for _, k := range []string{name + "_" + lang, name + "_en", name} {
		if s := r[k]; s != "" {
			return s
		}
	}
	return ""
}

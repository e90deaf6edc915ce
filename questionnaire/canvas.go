package questionnaire

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Cell is one answered cell: a figure read from `indicator`, or missing with the reason.
type Cell struct {
	Year       int
	Select     Selector // complete: every breakdown named
	Codes      map[string]string
	Value      int64
	Missing    string // non-empty: the canvas cannot give this cell, and why
	Flags      string // "b" break in series, "p" provisional (both may appear, in that order)
	Suppressed string // "" shown, "C" primary (a small count), "D" secondary (hides another)
	Rule       string // counting_rule of the rows read
}

// OBSStatus is the cell's SDMX observation status: M missing, B break, P provisional, A normal.
func (c *Cell) OBSStatus() string {
	switch {
	case c.Missing != "":
		return "M"
	case strings.Contains(c.Flags, "b"):
		return "B"
	case strings.Contains(c.Flags, "p"):
		return "P"
	}
	return "A"
}

// CONFStatus is the cell's SDMX confidentiality status: F free, C primary, D secondary.
func (c *Cell) CONFStatus() string {
	if c.Suppressed != "" {
		return c.Suppressed
	}
	return "F"
}

// canvasData holds the `indicator` rows an answer needs, and what the canvas says about coverage.
type canvasData struct {
	vals       map[string]int64
	status     map[string]string // obs_status per row
	rules      map[string]string // counting_rule per row
	missing    map[string]bool   // year|phenomenon|stage|measure with an M row
	stageYears map[string]bool   // year|stage with figures
	broken     map[string]string // year|phenomenon|stage|measure -> breakdowns with non-_T rows
}

func rowKey(year int, dims []string) string {
	return strconv.Itoa(year) + "|" + strings.Join(dims, "|")
}

// loadCanvas reads the indicator rows of the years, measures and districts the selectors name.
func loadCanvas(ctx context.Context, db *sql.DB, from, to int, sels []Selector) (*canvasData, error) {
	measures, districts := map[string]bool{}, map[string]bool{"_T": true}
	for _, s := range sels {
		for _, m := range s["measure"] {
			measures[m] = true
		}
		for _, d := range s["district"] {
			districts[d] = true
		}
	}
	args := []any{from, to}
	in := func(m map[string]bool) string {
		var ph []string
		for _, k := range sorted(m) {
			args = append(args, k)
			ph = append(ph, "?")
		}
		return strings.Join(ph, ", ")
	}
	cd := &canvasData{vals: map[string]int64{}, status: map[string]string{}, rules: map[string]string{},
		missing: map[string]bool{}, stageYears: map[string]bool{}, broken: map[string]string{}}
	if len(measures) == 0 {
		return cd, nil
	}
	q := `SELECT ref_year, phenomenon, stage, measure, sex, age_group, citizenship, district, exploitation,
		value, coalesce(obs_status, 'A'), coalesce(counting_rule, '')
		FROM indicator WHERE ref_year BETWEEN ? AND ? AND measure IN (` + in(measures) + `) AND district IN (` + in(districts) + `)`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading indicator: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		dims := make([]string, 8)
		var v sql.NullInt64
		var st, rule string
		if err := rows.Scan(&year, &dims[0], &dims[1], &dims[2], &dims[3], &dims[4], &dims[5], &dims[6], &dims[7], &v, &st, &rule); err != nil {
			return nil, fmt.Errorf("reading indicator: %w", err)
		}
		if st == "M" {
			cd.missing[rowKey(year, dims[:3])] = true
			continue
		}
		k := rowKey(year, dims)
		cd.vals[k] += v.Int64
		cd.status[k] = st
		cd.rules[k] = rule
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading indicator: %w", err)
	}
	rows.Close()

	q = `SELECT ref_year, stage FROM indicator
		WHERE ref_year BETWEEN ? AND ? AND obs_status IS DISTINCT FROM 'M' GROUP BY ALL`
	if err := scanAll(ctx, db, q, []any{from, to}, func(r *sql.Rows) error {
		var y int
		var s string
		if err := r.Scan(&y, &s); err != nil {
			return err
		}
		cd.stageYears[rowKey(y, []string{s})] = true
		return nil
	}); err != nil {
		return nil, err
	}
	// Which breakdowns a measure has: facts and cases exist only as _T for the person
	// dimensions (docs/counting.md), and asking them by sex must say "not available", not 0.
	q = `SELECT ref_year, phenomenon, stage, measure,
		bool_or(sex <> '_T'), bool_or(age_group <> '_T'), bool_or(citizenship <> '_T'),
		bool_or(district <> '_T'), bool_or(exploitation <> '_T')
		FROM indicator WHERE ref_year BETWEEN ? AND ? AND obs_status IS DISTINCT FROM 'M' GROUP BY ALL`
	if err := scanAll(ctx, db, q, []any{from, to}, func(r *sql.Rows) error {
		var y int
		var p, s, m string
		b := make([]bool, 5)
		if err := r.Scan(&y, &p, &s, &m, &b[0], &b[1], &b[2], &b[3], &b[4]); err != nil {
			return err
		}
		var has []string
		for i, d := range breakdowns() {
			if b[i] {
				has = append(has, d)
			}
		}
		cd.broken[rowKey(y, []string{p, s, m})] = " " + strings.Join(has, " ") + " "
		return nil
	}); err != nil {
		return nil, err
	}
	return cd, nil
}

func scanAll(ctx context.Context, db *sql.DB, q string, args []any, f func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading indicator: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return fmt.Errorf("reading indicator: %w", err)
		}
	}
	return rows.Err()
}

// combos expands a selector with several codes per dimension into the single-code rows it adds up.
func combos(s Selector) [][]string {
	out := [][]string{nil}
	for _, k := range selectorKeys() {
		var next [][]string
		for _, prefix := range out {
			for _, c := range s[k] {
				next = append(next, append(append([]string(nil), prefix...), c))
			}
		}
		out = next
	}
	return out
}

// resolve computes one cell from the canvas: the sum of the rows its selector names, 0 for a
// combination with no row in a covered year, or missing with the reason.
func (cd *canvasData) resolve(year int, s Selector) Cell {
	c := Cell{Year: year, Select: s}
	var flags, rules []string
	for _, dims := range combos(s) {
		psm := rowKey(year, dims[:3])
		switch {
		case cd.missing[psm]:
			c.Missing = fmt.Sprintf("the %s source does not cover %d (obs_status M in the canvas)", strings.ToLower(dims[1]), year)
		case !cd.stageYears[rowKey(year, dims[1:2])]:
			c.Missing = fmt.Sprintf("the canvas holds no %s figures for %d", strings.ToLower(dims[1]), year)
		}
		if c.Missing != "" {
			c.Value = 0
			return c
		}
		if has, ok := cd.broken[psm]; ok {
			for i, d := range breakdowns() {
				if dims[3+i] != "_T" && !strings.Contains(has, " "+d+" ") {
					c.Missing = fmt.Sprintf("%s is not broken down by %s in the canvas", dims[2], strings.ReplaceAll(d, "_", " "))
					return c
				}
			}
		}
		k := rowKey(year, dims)
		c.Value += cd.vals[k]
		st, ok := cd.status[k]
		if !ok {
			st = cd.status[rowKey(year, append(dims[:3:3], "_T", "_T", "_T", "_T", "_T"))]
		}
		flags = append(flags, st)
		if r := cd.rules[rowKey(year, append(dims[:3:3], "_T", "_T", "_T", "_T", "_T"))]; r != "" {
			rules = append(rules, r)
		}
	}
	for _, f := range []string{"B", "P"} {
		for _, g := range flags {
			if g == f {
				c.Flags += strings.ToLower(f)
				break
			}
		}
	}
	sort.Strings(rules)
	c.Rule = strings.Join(uniq(rules), ", ")
	return c
}

func uniq(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

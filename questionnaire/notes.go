package questionnaire

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// notes is the context every answer carries (canvas.md section 6): the canvas's metadata tables,
// read generically (every column, by name) so that a new column in the canvas shows up without
// a code change.
type notes struct {
	Definitions metaTable // measure_definition, for the measures the answer uses
	Coverage    metaTable
	SeriesNotes metaTable
	Run         metaTable // the canvas's run or metadata table, when it has one
	RunID       string
	Store       string
}

// metaTable is a table read as text.
type metaTable struct {
	Name    string
	Columns []string
	Rows    [][]string
}

// runTables are the names the canvas build may give its run metadata, most likely first.
func runTables() []string {
	return []string{"canvas_run", "canvas_meta", "canvas_info", "run_info", "build_info", "canvas_build", "run", "meta"}
}

// scope is what an answer covers, to keep only the notes that concern it.
type scope struct {
	stages, measures []string
	from, to         int
}

func readNotes(ctx context.Context, db *sql.DB, sc scope) (*notes, error) {
	tables := map[string]bool{}
	err := scanAll(ctx, db, `SELECT table_name FROM information_schema.tables`, nil, func(r *sql.Rows) error {
		var n string
		if err := r.Scan(&n); err != nil {
			return err
		}
		tables[strings.ToLower(n)] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	n := &notes{}
	read := func(dst *metaTable, name string) error {
		if !tables[name] {
			return nil
		}
		t, err := readMeta(ctx, db, name)
		if err != nil {
			return err
		}
		*dst = t
		return nil
	}
	if err := read(&n.Definitions, "measure_definition"); err != nil {
		return nil, err
	}
	n.Definitions = n.Definitions.filter("measure", sc.measures)
	if err := read(&n.Coverage, "coverage"); err != nil {
		return nil, err
	}
	if err := read(&n.SeriesNotes, "series_note"); err != nil {
		return nil, err
	}
	n.SeriesNotes = n.SeriesNotes.within(sc)
	for _, name := range runTables() {
		if tables[name] {
			if err := read(&n.Run, name); err != nil {
				return nil, err
			}
			break
		}
	}
	for i, c := range n.Run.Columns {
		if (c == "run_id" || c == "run") && len(n.Run.Rows) > 0 {
			n.RunID = n.Run.Rows[len(n.Run.Rows)-1][i]
		}
	}
	return n, nil
}

// readMeta reads a whole table as text, in a stable order.
func readMeta(ctx context.Context, db *sql.DB, name string) (metaTable, error) {
	t := metaTable{Name: name}
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`" ORDER BY ALL`)
	if err != nil {
		return t, fmt.Errorf("reading %s: %w", name, err)
	}
	defer rows.Close()
	t.Columns, err = rows.Columns()
	if err != nil {
		return t, fmt.Errorf("reading %s: %w", name, err)
	}
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return t, fmt.Errorf("reading %s: %w", name, err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = text(v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// filter keeps the rows whose column col is one of vals (all rows when there is no such column).
func (t metaTable) filter(col string, vals []string) metaTable {
	idx := -1
	for i, c := range t.Columns {
		if c == col {
			idx = i
		}
	}
	if idx < 0 {
		return t
	}
	keep := map[string]bool{}
	for _, v := range vals {
		keep[v] = true
	}
	out := metaTable{Name: t.Name, Columns: t.Columns}
	for _, r := range t.Rows {
		if keep[r[idx]] {
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

// within keeps the notes that concern an answer: those of no stage or measure, or of one it uses,
// whose years (from_year/to_year or year_from/year_to, when the table has them) meet its years.
func (t metaTable) within(sc scope) metaTable {
	col := map[string]int{}
	for i, c := range t.Columns {
		col[c] = i
	}
	in := func(v string, list []string) bool {
		if v == "" {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	year := func(r []string, names ...string) (int, bool) {
		for _, n := range names {
			if i, ok := col[n]; ok && r[i] != "" {
				y, err := strconv.Atoi(r[i])
				return y, err == nil
			}
		}
		return 0, false
	}
	out := metaTable{Name: t.Name, Columns: t.Columns}
	for _, r := range t.Rows {
		if i, ok := col["stage"]; ok && !in(r[i], sc.stages) {
			continue
		}
		if i, ok := col["measure"]; ok && !in(r[i], sc.measures) {
			continue
		}
		if y, ok := year(r, "year_to", "to_year"); ok && y < sc.from {
			continue
		}
		if y, ok := year(r, "year_from", "from_year"); ok && y > sc.to {
			continue
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

// runText names the canvas build behind the figures: its run id, else its build time.
func (n *notes) runText() string {
	if n.RunID != "" {
		return n.RunID
	}
	for i, c := range n.Run.Columns {
		if c == "built_at" && len(n.Run.Rows) > 0 {
			return "built at " + n.Run.Rows[len(n.Run.Rows)-1][i]
		}
	}
	return ""
}

package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ciatteh/canvas/query"
	"github.com/ciatteh/canvas/schema"
)

// errNoCanvas is returned while no canvas has been published.
var errNoCanvas = errors.New("no canvas published yet")

// fileStamp identifies one published canvas file: a publish renames a new file over the old, so
// the inode changes (and usually the time and size).
type fileStamp struct {
	dev, ino uint64
	size     int64
	mtime    time.Time
}

func stampOf(path string) (fileStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	fs := fileStamp{size: st.Size(), mtime: st.ModTime()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		fs.dev, fs.ino = uint64(sys.Dev), sys.Ino
	}
	return fs, nil
}

// version is one published canvas, open: an engine for the application's own queries, a separate
// one for members' SQL, and what the pages need to know about it. It is closed when a newer
// canvas has replaced it and its last request has finished.
type version struct {
	stamp fileStamp
	app   *query.Engine
	sql   *query.Engine
	meta  *Meta
	users sync.WaitGroup
}

func (v *version) close() {
	v.users.Wait()
	v.app.Close()
	v.sql.Close()
}

// holder keeps the current canvas open and swaps to a new one when it is published.
type holder struct {
	path string
	cfg  *Config

	mu     sync.Mutex
	cur    *version
	failed fileStamp // a file that failed to open, not retried until it changes
}

// acquire returns the current canvas, opening the published file first when it changed; the
// caller must call release when done. While a new file fails to open, the open one keeps serving.
func (h *holder) acquire(ctx context.Context) (*version, func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := stampOf(h.path)
	if err == nil && (h.cur == nil || st != h.cur.stamp) && st != h.failed {
		// the request that notices a new canvas opens it, for everyone: not cancelled with it
		v, oerr := h.open(context.WithoutCancel(ctx), st)
		if oerr != nil {
			h.failed = st
			h.cfg.Logf("canvas %s: %v (still serving the previous canvas, if any)", h.path, oerr)
		} else {
			if old := h.cur; old != nil {
				go old.close()
			}
			h.cur = v
			h.cfg.Logf("canvas %s opened (%s)", h.path, v.meta.BuiltText())
		}
	}
	if h.cur == nil {
		return nil, nil, errNoCanvas
	}
	v := h.cur
	v.users.Add(1)
	return v, v.users.Done, nil
}

func (h *holder) open(ctx context.Context, st fileStamp) (*version, error) {
	app, err := query.Open(ctx, h.path, query.Options{MemoryLimit: h.cfg.AppMemory, Threads: 2})
	if err != nil {
		return nil, err
	}
	sq, err := query.Open(ctx, h.path, query.Options{MemoryLimit: h.cfg.SQLMemory, Threads: h.cfg.SQLThreads})
	if err != nil {
		app.Close()
		return nil, err
	}
	v := &version{stamp: st, app: app, sql: sq}
	if v.meta, err = loadMeta(ctx, app); err != nil {
		app.Close()
		sq.Close()
		return nil, err
	}
	return v, nil
}

// closeAll closes the open canvas (at server shutdown).
func (h *holder) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur != nil {
		h.cur.close()
		h.cur = nil
	}
}

// Record is one row of a metadata table, by column name; NULL is absent.
type Record map[string]string

// Meta is what the pages need from a canvas besides the figures: years, measures and their
// definitions, series notes, coverage, build information and code labels. The canvas build owns
// these tables' columns; they are read by name, and a missing table or column only leaves a gap.
type Meta struct {
	YearFrom, YearTo int
	Phenomena        []string
	Measures         []MeasureInfo
	Notes            []Record
	Coverage         Generic
	Build            Record
	Districts        []Record // code, name_fr, name_nl, ...
	Forms            []Record // code, label_en, ...
	Tables           []string
}

// MeasureInfo is one measure, in the canvas's order, with its definition row.
type MeasureInfo struct {
	Stage, Measure string
	Def            Record
}

// Generic is a whole small table, as text.
type Generic struct {
	Columns []string
	Rows    [][]string
}

func stageOrder(s string) int {
	switch s {
	case "POLICE":
		return 1
	case "PROSECUTION":
		return 2
	case "CONVICTION":
		return 3
	}
	return 4
}

func loadMeta(ctx context.Context, e *query.Engine) (*Meta, error) {
	m := &Meta{}
	tables, err := readGeneric(ctx, e, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1")
	if err != nil {
		return nil, fmt.Errorf("listing the canvas's tables: %w", err)
	}
	has := map[string]bool{}
	for _, r := range tables.Rows {
		has[r[0]] = true
		m.Tables = append(m.Tables, r[0])
	}
	if !has["indicator"] {
		return nil, errors.New("the canvas has no indicator table")
	}
	var y0, y1 sql.NullInt64
	rows, err := e.QueryContext(ctx, "SELECT min(ref_year), max(ref_year) FROM indicator")
	if err != nil {
		return nil, err
	}
	if rows.Next() {
		if err := rows.Scan(&y0, &y1); err != nil {
			rows.Close()
			return nil, err
		}
	}
	rows.Close()
	m.YearFrom, m.YearTo = int(y0.Int64), int(y1.Int64)
	ph, err := readGeneric(ctx, e, "SELECT DISTINCT phenomenon FROM indicator ORDER BY phenomenon DESC")
	if err != nil {
		return nil, err
	}
	for _, r := range ph.Rows {
		m.Phenomena = append(m.Phenomena, r[0])
	}
	defs := map[string]Record{}
	var defOrder []string
	if has["measure_definition"] {
		if recs, err := readRecords(ctx, e, "SELECT * FROM measure_definition"); err == nil {
			for _, r := range recs {
				if r["measure"] != "" {
					defs[r["measure"]] = r
					defOrder = append(defOrder, r["measure"])
				}
			}
		}
	}
	ms, err := readGeneric(ctx, e, "SELECT DISTINCT stage, measure FROM indicator")
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, mm := range defOrder {
		pos[mm] = i
	}
	for _, r := range ms.Rows {
		m.Measures = append(m.Measures, MeasureInfo{Stage: r[0], Measure: r[1], Def: defs[r[1]]})
	}
	sort.SliceStable(m.Measures, func(i, j int) bool {
		a, b := m.Measures[i], m.Measures[j]
		if stageOrder(a.Stage) != stageOrder(b.Stage) {
			return stageOrder(a.Stage) < stageOrder(b.Stage)
		}
		pa, oka := pos[a.Measure]
		pb, okb := pos[b.Measure]
		if oka && okb {
			return pa < pb
		}
		if oka != okb {
			return oka
		}
		return a.Measure < b.Measure
	})
	if has["series_note"] {
		m.Notes, _ = readRecords(ctx, e, "SELECT * FROM series_note")
	}
	if has["coverage"] {
		m.Coverage, _ = readGeneric(ctx, e, "SELECT * FROM coverage")
	}
	if has["build_info"] {
		if recs, _ := readRecords(ctx, e, "SELECT * FROM build_info LIMIT 1"); len(recs) == 1 {
			m.Build = recs[0]
		}
	}
	if has["code_districts"] {
		m.Districts, _ = readRecords(ctx, e, "SELECT * FROM code_districts")
	}
	if has["code_exploitation_forms"] {
		m.Forms, _ = readRecords(ctx, e, "SELECT * FROM code_exploitation_forms")
	}
	if len(m.Districts) == 0 || len(m.Forms) == 0 {
		// an older canvas without its code tables: the program's own lists
		if codes, err := schema.LoadCodes(""); err == nil {
			if len(m.Districts) == 0 {
				m.Districts = fileRecords(codes.Files["districts"])
			}
			if len(m.Forms) == 0 {
				m.Forms = fileRecords(codes.Files["exploitation_forms"])
			}
		}
	}
	return m, nil
}

func fileRecords(rows [][]string) []Record {
	if len(rows) == 0 {
		return nil
	}
	var out []Record
	for _, r := range rows[1:] {
		rec := Record{}
		for i, h := range rows[0] {
			if i < len(r) {
				rec[h] = r[i]
			}
		}
		out = append(out, rec)
	}
	return out
}

// BuiltText says when the canvas was built (and by which run, when the canvas says).
func (m *Meta) BuiltText() string {
	s := m.Build["built_at"]
	if len(s) > 16 {
		s = s[:16]
	}
	if r := m.Build["run_id"]; r != "" {
		s += " (run " + r + ")"
	}
	return s
}

// Measure returns a measure's info.
func (m *Meta) Measure(code string) (MeasureInfo, bool) {
	for _, mi := range m.Measures {
		if mi.Measure == code {
			return mi, true
		}
	}
	return MeasureInfo{}, false
}

// HasPhenomenon reports whether the canvas holds figures of p.
func (m *Meta) HasPhenomenon(p string) bool {
	for _, x := range m.Phenomena {
		if x == p {
			return true
		}
	}
	return false
}

// Years lists the canvas's years, oldest first.
func (m *Meta) Years() []int {
	var ys []int
	for y := m.YearFrom; y <= m.YearTo && y > 0; y++ {
		ys = append(ys, y)
	}
	return ys
}

// NotesFor returns the series notes that qualify figures of a stage and measure: notes for every
// stage, notes for the stage, and notes for the measure. An empty measure means "any measure of
// the stage"; an empty stage, notes for all stages only.
func (m *Meta) NotesFor(stage, measure string) []Record {
	var out []Record
	for _, n := range m.Notes {
		ns, nm := n["stage"], n["measure"]
		if ns != "" && ns != stage {
			continue
		}
		if nm != "" && nm != measure {
			continue
		}
		if stage == "" && ns != "" {
			continue
		}
		out = append(out, n)
	}
	return out
}

func readGeneric(ctx context.Context, e *query.Engine, q string, args ...any) (Generic, error) {
	var g Generic
	rows, err := e.QueryContext(ctx, q, args...)
	if err != nil {
		return g, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return g, err
	}
	for _, t := range types {
		g.Columns = append(g.Columns, t.Name())
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return g, err
		}
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = valueText(v, types[i].DatabaseTypeName())
		}
		g.Rows = append(g.Rows, r)
	}
	return g, rows.Err()
}

func valueText(v any, typ string) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = query.Text(x, "")
		}
		return strings.Join(parts, ", ")
	}
	return query.Text(v, typ)
}

func readRecords(ctx context.Context, e *query.Engine, q string) ([]Record, error) {
	g, err := readGeneric(ctx, e, q)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(g.Rows))
	for _, r := range g.Rows {
		rec := Record{}
		for i, c := range g.Columns {
			if r[i] != "" {
				rec[c] = r[i]
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

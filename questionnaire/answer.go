package questionnaire

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// Options say which answer to produce and where to write it.
type Options struct {
	Name     string // built-in questionnaire (eurostat-thb, eurostat-smu, unodc-glotip, unodc-cts)
	SpecFile string // an edited spec file replacing the built-in one ("" = built in)
	Year     int    // reference year (used when FromYear and ToYear are 0)
	FromYear int    // first year of a range (--years A-B)
	ToYear   int    // last year of a range
	Out      string // the XLSX workbook to write (required)
	SDMXOut  string // SDMX-CSV 2.0 file ("" = none); only for questionnaires with sdmx settings
	CSVOut   string // long layout CSV ("" = beside Out with .csv, for questionnaires with a long layout)
	Suppress *bool  // nil: the spec's (or mapping's) default policy
	Store    string // the store folder, named in the notes
	CodesDir string // code lists overriding the built-in ones ("" = built in)
	Template string // an institution's XLSX form to fill instead of a questionnaire
	Map      string // the mapping file for Template
}

// Result describes a written answer.
type Result struct {
	Name       string
	Years      []int
	Files      []string // every file written
	Cells      int      // cells answered (per year)
	Missing    int      // cells the canvas cannot give
	Suppressed int      // cells hidden by the suppression policy
	RunID      string   // the canvas run that produced the figures ("" when the canvas does not say)
}

// years returns the reference years the options ask for.
func (o Options) years() ([]int, error) {
	from, to := o.FromYear, o.ToYear
	if from == 0 && to == 0 {
		from, to = o.Year, o.Year
	}
	if from == 0 || to == 0 {
		return nil, errors.New("no reference year: give --year Y or --years A-B")
	}
	if from > to {
		return nil, fmt.Errorf("years %d-%d: the first year is after the last", from, to)
	}
	if from < 1900 || to > 2999 || to-from > 50 {
		return nil, fmt.Errorf("years %d-%d: not a plausible range of reference years", from, to)
	}
	var ys []int
	for y := from; y <= to; y++ {
		ys = append(ys, y)
	}
	return ys, nil
}

// Answer produces one answer from the shared canvas: a built-in (or edited) questionnaire as an
// XLSX workbook with its Notes sheet, plus SDMX-CSV or a long CSV where the questionnaire has
// them; or, with Template and Map set, an institution's own form filled in place. It reads only
// `indicator` and its metadata tables from canvasDB. The same canvas and options give the same
// files.
func Answer(ctx context.Context, canvasDB *sql.DB, opts Options) (Result, error) {
	codes, err := schema.LoadCodes(opts.CodesDir)
	if err != nil {
		return Result{}, err
	}
	v := NewValidator(codes)
	if opts.Template != "" || opts.Map != "" {
		return fillTemplate(ctx, canvasDB, opts, v)
	}
	if opts.Name == "" && opts.SpecFile == "" {
		return Result{}, fmt.Errorf("name a questionnaire (%s), or give a template and its mapping", strings.Join(BuiltIn(), ", "))
	}
	if opts.Out == "" {
		return Result{}, errors.New("no output file: give --out FILE.xlsx")
	}
	years, err := opts.years()
	if err != nil {
		return Result{}, err
	}
	spec, err := LoadSpec(opts.Name, opts.SpecFile, v)
	if err != nil {
		return Result{}, err
	}
	if opts.SDMXOut != "" && spec.SDMX == nil {
		return Result{}, fmt.Errorf("questionnaire %s has no SDMX settings: SDMX-CSV is for the Eurostat questionnaires", spec.Name)
	}
	a, err := compute(ctx, canvasDB, spec, years, opts.Suppress)
	if err != nil {
		return Result{}, err
	}
	notes, err := readNotes(ctx, canvasDB, a.scope())
	if err != nil {
		return Result{}, err
	}
	notes.Store = opts.Store
	res := Result{Name: spec.Name, Years: years, RunID: notes.RunID}
	for _, c := range a.all {
		res.Cells++
		if c.Missing != "" {
			res.Missing++
		}
		if c.Suppressed != "" {
			res.Suppressed++
		}
	}
	if err := writeWorkbook(a, notes, opts.Out); err != nil {
		return res, err
	}
	res.Files = append(res.Files, opts.Out)
	if opts.SDMXOut != "" {
		if err := writeSDMXFile(a, opts.SDMXOut); err != nil {
			return res, err
		}
		res.Files = append(res.Files, opts.SDMXOut)
	}
	if spec.Long != nil {
		out := opts.CSVOut
		if out == "" {
			out = strings.TrimSuffix(opts.Out, filepath.Ext(opts.Out)) + ".csv"
		}
		if err := writeLongCSVFile(a, out); err != nil {
			return res, err
		}
		res.Files = append(res.Files, out)
	}
	return res, nil
}

// answer is a computed questionnaire: every cell of every table for every year.
type answer struct {
	spec   *Spec
	years  []int
	policy Suppression
	tables []tableAnswer
	all    []*Cell
}

// tableAnswer holds a table's cells, indexed [year][row][column].
type tableAnswer struct {
	t     *Table
	cells [][][]*Cell
}

// scope is the stages, measures and years the answer's cells use.
func (a *answer) scope() scope {
	st, m := map[string]bool{}, map[string]bool{}
	sc := scope{}
	for _, c := range a.all {
		for _, v := range c.Select["measure"] {
			m[v] = true
		}
		for _, v := range c.Select["stage"] {
			st[v] = true
		}
		if sc.from == 0 || c.Year < sc.from {
			sc.from = c.Year
		}
		sc.to = max(sc.to, c.Year)
	}
	sc.stages, sc.measures = sorted(st), sorted(m)
	return sc
}

// compute resolves every cell of a spec against the canvas and applies the suppression policy.
func compute(ctx context.Context, db *sql.DB, spec *Spec, years []int, sup *bool) (*answer, error) {
	a := &answer{spec: spec, years: years, policy: spec.Suppression}
	if sup != nil {
		a.policy.Enabled = *sup
	}
	var sels []Selector
	for ti := range spec.Tables {
		t := &spec.Tables[ti]
		for ri := range t.Rows {
			for ci := range t.Columns {
				sels = append(sels, spec.define(t, ri, ci).Select)
			}
		}
	}
	cd, err := loadCanvas(ctx, db, years[0], years[len(years)-1], sels)
	if err != nil {
		return nil, err
	}
	for ti := range spec.Tables {
		t := &spec.Tables[ti]
		ta := tableAnswer{t: t}
		for _, y := range years {
			grid := make([][]*Cell, len(t.Rows))
			for ri := range t.Rows {
				grid[ri] = make([]*Cell, len(t.Columns))
				for ci := range t.Columns {
					d := spec.define(t, ri, ci)
					var c Cell
					if d.Missing != "" {
						c = Cell{Year: y, Select: d.Select.full(), Missing: d.Missing}
					} else {
						c = cd.resolve(y, d.Select.full())
					}
					c.Codes = d.Codes
					grid[ri][ci] = &c
					a.all = append(a.all, &c)
				}
			}
			ta.cells = append(ta.cells, grid)
		}
		a.tables = append(a.tables, ta)
	}
	suppress(a.all, a.policy)
	return a, nil
}

// AnswerBuiltIns answers every built-in questionnaire into the folder dir, as the demo and a
// yearly routine want them: NAME-YEAR.xlsx for each (YEARS for a range), with NAME-YEAR.sdmx.csv
// for the Eurostat ones and NAME-YEAR.csv for GLOTIP's long layout. opts gives the years, the
// store, the codes and the suppression override; its Name, Out and file fields are ignored.
func AnswerBuiltIns(ctx context.Context, canvasDB *sql.DB, dir string, opts Options) ([]Result, error) {
	years, err := opts.years()
	if err != nil {
		return nil, err
	}
	codes, err := schema.LoadCodes(opts.CodesDir)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, name := range BuiltIn() {
		spec, err := LoadSpec(name, "", NewValidator(codes))
		if err != nil {
			return out, err
		}
		o := opts
		base := filepath.Join(dir, name+"-"+yearsText(years))
		o.Name, o.SpecFile, o.Template, o.Map = name, "", "", ""
		o.Out, o.SDMXOut, o.CSVOut = base+".xlsx", "", ""
		if spec.SDMX != nil {
			o.SDMXOut = base + ".sdmx.csv"
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, err := Answer(ctx, canvasDB, o)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CanvasYears returns the first and last reference years of the canvas that hold figures
// (obs_status other than M), and the latest year with figures and no provisional (P) row: the
// year an analyst usually answers.
func CanvasYears(ctx context.Context, canvasDB *sql.DB) (from, to, lastFinal int, err error) {
	var f, t, l sql.NullInt64
	err = canvasDB.QueryRowContext(ctx, `WITH y AS (
			SELECT ref_year, bool_and(obs_status IS DISTINCT FROM 'P') AS final, bool_or(obs_status IS DISTINCT FROM 'M') AS has_figures
			FROM indicator GROUP BY ref_year)
		SELECT min(ref_year) FILTER (WHERE has_figures), max(ref_year) FILTER (WHERE has_figures),
		       max(ref_year) FILTER (WHERE final AND has_figures) FROM y`).Scan(&f, &t, &l)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reading the canvas's years: %w", err)
	}
	if !f.Valid {
		return 0, 0, 0, errors.New("the canvas holds no figures")
	}
	return int(f.Int64), int(t.Int64), int(l.Int64), nil
}

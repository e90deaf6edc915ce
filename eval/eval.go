// Package eval measures how far a built canvas is from the truth of a synthetic world (package
// synth writes it beside the extracts): per measure the count error of the indicator cells, the
// pairwise precision, recall and F1 of the person linkage (rule D5, from person_link) and of the
// decision chains (D4), and what each dedup rule removed.
//
// It sits at the end of the flow, outside the nightly run: `canvas eval --truth DIR` reads the
// published canvas, the restricted store's dedup tables and the truth files, and says whether the
// canvas is within the targets.
package eval

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Options set where the truth is and the targets.
type Options struct {
	// TruthDir holds indicator.csv, persons.csv and chains.csv (or a truth/ folder holding them).
	TruthDir string
	// PersonsTolerance is the largest relative error of PERSONS_CONVICTED per year and
	// phenomenon; 0 means 0.01.
	PersonsTolerance float64
	// MinPrecision and MinF1 are the linkage targets; 0 means 0.995 and 0.98.
	MinPrecision, MinF1 float64
}

// MeasureError is the count error of one measure over every indicator cell.
type MeasureError struct {
	Stage, Measure string
	Cells          int   // cells compared: in the canvas or in the truth
	Wrong          int   // cells whose values differ
	AbsError       int64 // sum over cells of |canvas - truth|
	Canvas, Truth  int64 // sum of the all-total cells over years and phenomena
	// Exact is set for the measures whose cells must equal the truth: they depend on rules D1-D4
	// only (police and prosecution; offence convictions, convictions and pending convictions
	// without person breakdowns). ExactWrong counts the wrong cells among those.
	Exact      bool
	ExactWrong int
	Examples   []string // a few wrong cells
}

// YearError is PERSONS_CONVICTED of one year and phenomenon against the truth.
type YearError struct {
	Year          int
	Phenomenon    string
	Canvas, Truth int64
	RelError      float64
	OK            bool
}

// Pairwise compares a clustering with the true one over the pairs of records present in both.
type Pairwise struct {
	Records                                  int
	TruePairs, PredictedPairs, TruePositives int64
	Precision, Recall, F1                    float64
	Split, Merged                            int // true groups split over several clusters, clusters mixing several true groups
}

// RuleEffect is what one dedup rule removed.
type RuleEffect struct {
	Rule, What string
	Removed    int64
}

// Report is the comparison of a canvas with the truth.
type Report struct {
	Measures         []MeasureError
	PersonsConvicted []YearError
	Linkage          Pairwise // over conviction lines (person_link)
	LinkageRecords   Pairwise // over person records (source_system:person_id), each taking its lines' majority truth
	Chains           Pairwise // over conviction lines (conviction_line.chain_id)
	ChainOutcome     struct{ Compared, Agree int }
	Rules            []RuleEffect
	Failures         []string
}

// OK reports whether the canvas is within every target.
func (r *Report) OK() bool { return len(r.Failures) == 0 }

// Evaluate compares the canvas (canvas) and the dedup tables of the restricted store
// (restricted) with the truth.
func Evaluate(ctx context.Context, restricted, canvas *sql.DB, opts Options) (*Report, error) {
	if opts.PersonsTolerance == 0 {
		opts.PersonsTolerance = 0.01
	}
	if opts.MinPrecision == 0 {
		opts.MinPrecision = 0.995
	}
	if opts.MinF1 == 0 {
		opts.MinF1 = 0.98
	}
	dir := opts.TruthDir
	if _, err := os.Stat(filepath.Join(dir, "indicator.csv")); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, "truth", "indicator.csv")); err2 == nil {
			dir = filepath.Join(dir, "truth")
		} else {
			return nil, fmt.Errorf("truth folder %s: no indicator.csv (nor truth/indicator.csv): %w", opts.TruthDir, err)
		}
	}
	r := &Report{}
	if err := r.indicator(ctx, canvas, filepath.Join(dir, "indicator.csv"), opts); err != nil {
		return nil, err
	}
	if err := r.linkage(ctx, restricted, filepath.Join(dir, "persons.csv"), opts); err != nil {
		return nil, err
	}
	if err := r.chains(ctx, restricted, filepath.Join(dir, "chains.csv")); err != nil {
		return nil, err
	}
	if err := r.rules(ctx, restricted); err != nil {
		return nil, err
	}
	return r, nil
}

type cell struct {
	year                                                                      int
	phenomenon, stage, measure, sex, age, citizenship, district, exploitation string
}

// exactCell reports whether a cell depends on rules D1-D4 only.
func exactCell(c cell) bool {
	switch c.stage {
	case "POLICE", "PROSECUTION":
		return true
	}
	switch c.measure {
	case "OFFENCE_CONVICTIONS", "CONVICTIONS", "CONVICTIONS_PENDING":
		return c.sex == "_T" && c.age == "_T" && c.citizenship == "_T"
	}
	return false
}

func (r *Report) indicator(ctx context.Context, canvas *sql.DB, path string, opts Options) error {
	truth := map[cell]int64{}
	err := readCSV(path, []string{"ref_year", "phenomenon", "stage", "measure", "sex", "age_group", "citizenship", "district", "exploitation", "value"},
		func(line int, v []string) error {
			y, err1 := strconv.Atoi(v[0])
			n, err2 := strconv.ParseInt(v[9], 10, 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("%s line %d: ref_year %q and value %q must be integers", path, line, v[0], v[9])
			}
			truth[cell{y, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]}] += n
			return nil
		})
	if err != nil {
		return err
	}
	got := map[cell]int64{}
	rows, err := canvas.QueryContext(ctx, `SELECT ref_year, phenomenon, stage, measure, sex, age_group, citizenship, district, exploitation, value, obs_status FROM indicator`)
	if err != nil {
		return fmt.Errorf("reading the canvas's indicator table: %w", err)
	}
	for rows.Next() {
		var c cell
		var v sql.NullInt64
		var status string
		if err := rows.Scan(&c.year, &c.phenomenon, &c.stage, &c.measure, &c.sex, &c.age, &c.citizenship, &c.district, &c.exploitation, &v, &status); err != nil {
			rows.Close()
			return err
		}
		if status == "M" { // the source does not cover the year: no figure to compare
			continue
		}
		got[c] = v.Int64
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type mk struct{ stage, measure string }
	by := map[mk]*MeasureError{}
	get := func(c cell) *MeasureError {
		k := mk{c.stage, c.measure}
		if by[k] == nil {
			by[k] = &MeasureError{Stage: c.stage, Measure: c.measure}
		}
		return by[k]
	}
	keys := map[cell]bool{}
	for c := range truth {
		keys[c] = true
	}
	for c := range got {
		keys[c] = true
	}
	persons := map[[2]string]*YearError{}
	for c := range keys {
		m := get(c)
		cv, tv := got[c], truth[c]
		m.Cells++
		total := c.sex == "_T" && c.age == "_T" && c.citizenship == "_T" && c.district == "_T" && c.exploitation == "_T"
		if total {
			m.Canvas += cv
			m.Truth += tv
			if c.measure == "PERSONS_CONVICTED" {
				persons[[2]string{strconv.Itoa(c.year), c.phenomenon}] = &YearError{Year: c.year, Phenomenon: c.phenomenon, Canvas: cv, Truth: tv}
			}
		}
		if exactCell(c) {
			m.Exact = true
		}
		if cv == tv {
			continue
		}
		m.Wrong++
		m.AbsError += abs(cv - tv)
		if exactCell(c) {
			m.ExactWrong++
		}
		if len(m.Examples) < 5 {
			m.Examples = append(m.Examples, fmt.Sprintf("%d %s %s/%s/%s/%s/%s: canvas %d, truth %d",
				c.year, c.phenomenon, c.sex, c.age, c.citizenship, c.district, c.exploitation, cv, tv))
		}
	}
	for _, m := range by {
		slices.Sort(m.Examples)
		r.Measures = append(r.Measures, *m)
		if m.ExactWrong > 0 {
			r.Failures = append(r.Failures, fmt.Sprintf("%s %s: %d cells that depend only on rules D1-D4 differ from the truth", m.Stage, m.Measure, m.ExactWrong))
		}
	}
	slices.SortFunc(r.Measures, func(a, b MeasureError) int {
		return strings.Compare(stageOrder(a.Stage)+a.Measure, stageOrder(b.Stage)+b.Measure)
	})
	for _, y := range persons {
		y.RelError = relErr(y.Canvas, y.Truth)
		y.OK = y.RelError <= opts.PersonsTolerance
		r.PersonsConvicted = append(r.PersonsConvicted, *y)
		if !y.OK {
			r.Failures = append(r.Failures, fmt.Sprintf("PERSONS_CONVICTED %d %s: canvas %d, truth %d (%.2f%%, target %.2f%%)",
				y.Year, y.Phenomenon, y.Canvas, y.Truth, 100*y.RelError, 100*opts.PersonsTolerance))
		}
	}
	slices.SortFunc(r.PersonsConvicted, func(a, b YearError) int {
		if a.Year != b.Year {
			return a.Year - b.Year
		}
		return strings.Compare(a.Phenomenon, b.Phenomenon)
	})
	return nil
}

func stageOrder(s string) string {
	switch s {
	case "POLICE":
		return "1"
	case "PROSECUTION":
		return "2"
	}
	return "3"
}

func relErr(c, t int64) float64 {
	if t == 0 {
		if c == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(float64(c-t)) / float64(t)
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (r *Report) linkage(ctx context.Context, restricted *sql.DB, path string, opts Options) error {
	truth := map[string]string{}
	err := readCSV(path, []string{"source", "record_id|record_key", "true_person_id"}, func(line int, v []string) error {
		if v[0] == "mach" && v[2] != "" {
			truth[v[1]] = v[2]
		}
		return nil
	})
	if err != nil {
		return err
	}
	pred := map[string]string{}
	rec := map[string]string{}
	rows, err := restricted.QueryContext(ctx, `SELECT record_id, person_key, person_record FROM person_link`)
	if err != nil {
		return fmt.Errorf("reading person_link (has dedup run?): %w", err)
	}
	for rows.Next() {
		var id, k, pr string
		if err := rows.Scan(&id, &k, &pr); err != nil {
			rows.Close()
			return err
		}
		pred[id], rec[id] = k, pr
	}
	rows.Close()
	r.Linkage = pairwise(pred, truth)
	// per person record: its lines' majority true person
	votes := map[string]map[string]int{}
	recKey := map[string]string{}
	for id, pr := range rec {
		t, ok := truth[id]
		if !ok {
			continue
		}
		if votes[pr] == nil {
			votes[pr] = map[string]int{}
		}
		votes[pr][t]++
		recKey[pr] = pred[id]
	}
	recTruth := map[string]string{}
	for pr, v := range votes {
		best, n := "", 0
		for t, k := range v {
			if k > n || (k == n && t < best) {
				best, n = t, k
			}
		}
		recTruth[pr] = best
	}
	r.LinkageRecords = pairwise(recKey, recTruth)
	if r.Linkage.Precision < opts.MinPrecision {
		r.Failures = append(r.Failures, fmt.Sprintf("linkage pairwise precision %.4f below %.3f", r.Linkage.Precision, opts.MinPrecision))
	}
	if r.Linkage.F1 < opts.MinF1 {
		r.Failures = append(r.Failures, fmt.Sprintf("linkage pairwise F1 %.4f below %.3f", r.Linkage.F1, opts.MinF1))
	}
	return nil
}

func (r *Report) chains(ctx context.Context, restricted *sql.DB, path string) error {
	truth := map[string]string{}
	outcome := map[string]string{}
	err := readCSV(path, []string{"record_id", "true_chain_id", "chain_outcome|outcome", "counted?"}, func(line int, v []string) error {
		if v[3] == "N" {
			return nil
		}
		truth[v[0]] = v[1]
		outcome[v[0]] = v[2]
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := restricted.QueryContext(ctx, `
		SELECT l.record_id, c.chain_id, CASE WHEN c.decision = 'CONVICTION' AND c.final_date IS NOT NULL THEN 'CONVICTION_FINAL'
		       WHEN c.decision = 'CONVICTION' THEN 'CONVICTION_PENDING' ELSE c.decision END
		FROM conviction_line l
		LEFT JOIN conviction_line m ON m.record_id = l.merged_into
		JOIN conviction_chain c ON c.chain_id = coalesce(l.chain_id, m.chain_id)`)
	if err != nil {
		return fmt.Errorf("reading conviction chains (has dedup run?): %w", err)
	}
	pred := map[string]string{}
	for rows.Next() {
		var id, ch, out string
		if err := rows.Scan(&id, &ch, &out); err != nil {
			rows.Close()
			return err
		}
		pred[id] = ch
		if t, ok := outcome[id]; ok {
			r.ChainOutcome.Compared++
			if t == out {
				r.ChainOutcome.Agree++
			}
		}
	}
	rows.Close()
	r.Chains = pairwise(pred, truth)
	return rows.Err()
}

func (r *Report) rules(ctx context.Context, restricted *sql.DB) error {
	st := map[string]int64{}
	rows, err := restricted.QueryContext(ctx, `SELECT step, value FROM dedup_stats`)
	if err != nil {
		return fmt.Errorf("reading dedup_stats: %w", err)
	}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		st[k] = v
	}
	rows.Close()
	var raw, cur int64
	if err := restricted.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM raw_mach), (SELECT count(*) FROM mach_current)`).Scan(&raw, &cur); err != nil {
		return err
	}
	r.Rules = []RuleEffect{
		{"D1", fmt.Sprintf("conviction lines delivered %d -> standing %d (older versions, cancelled)", raw, cur), raw - cur},
		{"D2", "LEGACY lines merged into their MACH twin", st["d2_merged"]},
		{"D3", fmt.Sprintf("lines merged into notices (%d notices)", st["notices"]), st["d3_merged"]},
		{"D4", fmt.Sprintf("notices merged into decision chains (%d chains, %d orphan appeals, %d convictions)", st["chains"], st["orphan_appeals"], st["convictions"]), st["d4_merged"]},
		{"D5", fmt.Sprintf("person records merged into persons (%d records -> %d persons, %d pairs to review)", st["person_records"], st["persons"], st["review_pairs"]), st["d5_merged"]},
	}
	return nil
}

// pairwise compares a predicted clustering with the true one over the ids present in both.
func pairwise(pred, truth map[string]string) Pairwise {
	var p Pairwise
	joint := map[[2]string]int64{}
	predN := map[string]int64{}
	trueN := map[string]int64{}
	predOf := map[string]map[string]bool{}
	trueOf := map[string]map[string]bool{}
	for id, pc := range pred {
		tc, ok := truth[id]
		if !ok {
			continue
		}
		p.Records++
		joint[[2]string{pc, tc}]++
		predN[pc]++
		trueN[tc]++
		if predOf[tc] == nil {
			predOf[tc] = map[string]bool{}
		}
		predOf[tc][pc] = true
		if trueOf[pc] == nil {
			trueOf[pc] = map[string]bool{}
		}
		trueOf[pc][tc] = true
	}
	c2 := func(n int64) int64 { return n * (n - 1) / 2 }
	for _, n := range joint {
		p.TruePositives += c2(n)
	}
	for _, n := range predN {
		p.PredictedPairs += c2(n)
	}
	for _, n := range trueN {
		p.TruePairs += c2(n)
	}
	for _, s := range predOf {
		if len(s) > 1 {
			p.Split++
		}
	}
	for _, s := range trueOf {
		if len(s) > 1 {
			p.Merged++
		}
	}
	p.Precision, p.Recall = 1, 1
	if p.PredictedPairs > 0 {
		p.Precision = float64(p.TruePositives) / float64(p.PredictedPairs)
	}
	if p.TruePairs > 0 {
		p.Recall = float64(p.TruePositives) / float64(p.TruePairs)
	}
	if p.Precision+p.Recall > 0 {
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
	return p
}

// readCSV reads a truth file with a header, calling fn with the named columns in order. A
// column "x|y" accepts either name; a name ending in "?" is optional ("" when absent).
func readCSV(path string, cols []string, fn func(line int, v []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("truth file: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("truth file %s: no header: %w", path, err)
	}
	at := map[string]int{}
	for i, h := range head {
		at[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	ix := make([]int, len(cols))
	for i, c := range cols {
		ix[i] = -1
		optional := strings.HasSuffix(c, "?")
		for _, name := range strings.Split(strings.TrimSuffix(c, "?"), "|") {
			if j, ok := at[name]; ok {
				ix[i] = j
				break
			}
		}
		if ix[i] < 0 && !optional {
			return fmt.Errorf("truth file %s: no column %s (header: %s)", path, c, strings.Join(head, ","))
		}
	}
	v := make([]string, len(cols))
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("truth file %s: %w", path, err)
		}
		for i, j := range ix {
			v[i] = ""
			if j >= 0 && j < len(rec) {
				v[i] = rec[j]
			}
		}
		if err := fn(line, v); err != nil {
			return err
		}
	}
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintln(w, "indicator: per measure, cells compared, cells wrong, sum of |error|, all-total canvas vs truth")
	for _, m := range r.Measures {
		flag := ""
		if m.Exact {
			flag = fmt.Sprintf("  (D1-D4 cells must be exact: %d wrong)", m.ExactWrong)
		}
		fmt.Fprintf(w, "  %-11s %-28s cells %7d  wrong %6d  |err| %7d  total %7d vs %7d (%+.2f%%)%s\n", m.Stage, m.Measure,
			m.Cells, m.Wrong, m.AbsError, m.Canvas, m.Truth, 100*signedRel(m.Canvas, m.Truth), flag)
		for _, e := range m.Examples {
			fmt.Fprintf(w, "      %s\n", e)
		}
	}
	fmt.Fprintln(w, "PERSONS_CONVICTED per year and phenomenon:")
	for _, y := range r.PersonsConvicted {
		ok := "ok"
		if !y.OK {
			ok = "OUTSIDE TARGET"
		}
		fmt.Fprintf(w, "  %d %-11s canvas %6d truth %6d  %+.2f%%  %s\n", y.Year, y.Phenomenon, y.Canvas, y.Truth, 100*signedRel(y.Canvas, y.Truth), ok)
	}
	pw := func(name string, p Pairwise) {
		fmt.Fprintf(w, "%s: %d records, precision %.4f, recall %.4f, F1 %.4f (pairs: true %d, predicted %d, both %d; %d true groups split, %d clusters mixed)\n",
			name, p.Records, p.Precision, p.Recall, p.F1, p.TruePairs, p.PredictedPairs, p.TruePositives, p.Split, p.Merged)
	}
	pw("D5 person linkage over conviction lines (person_link)", r.Linkage)
	pw("D5 person linkage over person records", r.LinkageRecords)
	pw("D4 decision chains over conviction lines", r.Chains)
	if r.ChainOutcome.Compared > 0 {
		fmt.Fprintf(w, "D4 chain outcome: %d of %d lines agree (%.2f%%)\n", r.ChainOutcome.Agree, r.ChainOutcome.Compared,
			100*float64(r.ChainOutcome.Agree)/float64(r.ChainOutcome.Compared))
	}
	fmt.Fprintln(w, "what each rule removed:")
	for _, e := range r.Rules {
		fmt.Fprintf(w, "  %s  %8d  %s\n", e.Rule, e.Removed, e.What)
	}
	if r.OK() {
		fmt.Fprintln(w, "within every target")
		return
	}
	fmt.Fprintln(w, "OUTSIDE TARGETS:")
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  %s\n", f)
	}
}

func signedRel(c, t int64) float64 {
	if t == 0 {
		if c == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return float64(c-t) / float64(t)
}

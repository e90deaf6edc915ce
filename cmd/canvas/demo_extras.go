package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ciatteh/canvas/eval"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/questionnaire"
)

// demoExtras runs the demo's steps after the build: the deduplicated figures beside the raw
// line counts, the evaluation against the truth, and the answers to the built-in questionnaires.
func demoExtras(ctx context.Context, s *pipeline.Store, extracts, answers string, stdout io.Writer) error {
	cv, err := pipeline.OpenDuckDB(s.Path(pipeline.CanvasFile), s.Settings, true)
	if err != nil {
		return fmt.Errorf("opening the published canvas: %w", err)
	}
	defer cv.Close()
	_, _, year, err := questionnaire.CanvasYears(ctx, cv)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "4. conviction figures of %d: raw lines as coded, against the canvas after dedup\n", year)
	fmt.Fprintf(stdout, "   %-12s %12s %12s %12s %12s\n", "phenomenon", "raw lines", "offence conv.", "convictions", "persons")
	for _, ph := range []string{"SMUGGLING", "TRAFFICKING"} {
		var raw int64
		if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM raw_mach r JOIN code_offence_types o ON o.code = r.offence
			WHERE o.phenomenon = ? AND year(r.final_date) = ? AND r.decision = 'CONVICTION'`, ph, year).Scan(&raw); err != nil {
			return err
		}
		get := func(measure string) int64 {
			var v int64
			_ = cv.QueryRowContext(ctx, `SELECT coalesce(sum(value), 0) FROM indicator WHERE ref_year = ? AND phenomenon = ? AND measure = ?
				AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T'`, year, ph, measure).Scan(&v)
			return v
		}
		persons := get("PERSONS_CONVICTED")
		ratio := 0.0
		if persons > 0 {
			ratio = float64(raw) / float64(persons)
		}
		fmt.Fprintf(stdout, "   %-12s %12d %12d %12d %12d   (raw lines are %.1f times the persons)\n", ph, raw,
			get("OFFENCE_CONVICTIONS"), get("CONVICTIONS"), persons, ratio)
	}

	truth := filepath.Join(extracts, "truth")
	if _, err := os.Stat(filepath.Join(truth, "indicator.csv")); err == nil {
		fmt.Fprintln(stdout, "5. the canvas against the synthetic world's truth (canvas eval)")
		rep, err := eval.Evaluate(ctx, s.DB, cv, eval.Options{TruthDir: truth})
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		l := rep.Linkage
		fmt.Fprintf(stdout, "   person linkage: precision %.4f, recall %.4f, F1 %.4f over %d records\n", l.Precision, l.Recall, l.F1, l.Records)
		if rep.OK() {
			fmt.Fprintln(stdout, "   every target met")
		} else {
			for _, f := range rep.Failures {
				fmt.Fprintf(stdout, "   outside target: %s\n", f)
			}
		}
	}

	cv.Close()
	fmt.Fprintf(stdout, "6. answering the built-in questionnaires and an example form for %d into %s\n", year, answers)
	if err := os.MkdirAll(answers, 0o755); err != nil {
		return err
	}
	return answerDemo(ctx, s, answers, stdout)
}

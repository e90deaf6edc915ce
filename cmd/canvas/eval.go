package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ciatteh/canvas/eval"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

// EvalOptions are the flags of `canvas eval`.
type EvalOptions struct {
	TruthDir string
	Canvas   string // canvas file (default: the store's published canvas)
	eval.Options
}

func newEvalCmd(g *Globals) *cobra.Command {
	o := &EvalOptions{}
	c := &cobra.Command{
		Use:   "eval --truth DIR",
		Short: "Compare the canvas with a synthetic world's truth; exit 1 when outside the targets",
		Long: `Compare the published canvas and the restricted store's dedup results with the truth that
canvas synth wrote beside a synthetic world's extracts (indicator.csv, persons.csv, chains.csv).
Prints per measure the count error of the indicator cells, the pairwise precision, recall and F1
of the person linkage (D5) and of the decision chains (D4), and what each rule removed.

Targets: every cell that depends only on rules D1-D4 equals the truth; PERSONS_CONVICTED per
year and phenomenon within 1% of the truth; linkage pairwise precision >= 0.995 and F1 >= 0.98.
Exit code 1 when the canvas is outside a target.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.TruthDir == "" {
				return usageError{fmt.Errorf("--truth DIR is required: the folder where canvas synth wrote the truth")}
			}
			return runEval(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	f := c.Flags()
	f.StringVar(&o.TruthDir, "truth", "", "folder of the synthetic world's truth (indicator.csv, persons.csv, chains.csv, or a truth/ folder holding them)")
	f.StringVar(&o.Canvas, "canvas", "", "canvas file to evaluate (default: the store's canvas.duckdb)")
	f.Float64Var(&o.PersonsTolerance, "persons-tolerance", 0.01, "largest relative error of PERSONS_CONVICTED per year and phenomenon")
	f.Float64Var(&o.MinPrecision, "min-precision", 0.995, "smallest linkage pairwise precision")
	f.Float64Var(&o.MinF1, "min-f1", 0.98, "smallest linkage pairwise F1")
	return c
}

func runEval(ctx context.Context, g *Globals, o *EvalOptions, stdout io.Writer) error {
	s, err := pipeline.Open(ctx, g.Store, settings(g))
	if err != nil {
		return err
	}
	defer s.Close()
	path := o.Canvas
	if path == "" {
		path = s.Path(pipeline.CanvasFile)
	}
	cv, err := pipeline.OpenDuckDB(path, settings(g), true)
	if err != nil {
		return fmt.Errorf("opening canvas %s: %w", path, err)
	}
	defer cv.Close()
	opts := o.Options
	opts.TruthDir = o.TruthDir
	rep, err := eval.Evaluate(ctx, s.DB, cv, opts)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if !rep.OK() {
		return &exitError{code: exitFailed, err: fmt.Errorf("the canvas is outside %d targets (see above)", len(rep.Failures))}
	}
	return nil
}

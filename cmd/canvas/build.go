package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ciatteh/canvas/build"
	"github.com/ciatteh/canvas/dedup/linkage"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

// BuildOptions are the flags of `canvas build`.
type BuildOptions struct {
	Wait              time.Duration
	MachMigrationYear int
	Out               string // write the canvas here instead of publishing it
	Full              bool   // rules D1-D5 from the whole raw layer, not only what new deliveries touch
	RetrainLinkage    bool   // estimate the linkage model again
	// MatchThreshold and ReviewThreshold override the linkage's (rule D5) when set.
	MatchThreshold, ReviewThreshold float64
}

func newBuildCmd(g *Globals) *cobra.Command {
	o := &BuildOptions{}
	c := &cobra.Command{
		Use:   "build",
		Short: "Remove double counting (D2-D5) and build and publish the shared canvas from the restricted store",
		Long: `Run the stages after the raw layer on the restricted store: resolve versions (D1) of the
deliveries not yet resolved (with --full: of all deliveries), remove the double counting of the
conviction extract (D2-D5, applying every analyst review decision; only for the records that the
new deliveries or decisions touch, unless --full), build a new shared canvas
(microdata, indicator, measure_definition, series_note, coverage) and publish it by an atomic
swap, keeping the previous canvases as canvas.duckdb.prev-N.

canvas load does this at its end; run canvas build after recording review decisions or changing
a code list. With --out, the canvas is written to that new file and not published.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd.Context(), g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := c.Flags()
	f.DurationVar(&o.Wait, "wait", 0, "if another run holds the store, wait this long for it (e.g. 30m)")
	f.IntVar(&o.MachMigrationYear, "mach-migration-year", 0, "year the MACH migration took effect, flagged B for conviction measures (0: from the data, -1: none)")
	f.StringVar(&o.Out, "out", "", "write the canvas to this new file instead of publishing it")
	f.BoolVar(&o.Full, "full", false, "recompute versions (D1) and double counting (D2-D5) for every record instead of only what new deliveries touch")
	f.BoolVar(&o.RetrainLinkage, "retrain-linkage", false, "estimate the person linkage model (D5) again from the current records and keep it for later runs (implies a full dedup)")
	f.Float64Var(&o.MatchThreshold, "match-threshold", 0, "person linkage: score (log2 odds) from which a pair is linked (0: the linkage default)")
	f.Float64Var(&o.ReviewThreshold, "review-threshold", 0, "person linkage: score from which a pair goes to the review list (0: the linkage default)")
	return c
}

func runBuild(ctx context.Context, g *Globals, o *BuildOptions, stdout, stderr io.Writer) error {
	s, done, err := openLocked(ctx, g, "canvas build", o.Wait)
	if err != nil {
		return err
	}
	defer done()
	runID, err := s.StartRun(ctx, commandLine("build", nil, "out", o.Out))
	if err != nil {
		return err
	}
	err = buildStages(ctx, g, s, runID, o, stdout, stderr)
	if err != nil {
		_ = s.EndRun(runID, pipeline.OutcomeFailed, err.Error())
		return err
	}
	return s.EndRun(runID, pipeline.OutcomeOK, "built")
}

func buildStages(ctx context.Context, g *Globals, s *pipeline.Store, runID int64, o *BuildOptions, stdout, stderr io.Writer) error {
	if _, err := s.Resolve(ctx, runID, o.Full); err != nil {
		return err
	}
	opts := pipeline.BuildOptions{Progress: stageProgress(stderr, g.Quiet), Build: build.Options{MachMigrationYear: o.MachMigrationYear}}
	opts.Dedup.Full, opts.Dedup.RetrainLinkage = o.Full, o.RetrainLinkage
	if o.MatchThreshold != 0 || o.ReviewThreshold != 0 {
		cfg := linkage.DefaultConfig()
		if o.MatchThreshold != 0 {
			cfg.MatchThreshold = o.MatchThreshold
		}
		if o.ReviewThreshold != 0 {
			cfg.ReviewThreshold = o.ReviewThreshold
		}
		if cfg.ReviewThreshold > cfg.MatchThreshold {
			return usageError{fmt.Errorf("--review-threshold %g is above --match-threshold %g", cfg.ReviewThreshold, cfg.MatchThreshold)}
		}
		opts.Dedup.Linkage = &cfg
	}
	if o.Out == "" {
		br, err := pipeline.BuildCanvas(ctx, s, runID, opts)
		if err != nil {
			return err
		}
		printBuild(stdout, br)
		return nil
	}
	// --out: dedup and build only, into a file of the caller's choosing
	opts.Build.Progress = opts.Progress
	key, err := s.Key()
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.Out); err == nil {
		return usageError{fmt.Errorf("--out %s already exists: name a new file", o.Out)}
	}
	br, err := dedupAndBuild(ctx, s, key, o.Out, opts)
	if err != nil {
		return err
	}
	br.CanvasPath = o.Out
	printBuild(stdout, br)
	return nil
}

// dedupAndBuild runs dedup and the canvas build into out, without publishing.
func dedupAndBuild(ctx context.Context, s *pipeline.Store, key []byte, out string, opts pipeline.BuildOptions) (pipeline.BuildResult, error) {
	var br pipeline.BuildResult
	var err error
	opts.Dedup.Progress = opts.Progress
	if br.Dedup, err = s.RunDedup(ctx, opts.Dedup); err != nil {
		return br, fmt.Errorf("dedup: %w", err)
	}
	if br.Build, err = build.Build(ctx, s.DB, key, out, opts.Build); err != nil {
		return br, err
	}
	return br, nil
}

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/pipeline"
)

// afterLoad runs the stages after the raw layer: dedup, canvas build and publishing. A run that
// loaded nothing new leaves the published canvas as it is, unless --full asks for a rebuild.
func afterLoad(ctx context.Context, g *Globals, s *pipeline.Store, runID int64, res pipeline.LoadResult, o *LoadOptions, stdout, stderr io.Writer) error {
	stale, err := s.Stale(ctx, pipeline.MarkPublished)
	if err != nil {
		return err
	}
	if !res.Loaded() && !stale && !o.Full {
		if _, err := fmt.Fprintln(stdout, "nothing new loaded: the published canvas stays as it is"); err != nil {
			return err
		}
		return nil
	}
	opts := pipeline.BuildOptions{Progress: stageProgress(stderr, g.Quiet)}
	opts.Dedup.Full = o.Full
	br, err := pipeline.BuildCanvas(ctx, s, runID, opts)
	if err != nil {
		return err
	}
	printBuild(stdout, br)
	return nil
}

func printBuild(w io.Writer, br pipeline.BuildResult) {
	d := br.Dedup
	how := fmt.Sprintf("incremental: %d person records recomputed", d.Region)
	if d.Mode == dedup.ModeFull {
		how = "full: " + d.Reason
	}
	fmt.Fprintf(w, "dedup: %d lines -> %d notices -> %d decision chains (%d convictions), %d person records -> %d persons, %d pairs to review (%s; %s)\n",
		d.Lines, d.Notices, d.Chains, d.Convictions, d.PersonRecords, d.Persons, d.ReviewPairs, how, d.Duration.Round(1e6))
	fmt.Fprintf(w, "canvas: %d indicator rows, years %d-%d, published at %s (%s)\n",
		br.Build.IndicatorRows, br.Build.YearFrom, br.Build.YearTo, br.CanvasPath, br.Build.Duration.Round(1e6))
}

// stageProgress prints each stage as it starts, on a terminal.
func stageProgress(w io.Writer, quiet bool) func(string) {
	if quiet || progressPrinter(w, false) == nil {
		return nil
	}
	return func(st string) { fmt.Fprintf(w, "%s ...\n", st) }
}

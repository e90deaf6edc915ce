package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/synth"
	"github.com/spf13/cobra"
)

// DemoOptions are the flags of `canvas demo`.
type DemoOptions struct {
	Dir  string
	Seed int64
}

func newDemoCmd(g *Globals) *cobra.Command {
	o := &DemoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole nightly job on a synthetic world: generate, load, dedup, build, answer, and say where the results are",
		Long: `Generate the default synthetic world (canvas synth), load its deliveries into a new store
(canvas load: checks, quarantine, D1), remove double counting and build and publish the shared
canvas (D2-D5, indicator), compare the canvas with the world's truth (canvas eval), answer a
questionnaire (canvas answer), and print a summary with the place of every result.
Running it again is safe: the files are the same, so the load is a no-op.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	c.Flags().StringVar(&o.Dir, "dir", "./canvas-demo", "folder for the demo's extracts, store and answers")
	c.Flags().Int64Var(&o.Seed, "seed", 1, "random seed of the synthetic world")
	return c
}

func runDemo(ctx context.Context, g *Globals, o *DemoOptions, stdout, stderr io.Writer) error {
	start := time.Now()
	extracts := filepath.Join(o.Dir, "extracts")
	store := filepath.Join(o.Dir, "store")
	answers := filepath.Join(o.Dir, "answers")
	say := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }

	say("1. generating the synthetic world (seed %d) into %s", o.Seed, extracts)
	cfg := synth.DefaultConfig()
	cfg.Seed = o.Seed
	m, err := synth.Generate(ctx, extracts, cfg, nil)
	if err != nil {
		return err
	}
	say("   %d files: %s lines", len(m.Files), formatRows(m.Rows))

	say("2. loading the deliveries into the store %s", store)
	gs := *g
	gs.Store = store
	release, err := pipeline.Lock(ctx, store, "canvas demo", 0)
	if err != nil {
		return err
	}
	defer release()
	s, err := pipeline.Open(ctx, store, settings(&gs))
	if err != nil {
		return err
	}
	defer s.Close()
	runID, err := s.StartRun(ctx, "demo --dir "+o.Dir)
	if err != nil {
		return err
	}
	res, err := pipeline.Load(ctx, s, runID, pipeline.LoadOptions{Inbox: extracts, Progress: progressPrinter(stderr, g.Quiet)})
	if err != nil {
		_ = s.EndRun(runID, pipeline.OutcomeFailed, err.Error())
		return err
	}
	var read, loaded, quar, skipped int64
	for _, f := range res.Files {
		read += f.Read
		loaded += f.Loaded
		quar += f.Quarantined
		if f.Outcome == pipeline.FileSkipped {
			skipped++
		}
	}
	say("   %d rows read, %d loaded, %d in quarantine (the generator's deliberate bad rows), %d files already loaded", read, loaded, quar, skipped)

	say("3. removing double counting and building the shared canvas")
	br, err := pipeline.BuildCanvas(ctx, s, runID, pipeline.BuildOptions{Progress: stageProgress(stderr, g.Quiet)})
	if err != nil {
		_ = s.EndRun(runID, pipeline.OutcomeFailed, err.Error())
		return err
	}
	printBuild(stdout, br)
	if err := s.EndRun(runID, res.Outcome, "demo"); err != nil {
		return err
	}
	if err := demoExtras(ctx, s, extracts, answers, stdout); err != nil {
		return err
	}
	say("")
	say("Done in %s. Where the results are:", time.Since(start).Round(time.Second))
	say("  extracts (synthetic deliveries)   %s", extracts)
	say("  truth of the synthetic world      %s", filepath.Join(extracts, "truth"))
	say("  restricted store (analysts only)  %s", s.Path(pipeline.RestrictedFile))
	say("  shared canvas (members)           %s", s.Path(pipeline.CanvasFile))
	say("  questionnaire answers             %s", answers)
	prog := "canvas"
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, "go-build") {
		prog = "go run ./cmd/canvas" // started with go run
	}
	say("Next: %s --store %s runs", prog, store)
	say("      %s --store %s query \"SELECT * FROM indicator LIMIT 10\"", prog, store)
	say("      %s --store %s members add NAME && %s --store %s serve", prog, store, prog, store)
	_ = os.MkdirAll(answers, 0o755)
	return nil
}

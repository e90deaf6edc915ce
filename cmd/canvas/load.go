package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

// LoadOptions are the flags of `canvas load`.
type LoadOptions struct {
	Files   []string
	Inbox   string
	Source  string
	Sheet   string
	Wait    time.Duration
	NoBuild bool
	Full    bool
}

func newLoadCmd(g *Globals) *cobra.Command {
	o := &LoadOptions{}
	c := &cobra.Command{
		Use:   "load [FILE...]",
		Short: "Check and load delivery files (or an inbox folder) into the restricted store, then build the canvas",
		Long: `Check and load police, prosecution and MACH conviction extracts into the restricted store.

Each file is loaded completely or not at all; a file already loaded (same SHA-256) is skipped.
Rows that cannot be counted go to quarantine with the reason; files that break the contract are
refused. With --inbox, every new file of the folder is loaded in name order (delivery order).
After loading, versions are resolved (rule D1) for the records that the new deliveries name,
double counting is removed (D2-D5) for the person records those changes touch, and the shared
canvas is built and published, unless --no-build. With --full, D1 to D5 are recomputed for every
record; the result is the same.

Exit codes: 0 ok, 1 failed (a file refused or a stage failed), 2 usage, 3 loaded with rows in quarantine.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			if len(args) == 0 && o.Inbox == "" {
				return usageError{fmt.Errorf("nothing to load: name delivery files, or an inbox folder with --inbox DIR")}
			}
			return runLoad(cmd.Context(), g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := c.Flags()
	f.StringVar(&o.Inbox, "inbox", "", "load every new file of this folder, in name order")
	f.StringVar(&o.Source, "source", "", "source of the files: police, prosecution or mach (default: from the file name or header)")
	f.StringVar(&o.Sheet, "sheet", "", "XLSX sheet to read (default: the first sheet with a header row)")
	f.DurationVar(&o.Wait, "wait", 0, "if another run holds the store, wait this long for it (e.g. 30m)")
	f.BoolVar(&o.NoBuild, "no-build", false, "load only: do not dedup, build or publish the canvas")
	f.BoolVar(&o.Full, "full", false, "rebuild everything from all deliveries instead of the incremental path")
	return c
}

func settings(g *Globals) pipeline.Settings {
	return pipeline.Settings{MemoryLimit: g.MemoryLimit, TempDir: g.TempDir, Threads: g.Threads, CodesDir: g.CodesDir}
}

func runLoad(ctx context.Context, g *Globals, o *LoadOptions, stdout, stderr io.Writer) error {
	if o.Source != "" && o.Source != "police" && o.Source != "prosecution" && o.Source != "mach" {
		return usageError{fmt.Errorf("--source %q: use police, prosecution or mach", o.Source)}
	}
	s, done, err := openLocked(ctx, g, "canvas load", o.Wait)
	if err != nil {
		return err
	}
	defer done()
	runID, err := s.StartRun(ctx, commandLine("load", o.Files, "inbox", o.Inbox))
	if err != nil {
		return err
	}
	res, err := pipeline.Load(ctx, s, runID, pipeline.LoadOptions{
		Files: o.Files, Inbox: o.Inbox, Source: o.Source, Sheet: o.Sheet, Full: o.Full,
		Progress: progressPrinter(stderr, g.Quiet),
	})
	if err == nil && !o.NoBuild {
		err = afterLoad(ctx, g, s, runID, res, o, stdout, stderr)
	}
	printLoad(stdout, res)
	if err != nil {
		_ = s.EndRun(runID, pipeline.OutcomeFailed, err.Error())
		return err
	}
	msg := fmt.Sprintf("%d files", len(res.Files))
	if endErr := s.EndRun(runID, res.Outcome, msg); endErr != nil {
		return endErr
	}
	switch res.Outcome {
	case pipeline.OutcomeFailed:
		return &exitError{code: exitFailed, err: fmt.Errorf("run %d: some files were refused or failed: see above, fix them and load them again", runID)}
	case pipeline.OutcomeQuarantine:
		fmt.Fprintf(stderr, "canvas: run %d loaded with rows in quarantine (exit code 3): see the quarantine table or `canvas check`\n", runID)
		return &exitError{code: exitQuarantine}
	}
	return nil
}

func printLoad(w io.Writer, res pipeline.LoadResult) {
	fmt.Fprintf(w, "run %d\n", res.RunID)
	for _, f := range res.Files {
		f.Name = pipeline.DisplayName(f.Name)
		f.Message = pipeline.DisplayName(f.Message)
		switch f.Outcome {
		case pipeline.FileSkipped:
			fmt.Fprintf(w, "  %-40s skipped: %s\n", f.Name, f.Message)
		case pipeline.FileRefused, pipeline.FileFailed:
			fmt.Fprintf(w, "  %-40s %s: %s\n", f.Name, strings.ToUpper(f.Outcome), f.Message)
		default:
			fmt.Fprintf(w, "  %-40s %-11s %s: read %d, loaded %d, quarantined %d, flagged %d\n", f.Name, f.Source, f.Outcome,
				f.Read, f.Loaded, f.Quarantined, f.Flagged)
			for r, n := range f.Reasons {
				fmt.Fprintf(w, "      quarantine %6d  %s\n", n, r)
			}
		}
	}
}

// commandLine renders a run's command for the run log.
func commandLine(cmd string, args []string, flagPairs ...string) string {
	parts := []string{cmd}
	for i := 0; i+1 < len(flagPairs); i += 2 {
		if flagPairs[i+1] != "" {
			parts = append(parts, "--"+flagPairs[i], flagPairs[i+1])
		}
	}
	return strings.Join(append(parts, args...), " ")
}

// openLocked takes the store's lock and opens it, for a command that writes the store; done
// closes the store and releases the lock.
func openLocked(ctx context.Context, g *Globals, command string, wait time.Duration) (*pipeline.Store, func(), error) {
	release, err := pipeline.Lock(ctx, g.Store, command, wait)
	if err != nil {
		return nil, nil, err
	}
	s, err := pipeline.Open(ctx, g.Store, settings(g))
	if err != nil {
		release()
		return nil, nil, err
	}
	return s, func() { s.Close(); release() }, nil
}

// Command canvas is the CIATTEH data canvas: the nightly pipeline that loads the police,
// prosecution and conviction extracts, removes double counting, builds the shared canvas and
// answers international questionnaires. Commands are thin: they parse flags into options and
// call the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ciatteh/canvas/pipeline"
)

// Exit codes, documented in the README.
const (
	exitOK         = 0
	exitFailed     = 1
	exitUsage      = 2
	exitQuarantine = 3 // the run succeeded but rows went to quarantine: a scheduler can alert
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Globals are the flags every command shares.
type Globals struct {
	Store       string // store folder
	Quiet       bool   // no progress display
	MemoryLimit string // DuckDB memory limit
	GoMemory    string // the Go runtime's soft memory limit
	TempDir     string // DuckDB spill directory
	Threads     int
	CodesDir    string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	if path := os.Getenv("CANVAS_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "canvas:", err)
			return exitFailed
		}
		defer stop()
	}
	if path := os.Getenv("CANVAS_MEMPROFILE"); path != "" {
		defer func() {
			if err := writeAllocProfile(path); err != nil {
				fmt.Fprintln(os.Stderr, "canvas:", err)
			}
		}()
	}
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitQuarantine {
			fmt.Fprintln(os.Stderr, "canvas:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "canvas:", err)
	if isUsage(err) {
		return exitUsage
	}
	return exitFailed
}

type usageError struct{ error }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func newRootCmd() *cobra.Command {
	g := &Globals{}
	root := &cobra.Command{
		Use:           "canvas",
		Short:         "The CIATTEH data canvas: load extracts, remove double counting, build and publish the canvas",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if g.GoMemory == "" {
			return nil
		}
		n, ok := pipeline.ParseSize(g.GoMemory)
		if !ok {
			return usageError{fmt.Errorf("--go-memory-limit %q: give a size with its unit, such as 4GiB or 4500MB", g.GoMemory)}
		}
		debug.SetMemoryLimit(n)
		return nil
	}
	def := os.Getenv("CANVAS_STORE")
	if def == "" {
		def = "./canvas-store"
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.Store, "store", def, "store folder (restricted.duckdb, canvas.duckdb, key); env CANVAS_STORE")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress display")
	pf.StringVar(&g.MemoryLimit, "memory-limit", os.Getenv("CANVAS_MEMORY_LIMIT"), "DuckDB memory limit, e.g. 4GB (a full dedup lowers it to a third while it holds every person record); env CANVAS_MEMORY_LIMIT")
	pf.StringVar(&g.GoMemory, "go-memory-limit", os.Getenv("CANVAS_GO_MEMORY_LIMIT"), "soft limit of the program's own heap (Go's GOMEMLIMIT), e.g. 4GiB; env CANVAS_GO_MEMORY_LIMIT")
	pf.StringVar(&g.TempDir, "temp-dir", os.Getenv("CANVAS_TEMP_DIR"), "DuckDB spill directory; env CANVAS_TEMP_DIR")
	pf.IntVar(&g.Threads, "threads", 0, "DuckDB threads (0: all cores)")
	pf.StringVar(&g.CodesDir, "codes", os.Getenv("CANVAS_CODES"), "folder of code lists overriding the built-in ones; env CANVAS_CODES")
	for _, add := range subcommands() {
		root.AddCommand(add(g))
	}
	return root
}

// subcommands lists the constructors of every subcommand; each lives in its own file.
func subcommands() []func(*Globals) *cobra.Command {
	return []func(*Globals) *cobra.Command{
		newLoadCmd,
		newCheckCmd,
		newRunsCmd,
		newSynthCmd,
		newDemoCmd,
		newBenchCmd,
		newPublishCmd,
		newAnswerCmd,
		newQueryCmd,
		newMembersCmd,
		newServeCmd,
		newBuildCmd,
		newReviewCmd,
		newEvalCmd,
		// add new commands here, one line each
	}
}

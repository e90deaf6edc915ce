package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ciatteh/canvas/bench"
	"github.com/spf13/cobra"
)

// BenchOptions are the flags of `canvas bench`.
type BenchOptions struct {
	Dir   string
	Sizes string
	Seed  int64
}

func newBenchCmd(g *Globals) *cobra.Command {
	o := &BenchOptions{}
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure load, dedup+build and an answer on synthetic worlds of several sizes, beside cat and DuckDB's read_csv",
		Long: `Generate synthetic worlds with about the given numbers of conviction lines (police and
prosecution scaled alike), then time each stage as a child process (peak memory per stage) and,
in the same run, the floors: reading the files (cat, warm cache) and DuckDB's read_csv of the same
CSV files. Prints a Markdown table (the README's).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			sizes, err := parseSizes(o.Sizes)
			if err != nil {
				return usageError{err}
			}
			prog, err := os.Executable()
			if err != nil {
				return err
			}
			rs, err := bench.Run(cmd.Context(), bench.Options{Program: prog, Dir: o.Dir, Sizes: sizes, Seed: o.Seed,
				Memory: g.MemoryLimit, GoMemory: g.GoMemory, Log: cmd.ErrOrStderr()})
			bench.Markdown(cmd.OutOrStdout(), rs)
			return err
		},
	}
	c.Flags().StringVar(&o.Dir, "dir", "./canvas-bench", "work folder for the worlds and stores")
	c.Flags().StringVar(&o.Sizes, "sizes", "10k,100k,1m", "conviction lines per world, comma-separated (k, m suffixes)")
	c.Flags().Int64Var(&o.Seed, "seed", 1, "random seed")
	return c
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		mult := 1
		switch {
		case strings.HasSuffix(p, "k"):
			mult, p = 1000, strings.TrimSuffix(p, "k")
		case strings.HasSuffix(p, "m"):
			mult, p = 1000000, strings.TrimSuffix(p, "m")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--sizes %q: write sizes like 10k,100k,1m", s)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ciatteh/canvas/synth"
	"github.com/spf13/cobra"
)

// SynthOptions are the flags of `canvas synth`.
type SynthOptions struct {
	Out    string
	Seed   int64
	Years  string
	Scale  float64
	Nights int
	Rates  []string
}

func newSynthCmd(g *Globals) *cobra.Command {
	o := &SynthOptions{}
	c := &cobra.Command{
		Use:   "synth --out DIR",
		Short: "Generate synthetic police, prosecution and MACH extracts with their ground truth",
		Long: `Generate one simulated population of cases followed from police to prosecution to court,
written as the three extracts of extracts.md (an initial delivery and nightly deltas, CSV and XLSX,
French, Dutch and English headers), with every double-counting pattern at set rates, and the truth
beside them in DIR/truth (see synth/README.md). The same seed and flags give byte-identical files.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Out == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			cfg, err := synthConfig(o)
			if err != nil {
				return usageError{err}
			}
			start := time.Now()
			m, err := synth.Generate(cmd.Context(), o.Out, cfg, nil)
			if err != nil {
				return err
			}
			var lines int64
			for _, n := range m.Rows {
				lines += n
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d files, %d lines (%s) into %s in %.1fs (%.0f lines/s); truth in %s/truth\n",
				len(m.Files), lines, formatRows(m.Rows), o.Out, secs, float64(lines)/secs, o.Out)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Out, "out", "", "folder to write the extracts into (truth in DIR/truth)")
	f.Int64Var(&o.Seed, "seed", 1, "random seed")
	f.StringVar(&o.Years, "years", "2015-2025", "years of recorded facts, FROM-TO")
	f.Float64Var(&o.Scale, "scale", 1, "multiply background volume (e.g. 100 for benchmarks)")
	f.IntVar(&o.Nights, "nights", 3, "nightly delivery files per source after the initial one")
	f.StringArrayVar(&o.Rates, "rate", nil, "set a pattern rate, NAME=VALUE (names in synth/README.md, e.g. MissingNN=0.5); repeatable")
	return c
}

func formatRows(m map[string]int64) string {
	var parts []string
	for _, s := range []string{"police", "prosecution", "mach"} {
		parts = append(parts, fmt.Sprintf("%s %d", s, m[s]))
	}
	return strings.Join(parts, ", ")
}

func parseYears(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	from, err1 := strconv.Atoi(strings.TrimSpace(a))
	to, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || from > to {
		return 0, 0, fmt.Errorf("years %q: write FROM-TO, e.g. 2015-2025", s)
	}
	return from, to, nil
}

func synthConfig(o *SynthOptions) (synth.Config, error) {
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Scale, cfg.Nights = o.Seed, o.Scale, o.Nights
	from, to, err := parseYears(o.Years)
	if err != nil {
		return cfg, err
	}
	cfg.FromYear, cfg.ToYear = from, to
	if len(o.Rates) > 0 {
		b, _ := json.Marshal(cfg.Rates)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		for _, kv := range o.Rates {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return cfg, fmt.Errorf("--rate %q: write NAME=VALUE", kv)
			}
			found := ""
			for name := range m {
				if strings.EqualFold(name, strings.TrimSpace(k)) {
					found = name
				}
			}
			if found == "" {
				return cfg, fmt.Errorf("--rate %q: unknown rate %q (see synth/README.md)", kv, k)
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || x < 0 {
				return cfg, fmt.Errorf("--rate %q: %q is not a non-negative number", kv, v)
			}
			m[found] = x
		}
		b, _ = json.Marshal(m)
		if err := json.Unmarshal(b, &cfg.Rates); err != nil {
			return cfg, fmt.Errorf("--rate: %w", err)
		}
	}
	return cfg, nil
}

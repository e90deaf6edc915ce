package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/questionnaire"
	"github.com/spf13/cobra"
)

// newAnswerCmd is `canvas answer`: a questionnaire answer, or an institution's form filled, from
// the shared canvas.
func newAnswerCmd(g *Globals) *cobra.Command {
	var opts questionnaire.Options
	var years string
	var suppress, list bool
	var printSpec string
	cmd := &cobra.Command{
		Use:   "answer [NAME] --year Y --out FILE.xlsx",
		Short: "Answer an international questionnaire, or fill a form, from the shared canvas",
		Long: `Answer one of the built-in questionnaires (` + strings.Join(questionnaire.BuiltIn(), ", ") + `)
from the shared canvas (<store>/canvas.duckdb, opened read-only): an XLSX workbook with a sheet per
table and a Notes sheet, plus SDMX-CSV 2.0 (--sdmx) for the Eurostat ones and the long layout as CSV
for unodc-glotip. A questionnaire is a YAML spec: print one with --print-spec NAME, edit it, and
pass it back with --spec FILE when the questionnaire changes.

With --template FORM.xlsx --map MAP.yaml, fills an institution's own workbook instead, keeping its
layout, styles, merged cells and formulas (see questionnaire/README.md for the mapping format).`,
		Example: `  canvas answer eurostat-thb --year 2024 --out thb-2024.xlsx --sdmx thb-2024.csv
  canvas answer unodc-glotip --years 2022-2024 --out glotip.xlsx
  canvas answer --template form.xlsx --map form-map.yaml --year 2024 --out form-2024.xlsx`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if list {
				for _, n := range questionnaire.BuiltIn() {
					fmt.Fprintln(out, n)
				}
				return nil
			}
			if printSpec != "" {
				b, err := questionnaire.BuiltInSpec(printSpec)
				if err != nil {
					return usageError{err}
				}
				_, err = out.Write(b)
				return err
			}
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if years != "" {
				a, b, ok := strings.Cut(years, "-")
				from, err1 := strconv.Atoi(a)
				to, err2 := strconv.Atoi(b)
				if !ok || err1 != nil || err2 != nil {
					return usageError{fmt.Errorf("--years %q: expected A-B, e.g. 2020-2024", years)}
				}
				opts.FromYear, opts.ToYear = from, to
			}
			if cmd.Flags().Changed("suppress") {
				opts.Suppress = &suppress
			}
			opts.Store, opts.CodesDir = g.Store, g.CodesDir
			path := filepath.Join(g.Store, pipeline.CanvasFile)
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no shared canvas at %s: load deliveries with `canvas load` (or run `canvas build`) first, or give --store: %w", path, err)
			}
			db, err := pipeline.OpenDuckDB(path, pipeline.Settings{MemoryLimit: g.MemoryLimit, TempDir: g.TempDir, Threads: g.Threads}, true)
			if err != nil {
				return fmt.Errorf("opening the shared canvas %s: %w", path, err)
			}
			defer db.Close()
			res, err := questionnaire.Answer(cmd.Context(), db, opts)
			if err != nil {
				return err
			}
			if !g.Quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s %v: %d cells, %d not available, %d suppressed; wrote %s\n",
					res.Name, res.Years, res.Cells, res.Missing, res.Suppressed, strings.Join(res.Files, ", "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Year, "year", 0, "reference year")
	f.StringVar(&years, "years", "", "range of reference years A-B (one column block per year)")
	f.StringVarP(&opts.Out, "out", "o", "", "XLSX workbook to write")
	f.StringVar(&opts.SDMXOut, "sdmx", "", "also write SDMX-CSV 2.0 to this file (Eurostat questionnaires)")
	f.StringVar(&opts.CSVOut, "csv", "", "long layout CSV (unodc-glotip; default: beside --out with .csv)")
	f.StringVar(&opts.SpecFile, "spec", "", "questionnaire spec file replacing the built-in one")
	f.BoolVar(&suppress, "suppress", false, "hide small counts (--suppress=false: show them); default: the spec's policy")
	f.StringVar(&opts.Template, "template", "", "an institution's XLSX form to fill")
	f.StringVar(&opts.Map, "map", "", "the mapping file for --template")
	f.BoolVar(&list, "list", false, "list the built-in questionnaires")
	f.StringVar(&printSpec, "print-spec", "", "print a built-in questionnaire's spec, to edit and pass back with --spec")
	return cmd
}

// answerDemo is the demo's last step: every built-in questionnaire and the example form, answered
// from the store's published canvas for its latest year without provisional figures, into the
// folder answers.
func answerDemo(ctx context.Context, s *pipeline.Store, answers string, stdout io.Writer) error {
	db, err := pipeline.OpenDuckDB(s.Path(pipeline.CanvasFile), s.Settings, true)
	if err != nil {
		return fmt.Errorf("opening the shared canvas: %w", err)
	}
	defer db.Close()
	_, _, year, err := questionnaire.CanvasYears(ctx, db)
	if err != nil {
		return err
	}
	opts := questionnaire.Options{Year: year, Store: s.Dir, CodesDir: s.Settings.CodesDir}
	res, err := questionnaire.AnswerBuiltIns(ctx, db, answers, opts)
	if err != nil {
		return err
	}
	_, mapping, err := questionnaire.ExampleForm(filepath.Join(answers, "example-form"))
	if err != nil {
		return err
	}
	opts.Map, opts.Out = mapping, filepath.Join(answers, fmt.Sprintf("example-form-%d.xlsx", year))
	r, err := questionnaire.Answer(ctx, db, opts)
	if err != nil {
		return err
	}
	for _, r := range append(res, r) {
		if _, err := fmt.Fprintf(stdout, "   %-14s %d: %3d cells, %2d not available, %3d suppressed -> %s\n",
			r.Name, year, r.Cells, r.Missing, r.Suppressed, strings.Join(r.Files, ", ")); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"fmt"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/schema"
	"github.com/spf13/cobra"
)

// CheckOptions are the flags of `canvas check`.
type CheckOptions struct {
	Source, Sheet string
	Examples      int
}

func newCheckCmd(g *Globals) *cobra.Command {
	o := &CheckOptions{}
	c := &cobra.Command{
		Use:   "check FILE...",
		Short: "Run the delivery checks on files without loading them, and print a report",
		Long: `Run exactly the checks of a load (format, encoding, header, codes, values) without a store,
and print per file what would be loaded, quarantined (with reasons and examples) or refused.

Exit codes: 0 all files clean, 1 a file would be refused, 2 usage, 3 rows would go to quarantine.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("name at least one file to check")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			codes, err := schema.LoadCodes(g.CodesDir)
			if err != nil {
				return err
			}
			worst := exitOK
			for _, p := range args {
				rep, err := pipeline.Check(cmd.Context(), p, pipeline.CheckOptions{Source: o.Source, Sheet: o.Sheet, Codes: codes, MaxExamples: o.Examples})
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				rep.Format(cmd.OutOrStdout())
				switch rep.Outcome() {
				case pipeline.FileRefused:
					worst = exitFailed
				case pipeline.FileQuarantine:
					if worst == exitOK {
						worst = exitQuarantine
					}
				}
			}
			if worst != exitOK {
				return &exitError{code: worst}
			}
			return nil
		},
	}
	c.Flags().StringVar(&o.Source, "source", "", "source of the files: police, prosecution or mach (default: from the file name or header)")
	c.Flags().StringVar(&o.Sheet, "sheet", "", "XLSX sheet to read")
	c.Flags().IntVar(&o.Examples, "examples", 10, "quarantined rows to show per file")
	return c
}

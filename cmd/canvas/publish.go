package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

func newPublishCmd(g *Globals) *cobra.Command {
	var rollback int
	var list bool
	var wait time.Duration
	c := &cobra.Command{
		Use:   "publish --list | --rollback [N]",
		Short: "List the published and kept canvases, or publish a kept one again (rollback)",
		Long: `Every build publishes a new canvas.duckdb and keeps the previous ones as canvas.duckdb.prev-1
(newest) to prev-3. --rollback publishes prev-1 (or prev-N) again, by the same atomic swap as a
build: members see the current canvas or the restored one, never a half-copied file.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				n, err := strconv.Atoi(args[0])
				if err != nil || n < 1 || rollback == 0 {
					return usageError{fmt.Errorf("write --rollback N with N a kept canvas number (1, 2, 3)")}
				}
				rollback = n
			}
			if !list && rollback == 0 {
				return usageError{fmt.Errorf("say --list or --rollback [N]")}
			}
			w := cmd.OutOrStdout()
			if list {
				s := &pipeline.Store{Dir: g.Store}
				kept, err := s.KeptCanvases()
				if err != nil {
					return err
				}
				if len(kept) == 0 {
					fmt.Fprintf(w, "no canvas published in %s yet\n", g.Store)
				}
				for _, k := range kept {
					fmt.Fprintf(w, "%-60s %s  %d bytes\n", k.Path, k.Modified.Local().Format("2006-01-02 15:04:05"), k.Size)
				}
				return nil
			}
			s, done, err := openLocked(cmd.Context(), g, "canvas publish --rollback", wait)
			if err != nil {
				return err
			}
			defer done()
			runID, err := s.StartRun(cmd.Context(), fmt.Sprintf("publish --rollback %d", rollback))
			if err != nil {
				return err
			}
			src, err := s.Rollback(rollback)
			if err != nil {
				_ = s.EndRun(runID, pipeline.OutcomeFailed, err.Error())
				return err
			}
			fmt.Fprintf(w, "published %s again as %s\n", src, s.Path(pipeline.CanvasFile))
			return s.EndRun(runID, pipeline.OutcomeOK, "rolled back to "+src)
		},
	}
	c.Flags().BoolVar(&list, "list", false, "list the published canvas and the kept previous ones")
	c.Flags().IntVar(&rollback, "rollback", 0, "publish the kept canvas prev-N again (1: the one before the current)")
	c.Flags().Lookup("rollback").NoOptDefVal = "1"
	c.Flags().DurationVar(&wait, "wait", 0, "if another run holds the store, wait this long for it")
	return c
}

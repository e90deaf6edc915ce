package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

func newRunsCmd(g *Globals) *cobra.Command {
	var n int
	var asJSON bool
	c := &cobra.Command{
		Use:   "runs",
		Short: "Print the run log: each run's id, times, user, inputs with SHA-256 and counts, and outcome",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := pipeline.OpenReadOnly(cmd.Context(), g.Store, settings(g))
			if err != nil {
				return err
			}
			defer s.Close()
			runs, err := s.Runs(cmd.Context(), n)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(w, "no runs yet")
			}
			for _, r := range runs {
				end, dur := "-", ""
				outcome := r.Outcome
				if r.Ended != nil {
					end = r.Ended.Local().Format("2006-01-02 15:04:05")
					dur = r.Ended.Sub(r.Started).Round(time.Millisecond).String()
				} else if outcome == pipeline.OutcomeRunning {
					outcome = "running or interrupted"
				}
				fmt.Fprintf(w, "run %d  %s  %s -> %s (%s)  %s@%s pid %d  %s\n", r.ID, r.Command,
					r.Started.Local().Format("2006-01-02 15:04:05"), end, dur, r.User, r.Host, r.PID, outcome)
				if r.Message != "" {
					fmt.Fprintf(w, "    %s\n", r.Message)
				}
				for _, f := range r.Inputs {
					f.Name, f.Message = pipeline.DisplayName(f.Name), pipeline.DisplayName(f.Message)
					sha := f.SHA256
					if len(sha) > 12 {
						sha = sha[:12]
					}
					fmt.Fprintf(w, "    %-40s %-11s %10d B  sha256 %-12s  read %d loaded %d quarantined %d flagged %d  %s\n",
						f.Name, f.Source, f.Size, sha, f.Read, f.Loaded, f.Quarantined, f.Flagged, f.Outcome)
					if f.Message != "" && f.Outcome != pipeline.FileLoaded {
						fmt.Fprintf(w, "        %s\n", f.Message)
					}
				}
			}
			return nil
		},
	}
	c.Flags().IntVarP(&n, "last", "n", 20, "how many runs to show (0: all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}

package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/spf13/cobra"
)

// ReviewOptions are the flags of `canvas review`.
type ReviewOptions struct {
	All  bool   // list: decided pairs too
	CSV  bool   // list: as CSV (columns a, b, decision first: fill in and import)
	Note string // decide: the analyst's note
	By   string // decide, import: who decides
	Wait time.Duration
}

func newReviewCmd(g *Globals) *cobra.Command {
	o := &ReviewOptions{}
	c := &cobra.Command{
		Use:   "review",
		Short: "List the uncertain person matches and record analysts' decisions on them",
		Long: `The person linkage (rule D5) puts pairs of conviction person records whose score falls between
the non-match and match thresholds on a review list. An analyst decides each pair: match (the
same person) or nonmatch. Decisions are stored in the restricted store and applied in every
later run; run canvas build (or wait for the next load) to see their effect.

  canvas review list [--all] [--csv]       the pairs to decide, with both records' identities
  canvas review decide A B match|nonmatch  record one decision
  canvas review import FILE.csv            record decisions from a CSV with columns a, b, decision
                                           (and optionally note, by); list --csv writes that layout`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&o.By, "by", "", "who decides (default: the current user)")
	pf.DurationVar(&o.Wait, "wait", 0, "if another run holds the store, wait this long for it")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the pairs waiting for a decision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReviewList(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	list.Flags().BoolVar(&o.All, "all", false, "list decided pairs too")
	list.Flags().BoolVar(&o.CSV, "csv", false, "write CSV (a, b, decision, note, score, identities) to fill in and import")
	decide := &cobra.Command{
		Use:   "decide A B match|nonmatch",
		Short: "Record a decision on one pair of person records",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := dedup.ParseVerdict(args[2])
			if err != nil {
				return usageError{err}
			}
			return runReviewRecord(cmd.Context(), g, o, []dedup.Decision{{A: args[0], B: args[1], Match: m, Note: o.Note}}, cmd.OutOrStdout())
		},
	}
	decide.Flags().StringVar(&o.Note, "note", "", "why")
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Record decisions from a CSV file (columns a, b, decision; optionally note, by)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			ds, err := dedup.ReadDecisionsCSV(f, args[0])
			if err != nil {
				return err
			}
			return runReviewRecord(cmd.Context(), g, o, ds, cmd.OutOrStdout())
		},
	}
	c.AddCommand(list, decide, imp)
	return c
}

func runReviewList(ctx context.Context, g *Globals, o *ReviewOptions, stdout io.Writer) error {
	s, err := pipeline.Open(ctx, g.Store, settings(g))
	if err != nil {
		return err
	}
	defer s.Close()
	pairs, err := dedup.ListReview(ctx, s.DB, o.All)
	if err != nil {
		return err
	}
	if o.CSV {
		w := csv.NewWriter(stdout)
		w.Write([]string{"a", "b", "decision", "note", "score", "a_surname", "a_given_names", "a_birth_date", "a_birth_place", "a_national_number",
			"b_surname", "b_given_names", "b_birth_date", "b_birth_place", "b_national_number"})
		for _, p := range pairs {
			w.Write([]string{p.A, p.B, p.Decision, "", strconv.FormatFloat(p.Score, 'f', 2, 64),
				p.A1.Surname, p.A1.GivenNames, p.A1.BirthDate, p.A1.BirthPlace, p.A1.NationalNumber,
				p.B1.Surname, p.B1.GivenNames, p.B1.BirthDate, p.B1.BirthPlace, p.B1.NationalNumber})
		}
		w.Flush()
		return w.Error()
	}
	if len(pairs) == 0 {
		_, err := fmt.Fprintln(stdout, "no pairs to review")
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "A\tB\tSCORE\tDECISION\tA: NAME / BORN / PLACE / SEX / CIT\tB: NAME / BORN / PLACE / SEX / CIT\tNOTE")
	for _, p := range pairs {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", p.A, p.B, p.Score, p.Decision, view(p.A1), view(p.B1), p.Note)
	}
	return tw.Flush()
}

func view(r dedup.RecordView) string {
	return fmt.Sprintf("%s, %s / %s / %s / %s / %s", r.Surname, r.GivenNames, r.BirthDate, r.BirthPlace, r.Sex, r.Citizenship)
}

func runReviewRecord(ctx context.Context, g *Globals, o *ReviewOptions, ds []dedup.Decision, stdout io.Writer) error {
	by := o.By
	if by == "" {
		if u, err := user.Current(); err == nil {
			by = u.Username
		}
	}
	for i := range ds {
		if ds[i].By == "" {
			ds[i].By = by
		}
	}
	s, done, err := openLocked(ctx, g, "canvas review", o.Wait)
	if err != nil {
		return err
	}
	defer done()
	if err := dedup.RecordDecisions(ctx, s.DB, ds); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d decision(s) recorded; they apply from the next canvas build or load\n", len(ds))
	return err
}

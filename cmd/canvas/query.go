package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/query"
	"github.com/spf13/cobra"
)

// QueryOptions are the flags of canvas query.
type QueryOptions struct {
	Format     string
	Out        string
	Restricted bool
	Timeout    time.Duration
	MaxRows    int
}

func newQueryCmd(g *Globals) *cobra.Command {
	o := &QueryOptions{}
	c := &cobra.Command{
		Use:   `query "SQL" | -`,
		Short: "Run a read-only SQL query against the shared canvas (or, with --restricted, the restricted store)",
		Long: `Run one read-only SQL statement (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE)
against the shared canvas, <store>/canvas.duckdb, and write the result as it streams. "-" reads the
statement from standard input. Start with: canvas query "SHOW TABLES", then "DESCRIBE indicator".

Nothing can be written: the file is attached read-only in a sandbox with file and network access
turned off. CSV and XLSX cells that start with = + - @ get a leading apostrophe, so that no
spreadsheet reads them as formulas.`,
		Example: `  canvas query "SELECT ref_year, value FROM indicator WHERE phenomenon = 'SMUGGLING' AND measure = 'PERSONS_CONVICTED' AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T' ORDER BY 1"
  canvas query "FROM indicator" --out indicator.parquet
  canvas query --restricted "SHOW TABLES"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, g, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVarP(&o.Format, "format", "f", "", "output format: "+strings.Join(query.Formats(), ", ")+" (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write to this file instead of standard output")
	f.BoolVar(&o.Restricted, "restricted", false, "query the restricted store (analysts only) instead of the shared canvas")
	f.DurationVar(&o.Timeout, "timeout", 0, "stop the query after this long, e.g. 30s (0: no limit)")
	f.IntVar(&o.MaxRows, "max-rows", 0, "write at most this many rows (0: all)")
	return c
}

func runQuery(cmd *cobra.Command, g *Globals, o *QueryOptions, stmt string) error {
	if stmt == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return err
		}
		stmt = string(b)
	}
	db, alias := filepath.Join(g.Store, pipeline.CanvasFile), "canvas"
	if o.Restricted {
		db, alias = filepath.Join(g.Store, pipeline.RestrictedFile), "restricted"
	}
	if o.Format != "" {
		if _, err := query.NewWriter(o.Format, io.Discard); err != nil {
			return usageError{err}
		}
	}
	res, err := query.Do(cmd.Context(), query.Request{
		DB: db, SQL: stmt, Format: o.Format, Out: o.Out,
		Limits:  query.Limits{MaxRows: o.MaxRows, Timeout: o.Timeout},
		Options: query.Options{Alias: alias, MemoryLimit: g.MemoryLimit, Threads: g.Threads},
	}, cmd.OutOrStdout())
	if errors.Is(err, query.ErrNoDatabase) && !o.Restricted {
		return fmt.Errorf("%w: no canvas has been published in store %s yet (check --store or CANVAS_STORE)", err, g.Store)
	}
	if err != nil {
		return err
	}
	if res.Truncated && !g.Quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "canvas: stopped at %d rows (--max-rows)\n", res.Rows)
	}
	if o.Out != "" && !g.Quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "canvas: %d rows written to %s\n", res.Rows, o.Out)
	}
	return nil
}

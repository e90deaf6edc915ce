package dedup

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"time"

	"github.com/ciatteh/canvas/dedup/linkage"
)

//go:embed sql/tables.sql
var tablesSQL string

// Options tune a dedup run.
type Options struct {
	// Linkage configures rule D5; the zero value means linkage.DefaultConfig().
	Linkage *linkage.Config
	// NameMatchMin is the smallest name-match score (0 to 1) with which an appeal joins a notice
	// of another person in the judgment it reviews (rule D4); 0 means 0.65.
	NameMatchMin float64
	// Progress, when set, is told each stage as it starts.
	Progress func(stage string)
}

// Stats count what each rule did in a run.
type Stats struct {
	Lines          int // lines of mach_current (after D1)
	D2Merged       int // LEGACY lines merged into their MACH twin
	PersonRecords  int // person records given to the linkage
	Persons        int // person keys
	D5Merged       int // person records merged into another's person (PersonRecords - Persons)
	ReviewPairs    int // pairs on the review list
	Notices        int // conviction notices (D3)
	D3Merged       int // standing lines merged into a notice with another line
	OffenceLines   int // lines of chains' last decisions
	Chains         int // decision chains (D4)
	D4Merged       int // notices merged into a chain with another notice
	OrphanAppeals  int // appeals whose first decision is absent
	D4PersonMerges int // persons merged because an appeal named another record's notice
	Convictions    int // chains whose last decision is CONVICTION
	Duration       time.Duration
}

// Run applies rules D2 to D5 to the restricted store's mach_current table (rule D1 must have
// run) and rewrites the resolved tables and the trace. It runs in one transaction: a failed run
// leaves the previous results in place.
func Run(ctx context.Context, db *sql.DB, opts Options) (Stats, error) {
	start := time.Now()
	progress := func(s string) {
		if opts.Progress != nil {
			opts.Progress(s)
		}
	}
	cfg := linkage.DefaultConfig()
	if opts.Linkage != nil {
		cfg = *opts.Linkage
	}
	if opts.NameMatchMin == 0 {
		opts.NameMatchMin = 0.65
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer conn.Close()
	if err := EnsureTables(ctx, conn); err != nil {
		return Stats{}, err
	}
	progress("reading convictions")
	lines, err := readLines(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	previous, err := readPreviousKeys(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	decisions, err := readDecisions(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	w := &world{lines: lines, nameMatchMin: opts.NameMatchMin}
	w.stats.Lines = len(lines)
	progress("D2 migration duplicates")
	w.migrationDuplicates()
	progress("D5 person linkage")
	if err := w.linkPersons(ctx, decisions, cfg); err != nil {
		return Stats{}, err
	}
	progress("D3 notices, D4 decision chains")
	w.noticesAndChains()
	w.assignKeys(previous)
	w.convictions()
	progress("writing resolved tables")
	if err := w.write(ctx, conn); err != nil {
		return Stats{}, err
	}
	st := w.stats
	st.Duration = time.Since(start)
	return st, nil
}

// EnsureTables creates the dedup tables of the restricted store when they are missing.
func EnsureTables(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if _, err := db.ExecContext(ctx, tablesSQL); err != nil {
		return fmt.Errorf("creating dedup tables: %w", err)
	}
	return nil
}

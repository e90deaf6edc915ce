package pipeline

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/ciatteh/canvas/schema"
)

//go:embed sql/resolve_versions.sql
var resolveVersionsSQL string

// resolveTemplates holds rule D1 as SQL templates, "full" and "incremental", applied per source.
var resolveTemplates = template.Must(template.New("resolve_versions.sql").
	Funcs(template.FuncMap{"join": func(cols []string) string { return strings.Join(cols, ", ") }}).
	Parse(resolveVersionsSQL))

// Resolve modes, as ResolveStats and the run log name them.
const (
	ResolveFull        = "full"        // every *_current table rewritten from the whole raw layer
	ResolveIncremental = "incremental" // only the record keys of the deliveries not yet resolved
)

// ResolveStats says what a resolve (rule D1) did. It is the resolve stage's record in the run log.
type ResolveStats struct {
	// Mode is ResolveFull or ResolveIncremental, or "" when every delivery was already resolved.
	Mode string `json:"mode"`
	// Reason says why a resolve was full.
	Reason string `json:"reason,omitempty"`
	// The deliveries with From < delivery_id <= Through were resolved (From is 0 when full).
	From    int64 `json:"from_delivery"`
	Through int64 `json:"through_delivery"`
	// Keys is how many record keys an incremental resolve recomputed, and Inserted, Replaced and
	// Removed how many of them gained, changed or lost their standing row (d1_changed).
	Keys     int64 `json:"keys"`
	Inserted int64 `json:"inserted"`
	Replaced int64 `json:"replaced"`
	Removed  int64 `json:"removed"`
}

// ResolveVersions applies rule D1: it brings the *_current tables up to date with every delivery
// loaded, incrementally when it can (see Resolve).
func ResolveVersions(ctx context.Context, db *sql.DB) error {
	_, err := Resolve(ctx, db, false)
	return err
}

// Resolve applies rule D1 to the deliveries loaded since the last resolve, in one transaction that
// also moves the MarkResolved mark: a run killed before the commit leaves the mark behind, and the
// next resolve takes those deliveries in.
//
// Incrementally, only the record keys that the new deliveries name are recomputed, from all their
// raw rows; the keys whose standing row was inserted, replaced or removed are added to d1_changed.
// With full, or when the store's state does not allow it (never resolved, a *_current table
// missing or of another layout, a mark that is not a delivery id), every *_current table is
// rewritten from the whole raw layer, and d1_changed says "full". The two give the same tables.
func Resolve(ctx context.Context, db *sql.DB, full bool) (ResolveStats, error) {
	var st ResolveStats
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(delivery_id), 0) FROM delivery`).Scan(&st.Through); err != nil {
		return st, fmt.Errorf("resolving versions (D1): %w", err)
	}
	from, reason, err := resolvedMark(ctx, tx, st.Through)
	if err != nil {
		return st, fmt.Errorf("resolving versions (D1): %w", err)
	}
	switch {
	case full:
		st.Mode, st.Reason = ResolveFull, "asked for (--full)"
	case reason != "":
		st.Mode, st.Reason = ResolveFull, reason
	case from == st.Through:
		return st, nil // nothing new: the *_current tables are up to date
	default:
		st.Mode, st.From = ResolveIncremental, from
	}
	if st.Mode == ResolveFull {
		err = resolveFull(ctx, tx, st.Through)
	} else {
		err = resolveIncremental(ctx, tx, &st)
	}
	if err != nil {
		return st, fmt.Errorf("resolving versions (D1, %s): %w", st.Mode, err)
	}
	if err := setMark(ctx, tx, MarkResolved); err != nil {
		return st, err
	}
	// Changes that a published canvas has taken into account are no longer needed.
	if _, err := tx.ExecContext(ctx, `DELETE FROM d1_changed WHERE resolved_through <=
		coalesce((SELECT TRY_CAST(value AS BIGINT) FROM store_meta WHERE key = ?), -1)`, MarkPublished); err != nil {
		return st, fmt.Errorf("resolving versions (D1): d1_changed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("resolving versions (D1): %w", err)
	}
	return st, nil
}

// Resolve runs rule D1 as a stage of run runID (see the function Resolve) and records it in the
// run log when it did something.
func (s *Store) Resolve(ctx context.Context, runID int64, full bool) (ResolveStats, error) {
	start := time.Now()
	st, err := Resolve(ctx, s.DB, full)
	if err != nil || st.Mode == "" {
		return st, err
	}
	return st, s.recordStage(ctx, runID, "resolve", start, st)
}

// resolvedMark returns the last delivery resolved, or the reason why the *_current tables cannot
// be brought up to date incrementally.
func resolvedMark(ctx context.Context, tx *sql.Tx, last int64) (mark int64, reason string, err error) {
	var text string
	var num sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT value, TRY_CAST(value AS BIGINT) FROM store_meta WHERE key = ?`,
		MarkResolved).Scan(&text, &num)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, "rule D1 has not run on this store yet", nil
	case err != nil:
		return 0, "", err
	case !num.Valid:
		return 0, fmt.Sprintf("the %s mark %q is not a delivery id", MarkResolved, text), nil
	}
	mark = num.Int64
	if mark < 0 || mark > last {
		return 0, fmt.Sprintf("the %s mark %d is not between 0 and the last delivery, %d", MarkResolved, mark, last), nil
	}
	cols, err := tableColumns(ctx, tx)
	if err != nil {
		return 0, "", err
	}
	for _, src := range schema.Sources() {
		cur := currentTable(src)
		switch {
		case cols[cur] == nil:
			return 0, cur + " is missing", nil
		case !slices.Equal(cols[cur], cols[src.Table]):
			return 0, fmt.Sprintf("the columns of %s are not those of %s", cur, src.Table), nil
		}
	}
	return mark, "", nil
}

// tableColumns returns the columns ("name type", in order) of every table of the restricted store.
func tableColumns(ctx context.Context, tx *sql.Tx) (map[string][]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name || ' ' || data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, err
		}
		cols[table] = append(cols[table], col)
	}
	return cols, rows.Err()
}

// currentTable is the table of a source's standing rows after rule D1.
func currentTable(src *schema.Source) string { return src.Name + "_current" }

// resolveData is what the templates of resolve_versions.sql read.
type resolveData struct {
	Source, Raw, Current      string
	Key                       []string
	Version                   string
	Tombstone, TombstoneValue string
	Incremental               bool
	From, Through             int64
}

func newResolveData(src *schema.Source) resolveData {
	return resolveData{Source: src.Name, Raw: src.Table, Current: currentTable(src), Key: src.Key, Version: src.Version,
		Tombstone: src.Tombstone, TombstoneValue: src.TombstoneValue}
}

// resolveFull rewrites every *_current table from the whole raw layer (rule D1 on every record),
// and leaves in d1_changed only its "full" row: any record may have changed.
func resolveFull(ctx context.Context, tx *sql.Tx, through int64) error {
	for _, src := range schema.Sources() {
		if err := execTemplate(ctx, tx, "full", newResolveData(src)); err != nil {
			return fmt.Errorf("%s: %w", src.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM d1_changed`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO d1_changed (resolved_through, change) VALUES (?, 'full')`, through)
	return err
}

// resolveIncremental recomputes the standing rows of the record keys that the deliveries
// st.From < delivery_id <= st.Through name, source by source, and counts what changed.
func resolveIncremental(ctx context.Context, tx *sql.Tx, st *ResolveStats) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT source FROM delivery WHERE delivery_id > ? AND delivery_id <= ?`, st.From, st.Through)
	if err != nil {
		return err
	}
	var sources []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		sources = append(sources, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, src := range schema.Sources() {
		if !slices.Contains(sources, src.Name) {
			continue // no new delivery of this source: none of its records can have changed
		}
		d := newResolveData(src)
		d.Incremental, d.From, d.Through = true, st.From, st.Through
		if err := execTemplate(ctx, tx, "incremental", d); err != nil {
			return fmt.Errorf("%s: %w", src.Name, err)
		}
		var keys int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM d1_keys`).Scan(&keys); err != nil {
			return err
		}
		st.Keys += keys
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.d1_keys; DROP TABLE IF EXISTS temp.d1_standing`); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT count(*) FILTER (change = 'inserted'), count(*) FILTER (change = 'replaced'),
		count(*) FILTER (change = 'removed') FROM d1_changed WHERE resolved_through = ?`, st.Through).Scan(&st.Inserted, &st.Replaced, &st.Removed)
}

func execTemplate(ctx context.Context, tx *sql.Tx, name string, d resolveData) error {
	var b strings.Builder
	if err := resolveTemplates.ExecuteTemplate(&b, name, d); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, b.String())
	return err
}

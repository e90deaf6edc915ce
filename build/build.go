// Package build writes the shared canvas: a new DuckDB file holding the microdata at the grain of
// each measure, the indicator table (canvas.md section 6), measure_definition, series_note,
// coverage and the reference code lists.
//
// It sits after the dedup stage and before publishing: [Build] reads the restricted store's
// resolved tables (police_current and prosecution_current from rule D1, the conviction tables
// of package dedup) and writes a complete canvas at a path that does not exist yet; [Publish]
// then swaps it in atomically. Every output of the project reads the canvas only. The canvas
// holds no names, national numbers, full birth dates or free text: persons, facts, cases and
// convictions appear as keyed pseudonyms (HMAC-SHA256 with the store's key, which never leaves
// the restricted store folder).
package build

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ciatteh/canvas/dedup"
	"github.com/duckdb/duckdb-go/v2"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// steps are the SQL files of a build, in order (after the pseudonyms are made).
func steps() []string {
	return []string{"police", "prosecution", "conviction", "indicator", "measure_definition", "series_note", "codes"}
}

// Options tune a build.
type Options struct {
	// MachMigrationYear is the year the MACH migration took effect, flagged B (break in series)
	// for conviction measures. 0: the year of the latest LEGACY judgment, when the extract holds
	// both LEGACY and MACH lines; -1: none.
	MachMigrationYear int
	// Progress, when set, is told each step as it starts.
	Progress func(step string)
}

// Stats describe a built canvas.
type Stats struct {
	Tables         map[string]int64 // rows per canvas table
	IndicatorRows  int64
	YearFrom       int
	YearTo         int
	Pseudonyms     int
	Duration       time.Duration
	MigrationYear  int // 0: none
	CanvasFileSize int64
}

// PseudonymLength is the number of hex digits of a pseudonym (80 bits).
const PseudonymLength = 20

// Pseudonym returns the pseudonym of an identifier of a kind (person, police, prosecution, fact,
// case, chain): the hex HMAC-SHA256 of "kind:id" under key, truncated to PseudonymLength digits.
func Pseudonym(key []byte, kind, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	m.Write([]byte{':'})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))[:PseudonymLength]
}

// Build writes a complete canvas at outPath, which must not exist, from the restricted store
// restricted (rules D1 to D5 must have run), with the pseudonym key key. On error the partial
// file is removed.
func Build(ctx context.Context, restricted *sql.DB, key []byte, outPath string, opts Options) (st Stats, err error) {
	start := time.Now()
	if len(key) < 16 {
		return st, errors.New("canvas build: the pseudonym key is missing or too short")
	}
	for _, p := range []string{outPath, outPath + ".wal"} {
		if _, err := os.Stat(p); err == nil {
			return st, fmt.Errorf("canvas build: %s already exists; the build writes a new file and never overwrites one", p)
		}
	}
	progress := func(s string) {
		if opts.Progress != nil {
			opts.Progress(s)
		}
	}
	conn, err := restricted.Conn(ctx)
	if err != nil {
		return st, err
	}
	defer conn.Close()
	if err := dedup.EnsureTables(ctx, conn); err != nil {
		return st, err
	}
	defer func() {
		dropTemp(context.WithoutCancel(ctx), conn)
		if err != nil {
			os.Remove(outPath)
			os.Remove(outPath + ".wal")
		}
	}()
	if _, err := conn.ExecContext(ctx, "ATTACH "+quote(outPath)+" AS canvas_new"); err != nil {
		return st, fmt.Errorf("canvas build: creating %s: %w", outPath, err)
	}
	attached := true
	defer func() {
		if attached {
			conn.ExecContext(context.WithoutCancel(ctx), "DETACH canvas_new")
		}
	}()
	progress("pseudonyms")
	if err := exec(ctx, conn, "prelude"); err != nil {
		return st, err
	}
	if st.MigrationYear, err = params(ctx, conn, opts); err != nil {
		return st, err
	}
	if st.Pseudonyms, err = pseudonyms(ctx, conn, key); err != nil {
		return st, err
	}
	for _, s := range steps() {
		progress(s)
		if err := exec(ctx, conn, s); err != nil {
			return st, err
		}
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE canvas_new.build_info AS
		SELECT now() AS built_at, ? AS program, ? AS pseudonym_digits`, "canvas", PseudonymLength); err != nil {
		return st, fmt.Errorf("canvas build: %w", err)
	}
	st.Tables = map[string]int64{}
	rows, err := conn.QueryContext(ctx, `SELECT table_name, estimated_size FROM duckdb_tables() WHERE database_name = 'canvas_new'`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.Tables[t] = n
	}
	rows.Close()
	for t := range st.Tables {
		var n int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM canvas_new."+t).Scan(&n); err != nil {
			return st, err
		}
		st.Tables[t] = n
	}
	st.IndicatorRows = st.Tables["indicator"]
	var y0, y1 sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT min(ref_year), max(ref_year) FROM canvas_new.indicator`).Scan(&y0, &y1); err != nil {
		return st, err
	}
	st.YearFrom, st.YearTo = int(y0.Int64), int(y1.Int64)
	if _, err := conn.ExecContext(ctx, "CHECKPOINT canvas_new"); err != nil {
		return st, fmt.Errorf("canvas build: checkpoint: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "DETACH canvas_new"); err != nil {
		return st, fmt.Errorf("canvas build: closing %s: %w", outPath, err)
	}
	attached = false
	if fi, err := os.Stat(outPath); err == nil {
		st.CanvasFileSize = fi.Size()
	}
	if err := syncFile(outPath); err != nil {
		return st, err
	}
	st.Duration = time.Since(start)
	return st, nil
}

func exec(ctx context.Context, conn *sql.Conn, name string) error {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, string(b)); err != nil {
		return fmt.Errorf("canvas build, step %s (build/sql/%s.sql): %w", name, name, err)
	}
	return nil
}

// params writes the build's parameters into a temporary table the SQL reads.
func params(ctx context.Context, conn *sql.Conn, opts Options) (int, error) {
	year := opts.MachMigrationYear
	if year == 0 {
		var y sql.NullInt64
		if err := conn.QueryRowContext(ctx, `
			SELECT CASE WHEN count(*) FILTER (WHERE coalesce(source_system, 'MACH') = 'MACH') > 0
			            THEN max(year(judgment_date)) FILTER (WHERE source_system = 'LEGACY') END
			FROM mach_current`).Scan(&y); err != nil {
			return 0, fmt.Errorf("canvas build: finding the MACH migration year: %w", err)
		}
		year = int(y.Int64)
	}
	if year < 0 {
		year = 0
	}
	var v any
	if year > 0 {
		v = year
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE build_param (name VARCHAR, value INTEGER)`); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO build_param VALUES ('mach_migration_year', ?)`, v); err != nil {
		return 0, err
	}
	return year, nil
}

// pseudonyms computes the pseudonym of every identifier the canvas shows, into a temporary
// table of the restricted connection (dropped at the end of the build). The key stays in Go.
func pseudonyms(ctx context.Context, conn *sql.Conn, key []byte) (int, error) {
	rows, err := conn.QueryContext(ctx, `
		SELECT DISTINCT 'police' AS kind, person_ref AS id FROM police_current
		UNION SELECT DISTINCT 'fact', fact_id FROM police_current
		UNION SELECT DISTINCT 'prosecution', suspect_ref FROM prosecution_current
		UNION SELECT DISTINCT 'case', case_number FROM prosecution_current
		UNION SELECT DISTINCT 'person', person_key FROM conviction_chain
		UNION SELECT DISTINCT 'chain', chain_id FROM conviction_chain`)
	if err != nil {
		return 0, fmt.Errorf("canvas build: reading identifiers: %w", err)
	}
	var ids [][2]string
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, [2]string{k, id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE pseudonym (kind VARCHAR, id VARCHAR, pseudonym VARCHAR)`); err != nil {
		return 0, err
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "pseudonym")
		if err != nil {
			return err
		}
		for i, p := range ids {
			if i%65536 == 0 && ctx.Err() != nil {
				a.Close()
				return ctx.Err()
			}
			if err := a.AppendRow(p[0], p[1], Pseudonym(key, p[0], p[1])); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("canvas build: writing pseudonyms: %w", err)
	}
	return len(ids), nil
}

// dropTemp drops the build's temporary tables, so that the pooled connection keeps no
// pseudonym map.
func dropTemp(ctx context.Context, conn *sql.Conn) {
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE temporary`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp.main."+`"`+n+`"`)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

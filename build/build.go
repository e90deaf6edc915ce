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
// the restricted store folder): the SQL calls pseudonym(kind, id), a DuckDB scalar function
// computed in Go with the key (see pseudonymFunc), on exactly the identifiers it writes.
package build

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ciatteh/canvas/dedup"
	"github.com/duckdb/duckdb-go/v2"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// steps are the SQL files of a build, in order (after the prelude and the pseudonym function).
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
	Pseudonyms     int // distinct pseudonyms the canvas shows
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
	endPseudonyms, err := pseudonyms(ctx, conn, key)
	if err != nil {
		return st, err
	}
	defer endPseudonyms()
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
	if st.Pseudonyms, err = countPseudonyms(ctx, conn); err != nil {
		return st, err
	}
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

// pseudonymFunc is the DuckDB scalar function pseudonym(kind, id) of one build: the
// [Pseudonym] of id, computed in Go inside the query a chunk of rows at a time, so that the
// canvas's SQL pseudonymises exactly the identifiers it writes, where it writes them, and no
// identifier makes a round trip to Go and back. The key stays in Go (in this value, never in
// SQL text or a table); DuckDB keeps a registered function until the database is closed, so
// the build disables it when it ends: it then fails instead of pseudonymising.
type pseudonymFunc struct {
	key atomic.Pointer[[]byte] // nil once the build is over
}

func newPseudonymFunc(key []byte) *pseudonymFunc {
	f := &pseudonymFunc{}
	k := append([]byte(nil), key...)
	f.key.Store(&k)
	return f
}

// disable forgets the key: later calls fail.
func (f *pseudonymFunc) disable() {
	if k := f.key.Swap(nil); k != nil {
		clear(*k)
	}
}

func (f *pseudonymFunc) Config() duckdb.ScalarFuncConfig {
	v, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	// not volatile: equal arguments give equal pseudonyms; NULL in, NULL out
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{v, v}, ResultTypeInfo: v}
}

func (f *pseudonymFunc) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{ChunkContextExecutor: f.chunk}
}

var errPseudonymOver = errors.New("the pseudonym function of a canvas build is used after the build ended")

// chunk pseudonymises one chunk (up to 2048 rows). DuckDB calls it from its worker threads at
// once: it shares nothing but the key.
func (f *pseudonymFunc) chunk(ctx context.Context, st *duckdb.ChunkIteratorState) error {
	k := f.key.Load()
	if k == nil {
		return errPseudonymOver
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	in := st.GetInputChunk()
	kv, err := in.GetVector(0)
	if err != nil {
		return err
	}
	iv, err := in.GetVector(1)
	if err != nil {
		return err
	}
	kinds, err := duckdb.GetVectorView[string](kv)
	if err != nil {
		return err
	}
	ids, err := duckdb.GetVectorView[string](iv)
	if err != nil {
		return err
	}
	out, err := duckdb.GetVectorWriter[string](st.GetResultVector())
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, *k)
	var msg []byte
	var sum [sha256.Size]byte
	var digits [2 * sha256.Size]byte
	for row := range ids.Len() {
		kind, ok, err := kinds.GetValueBorrowed(row)
		if err != nil {
			return err
		}
		id, ok2, err := ids.GetValueBorrowed(row)
		if err != nil {
			return err
		}
		if !ok || !ok2 {
			continue // NULL: the driver sets the result to NULL
		}
		// the bytes Pseudonym hashes: kind, ':', id
		msg = append(append(append(msg[:0], kind...), ':'), id...)
		m.Reset()
		m.Write(msg)
		hex.Encode(digits[:], m.Sum(sum[:0]))
		if err := out.Set(row, string(digits[:PseudonymLength])); err != nil {
			return err
		}
	}
	return nil
}

// pseudonyms registers the build's pseudonym function on conn, under a name of its own, and
// the temporary macro pseudonym(kind, id) that the build's SQL calls. The returned function
// disables it; the caller calls it when the build ends, whatever happened.
func pseudonyms(ctx context.Context, conn *sql.Conn, key []byte) (func(), error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name := "canvas_pseudonym_" + hex.EncodeToString(b[:])
	f := newPseudonymFunc(key)
	if err := duckdb.RegisterScalarUDF(conn, name, f); err != nil {
		f.disable()
		return nil, fmt.Errorf("canvas build: registering the pseudonym function: %w", err)
	}
	end := func() {
		f.disable()
		conn.ExecContext(context.WithoutCancel(ctx), `DROP MACRO IF EXISTS temp.main.pseudonym`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP MACRO pseudonym(kind, id) AS `+name+`(kind, id)`); err != nil {
		end()
		return nil, fmt.Errorf("canvas build: %w", err)
	}
	return end, nil
}

// countPseudonyms counts the distinct pseudonyms the new canvas shows.
func countPseudonyms(ctx context.Context, conn *sql.Conn) (int, error) {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (
		SELECT fact FROM canvas_new.police_fact UNION SELECT person FROM canvas_new.police_person
		UNION SELECT "case" FROM canvas_new.prosecution_case UNION SELECT person FROM canvas_new.prosecution_person
		UNION SELECT conviction FROM canvas_new.conviction UNION SELECT person FROM canvas_new.conviction
		UNION SELECT conviction FROM canvas_new.offence_conviction UNION SELECT person FROM canvas_new.offence_conviction
		UNION SELECT person FROM canvas_new.person_conviction)`).Scan(&n)
	return n, err
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

// Package query runs members' and analysts' SQL against a canvas store, read-only and sandboxed,
// and writes the results in the output formats of "canvas query" and of the web application's
// SQL page (table, CSV, JSON, XLSX, Parquet), streaming rows as they come.
//
// An Engine is a separate in-memory DuckDB that ATTACHes one database file READ_ONLY, then turns
// off every access to files and the network (enable_external_access=false, no extension
// installing or autoloading) and locks its configuration, so that no statement can write, read
// another file or loosen the settings. On top of that, Check accepts a single read statement only
// (DuckDB's own parser decides: only SELECT-like statements serialise) and refuses table functions
// that read files. The web application never hands an Engine anything but the shared canvas.
package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Options tune an Engine's DuckDB.
type Options struct {
	// Alias is the catalog name under which the file is attached and the default catalog of every
	// connection ("canvas" when empty).
	Alias       string
	MemoryLimit string // DuckDB memory_limit, e.g. "1GB" ("" = DuckDB's default)
	Threads     int    // 0 = DuckDB's default
}

// Engine is a sandboxed, read-only DuckDB over one database file.
type Engine struct {
	db    *sql.DB
	path  string
	alias string
	ready atomic.Bool
}

// ErrNoDatabase is returned by Open when the file does not exist.
var ErrNoDatabase = errors.New("database file not found")

// Open attaches the DuckDB file at path read-only in a fresh in-memory DuckDB and locks it down.
func Open(ctx context.Context, path string, o Options) (*Engine, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNoDatabase, path)
		}
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	alias := o.Alias
	if alias == "" {
		alias = "canvas"
	}
	e := &Engine{path: path, alias: alias}
	use := "USE " + quoteIdent(alias)
	// Every new connection of the pool starts in the attached database. Not with ctx: the pool
	// opens connections long after Open's caller is gone.
	conn, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		if !e.ready.Load() {
			return nil
		}
		_, err := ex.ExecContext(context.Background(), use, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.db = sql.OpenDB(conn)
	boot, err := e.db.Conn(ctx)
	if err != nil {
		e.db.Close()
		return nil, err
	}
	defer boot.Close()
	stmts := []string{
		fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", quoteString(path), quoteIdent(alias)),
	}
	if o.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit="+quoteString(o.MemoryLimit))
	}
	if o.Threads > 0 {
		stmts = append(stmts, "SET threads="+strconv.Itoa(o.Threads))
	}
	stmts = append(stmts,
		"SET enable_external_access=false",
		"SET autoinstall_known_extensions=false",
		"SET autoload_known_extensions=false",
		"SET allow_community_extensions=false",
		"SET lock_configuration=true",
		use,
	)
	for _, s := range stmts {
		if _, err := boot.ExecContext(ctx, s); err != nil {
			e.db.Close()
			if strings.Contains(err.Error(), "lock") && strings.HasPrefix(s, "ATTACH") {
				return nil, fmt.Errorf("opening %s read-only: %w (another process, such as a running load, holds it for writing: retry when it ends)", path, err)
			}
			return nil, fmt.Errorf("opening %s read-only: %s: %w", path, firstWord(s), err)
		}
	}
	e.ready.Store(true)
	return e, nil
}

// Path is the attached file.
func (e *Engine) Path() string { return e.path }

// Close closes the engine's DuckDB; the file is released.
func (e *Engine) Close() error { return e.db.Close() }

// QueryContext runs a trusted query (the web application's own, with arguments) in the sandbox.
// It does not Check the statement: use Run for anyone's SQL.
func (e *Engine) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return e.db.QueryContext(ctx, q, args...)
}

// Limits bound one run of a query.
type Limits struct {
	MaxRows int           // 0: no limit; otherwise at most MaxRows rows are written and Truncated is set
	Timeout time.Duration // 0: none; the query is interrupted when it runs out
}

// Result says how a run went.
type Result struct {
	Columns   []Column
	Rows      int  // rows written
	Truncated bool // more rows than Limits.MaxRows existed
}

// ErrTimeout is returned when a query ran out of its time limit.
var ErrTimeout = errors.New("query stopped: it ran out of its time limit")

// Run checks q (a single read statement, see Check), runs it, and writes its rows to w as they come.
func (e *Engine) Run(ctx context.Context, q string, lim Limits, w Writer) (Result, error) {
	var res Result
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	stmt, err := e.Check(ctx, q)
	if err != nil {
		return res, timeoutErr(ctx, lim, err)
	}
	if lim.MaxRows > 0 {
		// The driver materialises a result before the first row, so the limit goes into the
		// query; the statement alone was checked, and the wrapped one is checked again.
		stmt = fmt.Sprintf("SELECT * FROM (\n%s\n) AS q LIMIT %d", stmt, lim.MaxRows+1)
		if stmt, err = e.Check(ctx, stmt); err != nil {
			return res, timeoutErr(ctx, lim, err)
		}
	}
	rows, err := e.db.QueryContext(ctx, stmt)
	if err != nil {
		return res, timeoutErr(ctx, lim, sqlErr(err))
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return res, err
	}
	cols := make([]Column, len(types))
	for i, t := range types {
		cols[i] = Column{Name: t.Name(), Type: t.DatabaseTypeName()}
	}
	res.Columns = cols
	if err := w.Begin(cols); err != nil {
		return res, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if lim.MaxRows > 0 && res.Rows >= lim.MaxRows {
			res.Truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return res, err
		}
		if err := w.Row(vals); err != nil {
			return res, err
		}
		res.Rows++
	}
	if err := rows.Err(); err != nil {
		return res, timeoutErr(ctx, lim, sqlErr(err))
	}
	return res, w.End()
}

func timeoutErr(ctx context.Context, lim Limits, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (%s): narrow it down, or aggregate first", ErrTimeout, lim.Timeout)
	}
	return err
}

// SQLError is an error DuckDB reported about a query (syntax, unknown table or column, types).
type SQLError struct{ Msg string }

func (e *SQLError) Error() string { return e.Msg }

func sqlErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &SQLError{Msg: strings.TrimSpace(err.Error())}
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i+1] + strings.SplitN(s[i+1:], "=", 2)[0]
	}
	return s
}

// Package pipeline runs the canvas's nightly work: it owns the store folder (the restricted
// store, the shared canvas, the pseudonym key, the lock), the run log, and the stages of a run:
// receive and check deliveries (package sources), load the raw layer, resolve versions (rule D1),
// then hand over to package dedup and the canvas build, and publish.
package pipeline

import (
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ciatteh/canvas/schema"
	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

//go:embed sql/store.sql
var storeSQL string

//go:embed sql/resolve_versions.sql
var resolveVersionsSQL string

// File names inside a store folder.
const (
	RestrictedFile = "restricted.duckdb"
	CanvasFile     = "canvas.duckdb"
	KeyFile        = "pseudonym.key"
	LockFile       = "canvas.lock"
)

// Settings tune DuckDB for a run.
type Settings struct {
	MemoryLimit string // DuckDB memory_limit, e.g. "4GB" ("" = DuckDB's default)
	TempDir     string // spill directory ("" = DuckDB's default, beside the database)
	Threads     int    // 0 = DuckDB's default
	CodesDir    string // folder with code lists overriding the embedded ones ("" = embedded)
}

// Store is an open store folder: the restricted store's database, and paths to the rest.
type Store struct {
	Dir      string
	DB       *sql.DB
	Codes    *schema.Codes
	Settings Settings
}

// ErrVersion is returned when a store was written by an incompatible version of the program.
var ErrVersion = errors.New("store version mismatch")

// Open opens (creating if needed) the store folder dir and its restricted store, checks the
// store's layout version, and creates missing tables. The folder is owner-only (0700).
func Open(ctx context.Context, dir string, set Settings) (*Store, error) {
	if dir == "" {
		return nil, errors.New("no store folder given: use --store DIR or set CANVAS_STORE")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating store folder %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store folder %s: making it owner-only: %w", dir, err)
	}
	codes, err := schema.LoadCodes(set.CodesDir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, RestrictedFile)
	db, err := OpenDuckDB(path, set, false)
	if err != nil {
		return nil, fmt.Errorf("opening restricted store %s: %w", path, err)
	}
	s := &Store{Dir: dir, DB: db, Codes: codes, Settings: set}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenDuckDB opens a DuckDB database file with the run's settings.
func OpenDuckDB(path string, set Settings, readOnly bool) (*sql.DB, error) {
	dsn := path
	var params []string
	if readOnly {
		params = append(params, "access_mode=READ_ONLY")
	}
	if set.MemoryLimit != "" {
		params = append(params, "memory_limit="+set.MemoryLimit)
	}
	if set.Threads > 0 {
		params = append(params, "threads="+strconv.Itoa(set.Threads))
	}
	if set.TempDir != "" {
		params = append(params, "temp_directory="+set.TempDir)
	}
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the restricted store.
func (s *Store) Close() error { return s.DB.Close() }

// Path returns the path of a file in the store folder.
func (s *Store) Path(name string) string { return filepath.Join(s.Dir, name) }

func (s *Store) init(ctx context.Context) error {
	var exists bool
	if err := s.DB.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'store_meta'`).Scan(&exists); err != nil {
		return fmt.Errorf("reading restricted store: %w", err)
	}
	if exists {
		var v string
		err := s.DB.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE key = 'store_version'`).Scan(&v)
		if err != nil {
			return fmt.Errorf("restricted store %s has no store_version: it was not made by canvas, or is damaged: %w", s.Path(RestrictedFile), err)
		}
		n, _ := strconv.Atoi(v)
		switch {
		case n == schema.StoreVersion:
		case n < schema.StoreVersion:
			if err := s.migrate(ctx, n); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: restricted store %s has layout version %d, this program knows up to %d: use a newer canvas program, or a new --store folder",
				ErrVersion, s.Path(RestrictedFile), n, schema.StoreVersion)
		}
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := []string{storeSQL}
	for _, src := range schema.Sources() {
		stmts = append(stmts, src.CreateTableSQL())
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("creating restricted store tables: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO store_meta VALUES ('store_version', ?) ON CONFLICT DO NOTHING`,
		strconv.Itoa(schema.StoreVersion)); err != nil {
		return err
	}
	if err := loadCodeTables(ctx, tx, s.Codes); err != nil {
		return err
	}
	return tx.Commit()
}

// migrate brings a store of an older layout version up to date. Version 1 is the first layout,
// so there is nothing older to migrate from yet; a migration step per version goes here.
func (s *Store) migrate(ctx context.Context, from int) error {
	return fmt.Errorf("%w: restricted store %s has layout version %d and no migration to %d exists: reload the deliveries into a new --store folder",
		ErrVersion, s.Path(RestrictedFile), from, schema.StoreVersion)
}

// loadCodeTables (re)writes the reference code lists as tables code_<name>, so that the SQL
// stages join them; an analyst's change to a list takes effect at the next run.
func loadCodeTables(ctx context.Context, tx *sql.Tx, codes *schema.Codes) error {
	for _, name := range schema.CodeFiles() {
		rows := codes.Files[name]
		cols := make([]string, len(rows[0]))
		for i, h := range rows[0] {
			typ := "VARCHAR"
			switch h {
			case "rank":
				typ = "INTEGER"
			case "eu_from", "eu_to", "valid_from", "valid_to":
				typ = "DATE"
			}
			cols[i] = fmt.Sprintf("%q %s", h, typ)
		}
		table := "code_" + name
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", table, strings.Join(cols, ", "))); err != nil {
			return fmt.Errorf("code list %s: %w", name, err)
		}
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
		stmt, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (%s)", table, ph))
		if err != nil {
			return err
		}
		for _, r := range rows[1:] {
			args := make([]any, len(r))
			for i, v := range r {
				if v == "" {
					args[i] = nil
				} else {
					args[i] = v
				}
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				stmt.Close()
				return fmt.Errorf("code list %s: %w", name, err)
			}
		}
		stmt.Close()
	}
	return nil
}

// ResolveVersions applies rule D1 and rewrites the *_current tables.
func ResolveVersions(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if _, err := db.ExecContext(ctx, resolveVersionsSQL); err != nil {
		return fmt.Errorf("resolving versions (D1): %w", err)
	}
	return nil
}

// Key returns the pseudonym key, creating it on first use (32 random bytes, owner-only). The key
// never leaves the store folder.
func (s *Store) Key() ([]byte, error) {
	p := s.Path(KeyFile)
	b, err := os.ReadFile(p)
	if err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("pseudonym key %s is damaged (%d bytes, want 32): restore it from backup; a new key would change every person pseudonym", p, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading pseudonym key %s: %w", p, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating pseudonym key %s: %w", p, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

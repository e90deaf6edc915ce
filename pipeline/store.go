// Package pipeline runs the canvas's nightly work: it owns the store folder (the restricted
// store, the shared canvas, the pseudonym key, the lock), the run log, and the stages of a run:
// receive and check deliveries (package sources), load the raw layer, resolve versions (rule D1),
// then hand over to package dedup and the canvas build, and publish.
package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	_ "embed"
	"encoding/hex"
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
		return nil, fmt.Errorf("opening restricted store %s: %w%s", path, err, damageHint(err))
	}
	s := &Store{Dir: dir, DB: db, Codes: codes, Settings: set}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w%s", err, damageHint(err))
	}
	return s, nil
}

// damageHint says what to do when DuckDB cannot read a store file.
func damageHint(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock"):
		return "\nAnother program holds the store open: wait for it to finish (canvas runs shows the running load)."
	case strings.Contains(msg, "not a valid DuckDB"), strings.Contains(msg, "Could not read enough bytes"),
		strings.Contains(msg, "Corrupt"), strings.Contains(msg, "corrupt"), strings.Contains(msg, "checksum"),
		strings.Contains(msg, "Serialization"), strings.Contains(msg, "INTERNAL Error"), strings.Contains(msg, "IO Error"):
		return "\nThe restricted store is damaged. Restore restricted.duckdb and pseudonym.key from the last backup, " +
			"or load every delivery again into a new store folder (canvas load --store NEW --inbox DELIVERIES): " +
			"the deliveries are the source of truth. Nothing else in the store folder was changed."
	case strings.Contains(msg, "read-only"), strings.Contains(msg, "Permission denied"), strings.Contains(msg, "permission denied"):
		return "\nThe store folder cannot be written: check its permissions and that the disk is mounted read-write."
	case strings.Contains(msg, "No space left"), strings.Contains(msg, "no space left"):
		return "\nThe disk is full: free space, then run again (nothing was half-written: each file loads in one transaction)."
	}
	return ""
}

// OpenReadOnly opens an existing store's restricted database read-only, for commands that only
// read it (the run log): it changes nothing in the store.
func OpenReadOnly(ctx context.Context, dir string, set Settings) (*Store, error) {
	path := filepath.Join(dir, RestrictedFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no restricted store at %s: load deliveries first (canvas load), or name the store with --store: %w", path, err)
	}
	codes, err := schema.LoadCodes(set.CodesDir)
	if err != nil {
		return nil, err
	}
	db, err := OpenDuckDB(path, set, true)
	if err != nil {
		msg := damageHint(err)
		if strings.Contains(err.Error(), "Could not set lock") {
			msg = "\nA load or build is running on this store: " + readHolder(filepath.Join(dir, LockFile+".info")) + "; try again when it has finished."
		}
		return nil, fmt.Errorf("opening restricted store %s: %w%s", path, err, msg)
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE key = 'store_version'`).Scan(&v); err != nil {
		db.Close()
		return nil, fmt.Errorf("restricted store %s has no store_version: it was not made by canvas, or is damaged: %w", path, err)
	}
	if n, _ := strconv.Atoi(v); n != schema.StoreVersion {
		db.Close()
		return nil, fmt.Errorf("%w: restricted store %s has layout version %s, this program reads %d: run canvas load or canvas build with this program to migrate it",
			ErrVersion, path, v, schema.StoreVersion)
	}
	return &Store{Dir: dir, DB: db, Codes: codes, Settings: set}, nil
}

// checkpointThreshold is the size of write-ahead log at which DuckDB writes the log into the
// database file (a checkpoint) when a transaction commits. DuckDB's default (16 MB) makes every
// commit of a run a checkpoint once a delivery has been loaded, and a checkpoint of a store of
// millions of rows costs seconds each time (the load's commit, D1's, dedup's, the run log's);
// a run instead checkpoints once, at its end (Store.EndRun). The log stays on disk, so a run
// killed before its end loses nothing committed: DuckDB replays the log when the store is next
// opened. 10M-line store, a 1% night, the two alternating on fresh copies, four pairs: 76.8,
// 86.2, 75.4, 83.8 s with the default; 67.8, 83.8, 69.6, 82.0 s so (about 5 s less).
const checkpointThreshold = "4GB"

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
	if !readOnly {
		params = append(params, "checkpoint_threshold="+checkpointThreshold)
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

// Marks in store_meta: the last delivery id a stage has taken into account. A run killed between
// loading and resolving or building leaves a mark behind the deliveries, so the next run catches
// up even when it loads nothing new.
const (
	MarkResolved  = "resolved_through_delivery"
	MarkPublished = "published_through_delivery"
)

func setMark(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, mark string) error {
	_, err := ex.ExecContext(ctx, `INSERT OR REPLACE INTO store_meta
		SELECT ?, CAST(coalesce(max(delivery_id), 0) AS VARCHAR) FROM delivery`, mark)
	if err != nil {
		return fmt.Errorf("recording %s: %w", mark, err)
	}
	return nil
}

// SetMark records that a stage has taken every delivery so far into account.
func (s *Store) SetMark(ctx context.Context, mark string) error { return setMark(ctx, s.DB, mark) }

// Stale reports whether deliveries were loaded after the stage named by mark last ran (or the
// stage never ran).
func (s *Store) Stale(ctx context.Context, mark string) (bool, error) {
	var stale bool
	err := s.DB.QueryRowContext(ctx, `SELECT coalesce((SELECT max(delivery_id) FROM delivery), 0) >
		coalesce((SELECT CAST(value AS BIGINT) FROM store_meta WHERE key = ?), -1)`, mark).Scan(&stale)
	if err != nil {
		return false, fmt.Errorf("restricted store: %w", err)
	}
	return stale, nil
}

// Key returns the pseudonym key, creating it on first use (32 random bytes, owner-only). The key
// never leaves the store folder. The store records the key's fingerprint, so that a key lost or
// replaced after the first build is an error: a new key would change every pseudonym.
func (s *Store) Key() ([]byte, error) {
	p := s.Path(KeyFile)
	var fp string
	err := s.DB.QueryRow(`SELECT value FROM store_meta WHERE key = 'key_fingerprint'`).Scan(&fp)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("restricted store: %w", err)
	}
	b, err := os.ReadFile(p)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("pseudonym key %s is damaged (%d bytes, want 32): restore it from backup; a new key would change every person pseudonym", p, len(b))
		}
		if fp != "" && fingerprint(b) != fp {
			return nil, fmt.Errorf("pseudonym key %s is not the key this store's canvases were built with: restore the right key from backup; a new key would change every person pseudonym", p)
		}
		if fp == "" {
			if _, err := s.DB.Exec(`INSERT OR REPLACE INTO store_meta VALUES ('key_fingerprint', ?)`, fingerprint(b)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading pseudonym key %s: %w", p, err)
	}
	if fp != "" {
		return nil, fmt.Errorf("pseudonym key %s is missing, but this store built canvases with a key: restore it from backup; a new key would change every person pseudonym", p)
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
	if err := f.Close(); err != nil {
		return nil, err
	}
	if _, err := s.DB.Exec(`INSERT OR REPLACE INTO store_meta VALUES ('key_fingerprint', ?)`, fingerprint(key)); err != nil {
		return nil, err
	}
	return key, nil
}

// fingerprint identifies a key without revealing it.
func fingerprint(key []byte) string {
	h := sha256.Sum256(append([]byte("canvas pseudonym key fingerprint:"), key...))
	return hex.EncodeToString(h[:8])
}

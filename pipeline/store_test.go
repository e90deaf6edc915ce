package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/dedup"
)

func TestOpenCreatesStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ResolveVersions(ctx, s.DB); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB.QueryRow(`SELECT count(*) FROM code_offence_types`).Scan(&n); err != nil || n != 16 {
		t.Fatalf("code_offence_types: %d rows, %v", n, err)
	}
	s.Close()
	// reopen: idempotent
	s, err = Open(ctx, dir, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`UPDATE store_meta SET value='99' WHERE key='store_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, dir, Settings{})
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "layout version 99") {
		t.Fatalf("a store of a newer version must be refused with its version: %v", err)
	}
	// An older layout with no migration step is refused too, never misread.
	db, err := OpenDuckDB(filepath.Join(dir, RestrictedFile), Settings{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE store_meta SET value='0' WHERE key='store_version'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, dir, Settings{})
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "no migration") {
		t.Fatalf("an older store without a migration must be refused: %v", err)
	}
}

func TestStoreIsOwnerOnlyAndKeyGuarded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := Open(context.Background(), dir, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("store folder mode %v, want 0700 (%v)", st.Mode().Perm(), err)
	}
	key, err := s.Key()
	if err != nil || len(key) != 32 {
		t.Fatalf("key: %d bytes, %v", len(key), err)
	}
	st, err = os.Stat(s.Path(KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600 (%v)", st.Mode().Perm(), err)
	}
	again, err := s.Key()
	if err != nil || string(again) != string(key) {
		t.Fatalf("second Key() returned another key (%v)", err)
	}
	// A lost key is never silently replaced: a new key would change every pseudonym.
	if err := os.Remove(s.Path(KeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Key(); err == nil || !strings.Contains(err.Error(), "restore it from backup") {
		t.Fatalf("missing key: %v, want a refusal saying to restore it", err)
	}
	// Nor is a different key accepted.
	if err := os.WriteFile(s.Path(KeyFile), make([]byte, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Key(); err == nil || !strings.Contains(err.Error(), "not the key") {
		t.Fatalf("replaced key: %v, want a refusal", err)
	}
}

// TestMarksAgreeWithDedup: package dedup reads the D1 marks by name to plan incremental runs.
func TestMarksAgreeWithDedup(t *testing.T) {
	if dedup.MarkResolved != MarkResolved || dedup.MarkPublished != MarkPublished {
		t.Errorf("dedup reads %q and %q, the store writes %q and %q", dedup.MarkResolved, dedup.MarkPublished, MarkResolved, MarkPublished)
	}
}

// A run's commits accumulate in DuckDB's write-ahead log (no checkpoint at each commit, see
// checkpointThreshold) and EndRun writes them into the database file once.
func TestRunCheckpointsOnceAtItsEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runID, err := s.StartRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	// commits of more log than DuckDB's default threshold (16 MB): six of 100,000 rows (less than
	// a row group each, so they go through the log)
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE bulk (i BIGINT, s VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	for k := range 6 {
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO bulk SELECT range, repeat('x', 40) || range FROM range(?, ?)`, k*100000, (k+1)*100000); err != nil {
			t.Fatal(err)
		}
	}
	wal := s.Path(RestrictedFile) + ".wal"
	walSize := func() int64 {
		fi, err := os.Stat(wal)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	before := walSize()
	if before < 24<<20 { // the six commits hold some 30 MB
		t.Fatalf("write-ahead log after the commits: %d bytes; they were checkpointed along the way (checkpoint_threshold not applied?)", before)
	}
	if err := s.EndRun(runID, OutcomeOK, "done"); err != nil {
		t.Fatal(err)
	}
	if after := walSize(); after >= before/10 {
		t.Errorf("write-ahead log after EndRun: %d bytes (before: %d): the run was not checkpointed", after, before)
	}
	var n int64
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM bulk`).Scan(&n); err != nil || n != 600000 {
		t.Errorf("rows after the checkpoint: %d, %v", n, err)
	}
	// the checkpoint is in the run log, as the run's last stage
	var stages int64
	var seconds float64
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(seconds), -1) FROM run_stage
		WHERE run_id = ? AND stage = 'checkpoint'`, runID).Scan(&stages, &seconds); err != nil {
		t.Fatal(err)
	}
	if stages != 1 || seconds < 0 {
		t.Errorf("run log: %d checkpoint stages, %g s; want one, timed", stages, seconds)
	}
}

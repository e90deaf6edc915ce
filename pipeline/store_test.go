package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
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

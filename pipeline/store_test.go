package pipeline

import (
	"context"
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
	if _, err := Open(ctx, dir, Settings{}); err == nil {
		t.Fatal("a store of a newer version must be refused")
	} else {
		t.Log(err)
	}
}

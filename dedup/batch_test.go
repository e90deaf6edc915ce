package dedup_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/synth"
	"github.com/google/go-cmp/cmp"
)

// canonical reads every resolved table of the restricted store in a fixed order. Every ID in
// them is derived from content (notices and chains from their smallest line record ID, person
// keys from the previous run's), so two runs over the same store must give the same rows whatever
// cut the lines into batches or which runs came before.
var canonical = map[string]string{
	"conviction_line":    `SELECT * FROM conviction_line ORDER BY record_id`,
	"conviction_notice":  `SELECT * FROM conviction_notice ORDER BY notice_id`,
	"conviction_chain":   `SELECT * FROM conviction_chain ORDER BY chain_id`,
	"conviction_offence": `SELECT * FROM conviction_offence ORDER BY ALL`,
	"conviction_person":  `SELECT * FROM conviction_person ORDER BY ALL`,
	"person_record":      `SELECT * FROM person_record ORDER BY ALL`,
	"person_link":        `SELECT * FROM person_link ORDER BY ALL`,
	"review_pair":        `SELECT * FROM review_pair ORDER BY ALL`,
	"dedup_stats":        `SELECT * FROM dedup_stats ORDER BY ALL`,
	"dedup_trace":        `SELECT * FROM dedup_trace ORDER BY ALL`,
}

func snapshot(t *testing.T, s *pipeline.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, q := range canonical {
		out[table] = query(t, s.DB, q)
		if len(out[table]) == 0 && table != "review_pair" {
			t.Fatalf("%s is empty", table)
		}
	}
	return out
}

// loadedWorld generates a synthetic world (years from-to, nights, scale) and loads all of it into
// a new store.
func loadedWorld(t *testing.T, from, to, nights int, scale float64) *pipeline.Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.FromYear, cfg.ToYear, cfg.Nights, cfg.Scale = from, to, nights, scale
	if _, err := synth.Generate(ctx, dir, cfg, nil); err != nil {
		t.Fatal(err)
	}
	s, err := pipeline.Open(ctx, t.TempDir(), pipeline.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := pipeline.Load(ctx, s, 1, pipeline.LoadOptions{Inbox: dir}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBatchesDoNotChangeTheResult runs the dedup of a synthetic world in one batch, then with a
// batch per few lines (hundreds of batches, so that components sit in many batches) and the
// trace and offence convictions written a few rows at a time, and requires every resolved table
// to be the same.
func TestBatchesDoNotChangeTheResult(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a synthetic world")
	}
	ctx := context.Background()
	s := loadedWorld(t, 2018, 2019, 1, 0.3)
	one, err := dedup.Run(ctx, s.DB, dedup.Options{BatchLines: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if one.Lines < 1000 || one.Chains == 0 || one.D2Merged == 0 || one.D4Merged == 0 || one.D5Merged == 0 {
		t.Fatalf("the world is too small to test batches: %+v", one)
	}
	want := snapshot(t, s)
	// the batches' trace rows and offence convictions written some at a time, with the rest
	// carried to the next batch, as a run of millions of lines writes them in row groups
	defer func(n int) { *dedup.FlushRows = n }(*dedup.FlushRows)
	*dedup.FlushRows = 7
	var batches []string
	many, err := dedup.Run(ctx, s.DB, dedup.Options{Full: true, BatchLines: 20, Progress: func(st string) {
		if strings.Contains(st, "batch") {
			batches = append(batches, st)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) < 50 {
		t.Fatalf("only %d batches", len(batches))
	}
	got := snapshot(t, s)
	if diff := cmp.Diff(comparable(one), comparable(many)); diff != "" {
		t.Errorf("counts differ (-one batch +%d batches):\n%s", len(batches), diff)
	}
	for table := range canonical {
		if diff := cmp.Diff(want[table], got[table]); diff != "" {
			t.Errorf("%s differs (-one batch +%d batches):\n%s", table, len(batches), diff)
		}
	}
}

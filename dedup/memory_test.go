package dedup_test

import (
	"context"
	"testing"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/dedup/fixture"
)

// A full run lowers DuckDB's memory limit to a third of the one it is told (not under 512 MiB)
// from the linkage to the end of D2-D4, and sets it back before the resolved tables; also when
// the run fails there. An incremental run, a run told no limit and a run whose limit is too
// small to lower leave it alone.
func TestFullRunLowersDuckDBMemory(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "A", PersonID: "1", Surname: "Peeters", GivenNames: "Jan", BirthDate: "1970-01-01", JudgmentID: "J1", FinalDate: "2021-01-01"},
		C{RecordID: "B", PersonID: "2", Surname: "Janssens", GivenNames: "Els", BirthDate: "1981-02-03", JudgmentID: "J2", FinalDate: "2021-01-01"},
	)
	fixture.Resolve(t, s)
	setting := func() string {
		t.Helper()
		var v string
		if err := s.DB.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := s.DB.Exec(`SET memory_limit = '3GB'`); err != nil {
		t.Fatal(err)
	}
	configured := setting()
	// runs with a limit of limit bytes and returns DuckDB's limit at the start of each step
	runSeen := func(ctx context.Context, full bool, limit int64, progress func(string)) (map[string]string, error) {
		seen := map[string]string{}
		_, err := dedup.Run(ctx, s.DB, dedup.Options{Full: full, MemoryLimit: limit, Progress: func(step string) {
			seen[step] = setting()
			if progress != nil {
				progress(step)
			}
		}})
		return seen, err
	}
	seen, err := runSeen(context.Background(), true, 3e9, nil)
	if err != nil {
		t.Fatal(err)
	}
	const third = "953.6 MiB" // DuckDB's way of writing 1e9 bytes
	for step, want := range map[string]string{"reading person records": configured, "D5 person linkage": third,
		"D2-D4": third, "person keys, resolved tables": third, "commit": configured} {
		if seen[step] != want {
			t.Errorf("full run, at step %q: memory limit %q, want %q (all: %v)", step, seen[step], want, seen)
		}
	}
	if got := setting(); got != configured {
		t.Errorf("after a full run: memory limit %q, want %q back", got, configured)
	}

	// a run that fails while lowered sets the limit back
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := runSeen(ctx, true, 3e9, func(step string) {
		if step == "D2-D4" {
			cancel()
		}
	}); err == nil {
		t.Fatal("a run cancelled at D2-D4 succeeded")
	}
	if got := setting(); got != configured {
		t.Errorf("after a failed full run: memory limit %q, want %q back", got, configured)
	}

	// left alone: incremental, no limit told, a limit too small to lower
	for _, c := range []struct {
		name  string
		full  bool
		limit int64
	}{{"incremental", false, 3e9}, {"no limit", true, 0}, {"500MB", true, 500e6}} {
		seen, err := runSeen(context.Background(), c.full, c.limit, nil)
		if err != nil {
			t.Fatal(err)
		}
		for step, v := range seen {
			if v != configured {
				t.Errorf("%s: at step %q the memory limit was %q, want %q untouched", c.name, step, v, configured)
			}
		}
	}
}

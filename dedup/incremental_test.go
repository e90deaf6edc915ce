package dedup_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/dedup/fixture"
	"github.com/ciatteh/canvas/dedup/linkage"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/ciatteh/canvas/synth"
)

// nights groups a synthetic world's delivery files by night (the date in their names), in order.
func nights(t *testing.T, dir string) [][]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	date := regexp.MustCompile(`_(\d{8})\.(csv|xlsx)$`)
	byDate := map[string][]string{}
	for _, e := range entries {
		if m := date.FindStringSubmatch(e.Name()); m != nil {
			byDate[m[1]] = append(byDate[m[1]], filepath.Join(dir, e.Name()))
		}
	}
	var dates []string
	for d := range byDate {
		dates = append(dates, d)
	}
	slices.Sort(dates)
	var out [][]string
	for _, d := range dates {
		slices.Sort(byDate[d])
		out = append(out, byDate[d])
	}
	return out
}

// linkState reads the state an incremental run leaves for the next (see linkstate.go): it must be
// the same after an incremental run as after a full one.
var linkState = map[string]string{
	"link_key":       `SELECT * FROM link_key ORDER BY ALL`,
	"link_edge":      `SELECT * FROM link_edge ORDER BY ALL`,
	"link_decision":  `SELECT * FROM link_decision ORDER BY ALL`,
	"dedup_decision": `SELECT * FROM dedup_decision ORDER BY ALL`,
	"link_record":    `SELECT * FROM link_record ORDER BY ALL`,
}

// sameState compares the resolved tables and the linkage state of two stores.
func sameState(t *testing.T, night int, full, inc *pipeline.Store) {
	t.Helper()
	for _, qs := range []map[string]string{canonical, linkState} {
		for table, q := range qs {
			if diff := cmp.Diff(query(t, full.DB, q), query(t, inc.DB, q)); diff != "" {
				t.Errorf("night %d: %s differs (-full +incremental):\n%s", night, table, diff)
			}
		}
	}
}

// comparable clears what differs between a full and an incremental run of the same result.
func comparable(st dedup.Stats) dedup.Stats {
	st.Mode, st.Reason, st.Region, st.Duration, st.Steps = "", "", 0, 0, nil
	return st
}

// TestIncrementalEqualsFull loads a synthetic world night by night into two stores. One runs
// the dedup incrementally every night, the other in full (with the same stored linkage model);
// after every night every resolved table must be the same in both. Between nights an analyst
// decides review pairs (a match and a non-match), so that decisions join and split persons too.
// It runs with the default linkage settings, and with blocks so small that most are oversized,
// so that Relink reads their neighbourhoods from the store (storeState.Neighbours).
func TestIncrementalEqualsFull(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a synthetic world night by night")
	}
	small := linkage.DefaultConfig()
	small.MaxBlockSize, small.BlockWindow, small.ReviewThreshold = 4, 3, -12 // more pairs are edges
	t.Run("default blocks", func(t *testing.T) { incrementalEqualsFull(t, nil) })
	t.Run("small blocks", func(t *testing.T) { incrementalEqualsFull(t, &small) })
}

func incrementalEqualsFull(t *testing.T, lc *linkage.Config) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := synth.DefaultConfig()
	cfg.FromYear, cfg.ToYear, cfg.Nights, cfg.Scale = 2018, 2019, 4, 0.3
	if _, err := synth.Generate(ctx, dir, cfg, nil); err != nil {
		t.Fatal(err)
	}
	open := func() *pipeline.Store {
		s, err := pipeline.Open(ctx, t.TempDir(), pipeline.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	inc, full := open(), open()
	changedPersons := 0
	var lastKeys map[string]bool
	for n, files := range nights(t, dir) {
		var stats [2]dedup.Stats
		for k, s := range []*pipeline.Store{inc, full} {
			if _, err := pipeline.Load(ctx, s, int64(n+1), pipeline.LoadOptions{Files: files}); err != nil {
				t.Fatal(err)
			}
			st, err := dedup.Run(ctx, s.DB, dedup.Options{Full: k == 1, Linkage: lc})
			if err != nil {
				t.Fatalf("night %d, %s: %v", n, []string{"incremental", "full"}[k], err)
			}
			stats[k] = st
		}
		si, sf := stats[0], stats[1]
		switch {
		case n == 0 && (si.Mode != dedup.ModeFull || !strings.Contains(si.Reason, "model")):
			t.Errorf("night 0: the first run must be full for want of a model: %s (%s)", si.Mode, si.Reason)
		case n > 0 && si.Mode != dedup.ModeIncremental:
			t.Errorf("night %d: run was %s (%s), want incremental", n, si.Mode, si.Reason)
		case n > 0 && (si.Region == 0 || si.Region >= si.PersonRecords/2):
			t.Errorf("night %d: the region holds %d of %d person records; want some, and far fewer than all", n, si.Region, si.PersonRecords)
		}
		if sf.Mode != dedup.ModeFull {
			t.Errorf("night %d: --full run was %s", n, sf.Mode)
		}
		t.Logf("night %d: %d files, %d lines, region %d of %d person records", n, len(files), si.Lines, si.Region, si.PersonRecords)
		if diff := cmp.Diff(comparable(sf), comparable(si)); diff != "" {
			t.Errorf("night %d: counts differ (-full +incremental):\n%s", n, diff)
		}
		sameState(t, n, full, inc)
		// records whose person changed: a person key they did not have, or a key with other records
		keys := query(t, inc.DB, `SELECT person_record || ' ' || person_key || ' ' ||
			string_agg(person_record, ',' ORDER BY person_record) OVER (PARTITION BY person_key) FROM person_record`)
		if n > 0 {
			for _, k := range keys {
				if !lastKeys[k] {
					changedPersons++
				}
			}
		}
		lastKeys = map[string]bool{}
		for _, k := range keys {
			lastKeys[k] = true
		}
		// an analyst decides the first two review pairs: a match and a non-match
		pairs := query(t, inc.DB, `SELECT a || ' ' || b FROM review_pair WHERE NOT decided ORDER BY score DESC, a, b LIMIT 2`)
		for i, p := range pairs {
			ab := strings.Fields(p)
			for _, s := range []*pipeline.Store{inc, full} {
				exec(t, s.DB, `INSERT INTO review_decision VALUES (?, ?, ?, 'test', now(), NULL)`, ab[0], ab[1], i == 0)
			}
		}
	}
	if changedPersons == 0 {
		t.Error("no night changed any person record's person: the test does not exercise linkage changes")
	}
	t.Logf("%d person records changed their person over the nights", changedPersons)
}

// TestIncrementalFallsBackToFull checks why a run is full: no model, --full, another linkage
// setting, an unreadable mark, a full rewrite of rule D1; and that a run with nothing new is
// incremental with an empty region.
func TestIncrementalFallsBackToFull(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a synthetic world")
	}
	ctx := context.Background()
	s := loadedWorld(t, 2019, 2019, 0, 0.1)
	run := func(opts dedup.Options) dedup.Stats {
		t.Helper()
		st, err := dedup.Run(ctx, s.DB, opts)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	expect := func(what string, st dedup.Stats, mode, reason string) {
		t.Helper()
		if st.Mode != mode || !strings.Contains(st.Reason, reason) {
			t.Errorf("%s: %s (%q), want %s (%q)", what, st.Mode, st.Reason, mode, reason)
		}
	}
	first := run(dedup.Options{})
	expect("first run", first, dedup.ModeFull, "no linkage model")
	again := run(dedup.Options{})
	expect("nothing new", again, dedup.ModeIncremental, "")
	if again.Region != 0 {
		t.Errorf("nothing new: region %d, want 0", again.Region)
	}
	if diff := cmp.Diff(comparable(first), comparable(again)); diff != "" {
		t.Errorf("nothing new changed the counts:\n%s", diff)
	}
	expect("--full", run(dedup.Options{Full: true}), dedup.ModeFull, "--full")
	lc := linkage.DefaultConfig()
	lc.MatchThreshold += 0.5
	expect("new threshold", run(dedup.Options{Linkage: &lc}), dedup.ModeFull, "settings")
	expect("threshold kept", run(dedup.Options{Linkage: &lc}), dedup.ModeIncremental, "")
	expect("default again", run(dedup.Options{}), dedup.ModeFull, "settings")
	exec(t, s.DB, `UPDATE dedup_state SET value = 'x' WHERE key = 'through'`)
	expect("bad mark", run(dedup.Options{}), dedup.ModeFull, `"x" is not a delivery id`)
	exec(t, s.DB, `INSERT INTO d1_changed (resolved_through, change) VALUES (1000, 'full')`)
	exec(t, s.DB, `UPDATE dedup_state SET value = '999' WHERE key = 'through'`)
	expect("D1 full", run(dedup.Options{}), dedup.ModeFull, "rule D1 was recomputed")
	exec(t, s.DB, `DELETE FROM d1_changed WHERE resolved_through = 1000`)
	exec(t, s.DB, `DELETE FROM linkage_model`)
	expect("model gone", run(dedup.Options{}), dedup.ModeFull, "no linkage model")
	exec(t, s.DB, `UPDATE linkage_model SET model = '\x00\x01'::BLOB`)
	if _, err := dedup.Run(ctx, s.DB, dedup.Options{}); err == nil || !strings.Contains(err.Error(), "--retrain-linkage") {
		t.Errorf("a corrupt model: %v, want an error naming --retrain-linkage", err)
	}
	expect("retrain", run(dedup.Options{RetrainLinkage: true}), dedup.ModeFull, "--retrain-linkage")
	expect("after retrain", run(dedup.Options{}), dedup.ModeIncremental, "")
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestIncrementalHandMadeNights runs nights that each touch what an incremental run must find
// beyond the changed lines, comparing every night with a full run of a twin store:
//   - an appeal delivered for a new person record, naming the judgment of a record that did not
//     change (the judgment links the two: D4 may merge the persons);
//   - a correction giving a record another valid national number (it leaves its person);
//   - a new record of an existing person by national number (it joins);
//   - a cancelled line, whose record then has no line left (the record goes).
func TestIncrementalHandMadeNights(t *testing.T) {
	nnA, nnB := fixture.NN("850312", 123), fixture.NN("850312", 125)
	base := []any{
		C{RecordID: "A1", PersonID: "PA", NN: nnA, Surname: "Dupont", GivenNames: "Jean", BirthDate: "1985-03-12", JudgmentID: "J-100", JudgmentDate: "2020-01-10", Court: "TPI-BRU"},
		C{RecordID: "A2", PersonID: "PA2", NN: nnA, Surname: "Dupont", GivenNames: "Jean", BirthDate: "1985-03-12", JudgmentID: "J-200", JudgmentDate: "2021-01-10", Court: "TPI-BRU"},
		C{RecordID: "B1", PersonID: "PB", Surname: "Janssens", GivenNames: "Marie", BirthDate: "1990-07-01", Sex: "F", Citizenship: "BE", JudgmentID: "J-300", JudgmentDate: "2020-05-05", Court: "TPI-ANT"},
		C{RecordID: "C1", PersonID: "PC", Surname: "Peeters", GivenNames: "Luc", BirthDate: "1975-11-30", JudgmentID: "J-400", JudgmentDate: "2019-02-02", Court: "TPI-GEN"},
		C{RecordID: "D1", PersonID: "PD", Surname: "Maes", GivenNames: "Ann", BirthDate: "1988-04-04", JudgmentID: "J-500", JudgmentDate: "2019-03-03", Court: "TPI-LIE"},
	}
	night := [][]any{
		// an appeal of B's judgment under a new record with an alias keeping the given name and no
		// birth date: the linkage does not compare it with B (no shared block), D4 joins it to B
		{C{RecordID: "B2", PersonID: "PB-NEW", Surname: "Smits", GivenNames: "Marie", Sex: "F", Citizenship: "BE", JudgmentID: "A-300", AppealOf: "J-300",
			Instance: "APPEAL", Decision: "ACQUITTAL", JudgmentDate: "2021-06-06", Court: "CA-ANT"}},
		// A2 is corrected to another valid national number: it is another person now
		{C{RecordID: "A2", RecordVersion: 2, PersonID: "PA2", NN: nnB, Surname: "Dupont", GivenNames: "Jean", BirthDate: "1985-03-12", JudgmentID: "J-200", JudgmentDate: "2021-01-10", Court: "TPI-BRU"}},
		// a new record of C by national number and name joins C's person
		{C{RecordID: "C2", PersonID: "PC2", Surname: "PEETERS", GivenNames: "Luc", BirthDate: "1975-11-30", JudgmentID: "J-600", JudgmentDate: "2022-02-02", Court: "TPI-GEN"}},
		// D1 is cancelled: record PD has no line left
		{C{RecordID: "D1", RecordVersion: 2, RecordStatus: "CANCELLED", PersonID: "PD", Surname: "Maes", GivenNames: "Ann", BirthDate: "1988-04-04", JudgmentID: "J-500", JudgmentDate: "2019-03-03", Court: "TPI-LIE"}},
	}
	inc, full := fixture.Store(t), fixture.Store(t)
	for _, s := range []*pipeline.Store{inc, full} {
		fixture.Deliver(t, s, 1, base...)
		fixture.Resolve(t, s)
		if _, err := dedup.Run(context.Background(), s.DB, dedup.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for n, rows := range night {
		var modes [2]string
		for k, s := range []*pipeline.Store{inc, full} {
			fixture.Deliver(t, s, int64(n+2), rows...)
			fixture.Resolve(t, s)
			st, err := dedup.Run(context.Background(), s.DB, dedup.Options{Full: k == 1})
			if err != nil {
				t.Fatalf("night %d: %v", n+1, err)
			}
			modes[k] = st.Mode
		}
		if modes != [2]string{dedup.ModeIncremental, dedup.ModeFull} {
			t.Fatalf("night %d: modes %v", n+1, modes)
		}
		sameState(t, n+1, full, inc)
	}
	// what the nights did, on the incremental store
	got := query(t, inc.DB, `SELECT person_record, person_key FROM person_record ORDER BY 1`)
	keyOf := map[string]string{}
	for _, r := range got {
		f := strings.Split(r, "|")
		keyOf[f[0]] = f[1]
	}
	switch {
	case keyOf["MACH:PB-NEW"] == "" || keyOf["MACH:PB-NEW"] != keyOf["MACH:PB"]:
		t.Errorf("the appeal's record did not join B's person: %v", got)
	case keyOf["MACH:PA"] == keyOf["MACH:PA2"]:
		t.Errorf("the corrected national number did not split A: %v", got)
	case keyOf["MACH:PC2"] != keyOf["MACH:PC"]:
		t.Errorf("C's new record did not join C: %v", got)
	case keyOf["MACH:PD"] != "":
		t.Errorf("D's record stayed after its only line was cancelled: %v", got)
	}
}

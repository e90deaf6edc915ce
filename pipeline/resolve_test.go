package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Rows of the three extracts for the D1 tests, with only the required columns. The value that
// shows which row stands is the court (MACH), the district (police) or the office (prosecution).
const (
	d1MachHeader        = "record_id;record_version;record_status;judgment_id;court;judgment_date;instance;decision;person_id;surname;offence_code\n"
	d1ProsecutionHeader = "case_number;office;entry_date;prevention_code;suspect_ref;status;status_date;extract_date;deleted\n"
)

// machLine is a conviction line: record, version, status ("" is ACTIVE) and court.
func machLine(id string, version int, status, court string) string {
	return fmt.Sprintf("%s;%d;%s;J/%s;%s;2024-03-01;FIRST;CONVICTION;M%s;Surname;SMU-77BIS", id, version, status, id, court, id)
}

// policeLine is a police row: fact, role, person, extract date, district and deleted.
func policeLine(fact, role, person, extract, district, deleted string) string {
	return fmt.Sprintf("%s;PV%s;2023-01-05;%s;42A1;%s;%s;%s;%s", fact, fact, district, role, person, extract, deleted)
}

// prosecutionLine is a prosecution row: case, suspect, extract date, office and deleted.
func prosecutionLine(caseNumber, suspect, extract, office, deleted string) string {
	return fmt.Sprintf("%s;%s;2023-02-01;37A;%s;OPEN;2023-02-01;%s;%s", caseNumber, office, suspect, extract, deleted)
}

// d1Delivery is a delivery file: its name (which names the source) and its data rows.
type d1Delivery struct {
	name string
	rows []string
}

// d1Night is one load run: its deliveries, and what its resolve must list in d1_changed
// ("source key change", the key's parts joined by |; "full" for a full rewrite; nothing when
// the run resolved nothing).
type d1Night struct {
	files   []d1Delivery
	changed []string
}

// writeNight writes a night's deliveries into a new folder and returns their paths.
func writeNight(t *testing.T, n d1Night) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, f := range n.files {
		header := policeHeader
		switch {
		case strings.HasPrefix(f.name, "mach_"):
			header = d1MachHeader
		case strings.HasPrefix(f.name, "prosecution_"):
			header = d1ProsecutionHeader
		}
		paths = append(paths, writeFile(t, dir, f.name, header+strings.Join(f.rows, "\n")+"\n"))
	}
	return paths
}

// currentRows returns every row of the three *_current tables, all columns, in a fixed order.
func currentRows(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, tb := range []string{"police_current", "prosecution_current", "mach_current"} {
		out = append(out, strs(t, s, fmt.Sprintf(`SELECT '%s ' || CAST(t AS VARCHAR) FROM %s t ORDER BY delivery_id, line`, tb, tb))...)
	}
	return out
}

// standing summarises the *_current tables: which record stands, with which row's value.
func standing(t *testing.T, s *Store) []string {
	t.Helper()
	return strs(t, s, `SELECT * FROM (
		SELECT 'mach ' || record_id || ' v' || record_version || ' ' || court FROM mach_current
		UNION ALL SELECT 'police ' || fact_id || '|' || role || '|' || person_ref || ' ' || district FROM police_current
		UNION ALL SELECT 'prosecution ' || case_number || '|' || suspect_ref || ' ' || office FROM prosecution_current) ORDER BY 1`)
}

// changedBy returns the rows of d1_changed that the resolve through delivery mark wrote.
func changedBy(t *testing.T, s *Store, through int64) []string {
	t.Helper()
	return strs(t, s, `SELECT concat_ws(' ', source, array_to_string(record_key, '|'), change) FROM d1_changed
		WHERE resolved_through = ? ORDER BY 1`, through)
}

// resolveStage returns the mode and the through mark of run runID's resolve stage ("" when it
// resolved nothing).
func resolveStage(t *testing.T, s *Store, runID int64) (mode string, through int64) {
	t.Helper()
	rows := strs(t, s, `SELECT (counts->>'mode') || ' ' || (counts->>'through_delivery') FROM run_stage WHERE run_id = ? AND stage = 'resolve'`, runID)
	if len(rows) == 0 {
		return "", 0
	}
	if _, err := fmt.Sscan(rows[0], &mode, &through); err != nil || len(rows) > 1 {
		t.Fatalf("resolve stage of run %d: %q (%v)", runID, rows, err)
	}
	return mode, through
}

func strs(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.DB.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkNight checks a store after a night's load: what its resolve did and listed in d1_changed.
func checkNight(t *testing.T, s *Store, res LoadResult, wantMode string, wantChanged []string) {
	t.Helper()
	mode, through := resolveStage(t, s, res.RunID)
	if mode != wantMode {
		t.Errorf("resolve mode %q, want %q", mode, wantMode)
	}
	var got []string
	if mode != "" {
		got = changedBy(t, s, through)
	}
	want := slices.Clone(wantChanged)
	slices.Sort(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("d1_changed of this resolve (-want +got):\n%s", d)
	}
}

func d1Cases() []struct {
	name   string
	nights []d1Night
	want   []string // standing after the last night
} {
	return []struct {
		name   string
		nights []d1Night
		want   []string
	}{
		{
			name: "new records and new versions of old ones",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU"), machLine("R2", 1, "ACTIVE", "TPI-BRU")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", "N")}},
					{"prosecution_1.csv", []string{prosecutionLine("C1", "S1", "2024-01-01", "BRU", "")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R3", 1, "", "TPI-LIE"), machLine("R1", 2, "", "TPI-ANT")}},
					{"police_2.csv", []string{
						policeLine("F1", "SUSPECT", "P1", "2024-02-01", "LIE", ""), // same fact and person, another role: another record
						policeLine("F1", "VICTIM", "P1", "2024-02-01", "ANT", "N")}},
					{"prosecution_2.csv", []string{prosecutionLine("C1", "S2", "2024-02-01", "LIE", "")}},
				}, changed: []string{"mach R1 replaced", "mach R3 inserted", "police F1|SUSPECT|P1 inserted",
					"police F1|VICTIM|P1 replaced", "prosecution C1|S2 inserted"}},
			},
			want: []string{"mach R1 v2 TPI-ANT", "mach R2 v1 TPI-BRU", "mach R3 v1 TPI-LIE", "police F1|SUSPECT|P1 LIE",
				"police F1|VICTIM|P1 ANT", "prosecution C1|S1 BRU", "prosecution C1|S2 LIE"},
		},
		{
			name: "older versions arriving later change nothing",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 3, "", "TPI-BRU")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-03-01", "BRU", "")}},
					{"prosecution_1.csv", []string{prosecutionLine("C1", "S1", "2024-03-01", "BRU", "")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R1", 2, "", "TPI-ANT"), machLine("R1", 1, "CANCELLED", "TPI-ANT")}},
					{"police_2.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "ANT", "Y")}},
					{"prosecution_2.csv", []string{prosecutionLine("C1", "S1", "2024-01-01", "ANT", "")}},
				}},
			},
			want: []string{"mach R1 v3 TPI-BRU", "police F1|VICTIM|P1 BRU", "prosecution C1|S1 BRU"},
		},
		{
			name: "tombstones remove records",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU"), machLine("R2", 1, "", "TPI-BRU")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", ""),
						policeLine("F2", "VICTIM", "P1", "2024-01-01", "BRU", "")}},
					{"prosecution_1.csv", []string{prosecutionLine("C1", "S1", "2024-01-01", "BRU", ""),
						prosecutionLine("C2", "S1", "2024-01-01", "BRU", "")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R1", 2, "CANCELLED", "TPI-BRU")}},
					{"police_2.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-02-01", "BRU", "Y")}},
					{"prosecution_2.csv", []string{prosecutionLine("C1", "S1", "2024-02-01", "BRU", "Y")}},
				}, changed: []string{"mach R1 removed", "police F1|VICTIM|P1 removed", "prosecution C1|S1 removed"}},
			},
			want: []string{"mach R2 v1 TPI-BRU", "police F2|VICTIM|P1 BRU", "prosecution C2|S1 BRU"},
		},
		{
			name: "cancelled, cancelled again, revived, cancelled again",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU"), machLine("R9", 1, "", "TPI-BRU")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", "N")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R1", 2, "CANCELLED", "TPI-BRU")}},
					{"police_2.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-02-01", "BRU", "Y")}},
				}, changed: []string{"mach R1 removed", "police F1|VICTIM|P1 removed"}},
				{files: []d1Delivery{
					{"mach_3.csv", []string{machLine("R1", 3, "CANCELLED", "TPI-LIE")}},
					{"police_3.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-03-01", "LIE", "Y")}},
				}},
				{files: []d1Delivery{
					{"mach_4.csv", []string{machLine("R1", 4, "ACTIVE", "TPI-ANT")}},
					{"police_4.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-04-01", "ANT", "N")}},
				}, changed: []string{"mach R1 inserted", "police F1|VICTIM|P1 inserted"}},
				{files: []d1Delivery{
					{"mach_5.csv", []string{machLine("R1", 5, "CANCELLED", "TPI-ANT"), machLine("R1", 4, "", "TPI-LIE")}},
					{"police_5.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-05-01", "ANT", "Y")}},
				}, changed: []string{"mach R1 removed", "police F1|VICTIM|P1 removed"}},
			},
			want: []string{"mach R9 v1 TPI-BRU"},
		},
		{
			name: "a tombstone before the record it cancels",
			nights: []d1Night{
				{files: []d1Delivery{{"mach_1.csv", []string{machLine("R9", 1, "", "TPI-BRU")}}}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R1", 2, "CANCELLED", "TPI-BRU")}},
					{"police_2.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-02-01", "BRU", "Y")}},
				}},
				{files: []d1Delivery{
					{"mach_3.csv", []string{machLine("R1", 1, "", "TPI-BRU")}},
					{"police_3.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", "")}},
				}},
			},
			want: []string{"mach R9 v1 TPI-BRU"},
		},
		{
			name: "same-version ties: the later delivery, then the later line",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU"),
						machLine("R2", 1, "", "TPI-BRU"), machLine("R2", 1, "", "TPI-ANT")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", ""),
						policeLine("F1", "VICTIM", "P1", "2024-01-01", "LIE", "")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{
					{"mach_2.csv", []string{machLine("R1", 1, "", "TPI-LIE")}},
					{"police_2.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "ANT", "")}},
				}, changed: []string{"mach R1 replaced", "police F1|VICTIM|P1 replaced"}},
				{files: []d1Delivery{ // two deliveries of one source in one run
					{"mach_3a.csv", []string{machLine("R3", 1, "", "TPI-BRU"), machLine("R2", 1, "", "TPI-LIE")}},
					{"mach_3b.csv", []string{machLine("R3", 1, "", "TPI-ANT"), machLine("R1", 1, "CANCELLED", "TPI-LIE")}},
				}, changed: []string{"mach R1 removed", "mach R2 replaced", "mach R3 inserted"}},
			},
			want: []string{"mach R2 v1 TPI-LIE", "mach R3 v1 TPI-ANT", "police F1|VICTIM|P1 ANT"},
		},
		{
			name: "untouched records, a delivery all in quarantine, a delivery loaded again",
			nights: []d1Night{
				{files: []d1Delivery{
					{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU"), machLine("R2", 1, "", "TPI-BRU")}},
					{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", "")}},
					{"prosecution_1.csv", []string{prosecutionLine("C1", "S1", "2024-01-01", "BRU", "")}},
				}, changed: []string{"full"}},
				{files: []d1Delivery{{"mach_2.csv", []string{machLine("R1", 2, "", "XXX")}}}}, // unknown court: quarantine
				{files: []d1Delivery{
					{"mach_3.csv", []string{machLine("R2", 2, "", "TPI-LIE")}},
					{"police_3.csv", []string{policeLine("F2", "VICTIM", "P1", "2024-01-01", "LIE", "")}},
				}, changed: []string{"mach R2 replaced", "police F2|VICTIM|P1 inserted"}},
				{files: []d1Delivery{{"police_3.csv", []string{policeLine("F2", "VICTIM", "P1", "2024-01-01", "LIE", "")}}}}, // same file: skipped
			},
			want: []string{"mach R1 v1 TPI-BRU", "mach R2 v2 TPI-LIE", "police F1|VICTIM|P1 BRU", "police F2|VICTIM|P1 LIE",
				"prosecution C1|S1 BRU"},
		},
	}
}

// TestIncrementalD1EqualsFull loads sequences of deliveries night by night into two stores, one
// resolving incrementally and one with --full, and checks after every night that the *_current
// tables are the same row for row, all columns, and that d1_changed lists exactly the keys whose
// standing row changed.
func TestIncrementalD1EqualsFull(t *testing.T) {
	for _, tc := range d1Cases() {
		t.Run(tc.name, func(t *testing.T) {
			inc, full := openTestStore(t), openTestStore(t)
			for i, n := range tc.nights {
				files := writeNight(t, n)
				res := load(t, inc, LoadOptions{Files: files})
				resFull := load(t, full, LoadOptions{Files: files, Full: true})
				wantMode := ResolveIncremental
				switch {
				case i == 0:
					wantMode = ResolveFull // a new store
				case !res.Loaded():
					wantMode = ""
				}
				t.Run(fmt.Sprintf("night%d", i+1), func(t *testing.T) {
					checkNight(t, inc, res, wantMode, n.changed)
					checkNight(t, full, resFull, ResolveFull, []string{"full"})
					if d := cmp.Diff(currentRows(t, full), currentRows(t, inc)); d != "" {
						t.Errorf("*_current after an incremental resolve differ from a full rewrite (-full +incremental):\n%s", d)
					}
				})
			}
			if d := cmp.Diff(tc.want, standing(t, inc)); d != "" {
				t.Errorf("standing records (-want +got):\n%s", d)
			}
		})
	}
}

// loadNoResolve loads deliveries without resolving them: a load killed between its last commit
// and rule D1.
func loadNoResolve(t *testing.T, s *Store, files []string) {
	t.Helper()
	ctx := context.Background()
	id, err := s.StartRun(ctx, "killed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadDeliveries(ctx, s, id, LoadOptions{Files: files}); err != nil {
		t.Fatal(err)
	}
}

// twoNights returns the deliveries of the "new records and new versions" case.
func twoNights(t *testing.T) (first, second []string) {
	t.Helper()
	n := d1Cases()[0].nights
	return writeNight(t, n[0]), writeNight(t, n[1])
}

// TestResolveCatchesUpAfterKilledLoads: loads killed between their commits and rule D1 leave
// deliveries behind the resolved mark; the next run, even one that loads nothing new, resolves
// them all incrementally, as a full rewrite would.
func TestResolveCatchesUpAfterKilledLoads(t *testing.T) {
	s, ref := openTestStore(t), openTestStore(t)
	nights := d1Cases()[3].nights // cancelled, cancelled again, revived, cancelled again
	var files [][]string
	for _, n := range nights {
		files = append(files, writeNight(t, n))
	}
	load(t, s, LoadOptions{Files: files[0]})
	for _, f := range files {
		load(t, ref, LoadOptions{Files: f, Full: true})
	}
	// Two killed runs: nights 2 and 3 are loaded and not resolved.
	loadNoResolve(t, s, files[1])
	loadNoResolve(t, s, files[2])
	if stale, err := s.Stale(context.Background(), MarkResolved); err != nil || !stale {
		t.Fatalf("after killed loads, Stale(MarkResolved) = %v, %v: want true", stale, err)
	}
	// The next run loads nothing new (night 3 again: skipped) and resolves nights 2 and 3.
	res := load(t, s, LoadOptions{Files: files[2]})
	if res.Loaded() {
		t.Fatalf("the re-run loaded files: %+v", res.Files)
	}
	checkNight(t, s, res, ResolveIncremental, []string{"mach R1 removed", "police F1|VICTIM|P1 removed"})
	// Then a killed run whose night revives the records, and a run whose night cancels them again.
	loadNoResolve(t, s, files[3])
	res = load(t, s, LoadOptions{Files: files[4]})
	checkNight(t, s, res, ResolveIncremental, nil) // removed in night 2, revived in 4, removed in 5: no change
	if d := cmp.Diff(currentRows(t, ref), currentRows(t, s)); d != "" {
		t.Errorf("*_current after catching up differ from a full rewrite (-full +incremental):\n%s", d)
	}
	if stale, err := s.Stale(context.Background(), MarkResolved); err != nil || stale {
		t.Errorf("after the catch-up, Stale(MarkResolved) = %v, %v: want false", stale, err)
	}
}

// TestD1ChangedKeptUntilPublished: d1_changed keeps what every resolve changed until a published
// canvas has taken it into account, so that a stage after D1 that did not run (load --no-build,
// a run killed after D1) misses nothing; a full rewrite leaves only its "full" row.
func TestD1ChangedKeptUntilPublished(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	nights := d1Cases()[3].nights
	all := func() []string {
		return strs(t, s, `SELECT resolved_through || ' ' || concat_ws(' ', source, array_to_string(record_key, '|'), change)
			FROM d1_changed ORDER BY ALL`)
	}
	load(t, s, LoadOptions{Files: writeNight(t, nights[0])})
	load(t, s, LoadOptions{Files: writeNight(t, nights[1])}) // deliveries 3 and 4
	load(t, s, LoadOptions{Files: writeNight(t, nights[2])}) // 5 and 6: nothing changed
	load(t, s, LoadOptions{Files: writeNight(t, nights[3])}) // 7 and 8
	want := []string{"2 full", "4 mach R1 removed", "4 police F1|VICTIM|P1 removed", "8 mach R1 inserted", "8 police F1|VICTIM|P1 inserted"}
	if d := cmp.Diff(want, all()); d != "" {
		t.Fatalf("d1_changed before any publish (-want +got):\n%s", d)
	}
	if err := s.SetMark(ctx, MarkPublished); err != nil { // a canvas built and published through delivery 8
		t.Fatal(err)
	}
	load(t, s, LoadOptions{Files: writeNight(t, nights[4])})
	want = []string{"10 mach R1 removed", "10 police F1|VICTIM|P1 removed"}
	if d := cmp.Diff(want, all()); d != "" {
		t.Errorf("d1_changed after a publish and a resolve (-want +got):\n%s", d)
	}
	if _, err := Resolve(ctx, s.DB, true); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"10 full"}, all()); d != "" {
		t.Errorf("d1_changed after a full rewrite (-want +got):\n%s", d)
	}
}

// TestResolveFallsBackToFull: a store whose D1 state cannot be trusted gets a full rewrite, with
// the reason, whether or not deliveries are waiting.
func TestResolveFallsBackToFull(t *testing.T) {
	cases := []struct {
		name, damage, reason string
	}{
		{"never resolved", "", "has not run"},
		{"mark not a number", `UPDATE store_meta SET value = 'x' WHERE key = 'resolved_through_delivery'`, `mark "x" is not a delivery id`},
		{"mark empty", `UPDATE store_meta SET value = '' WHERE key = 'resolved_through_delivery'`, `mark "" is not a delivery id`},
		{"mark past the last delivery", `UPDATE store_meta SET value = '99' WHERE key = 'resolved_through_delivery'`, "mark 99 is not between 0 and the last delivery"},
		{"mark negative", `UPDATE store_meta SET value = '-1' WHERE key = 'resolved_through_delivery'`, "mark -1 is not between"},
		{"mach_current missing", `DROP TABLE mach_current`, "mach_current is missing"},
		{"police_current missing a column", `ALTER TABLE police_current DROP COLUMN extra`, "the columns of police_current are not those of raw_police"},
		{"prosecution_current with another type", `ALTER TABLE prosecution_current ALTER birth_year TYPE VARCHAR`, "the columns of prosecution_current"},
		{"mach_current with an extra column", `ALTER TABLE mach_current ADD COLUMN note VARCHAR`, "the columns of mach_current"},
		{"a raw table with a new column", `ALTER TABLE raw_mach ADD COLUMN note VARCHAR`, "the columns of mach_current are not those of raw_mach"},
	}
	first, second := twoNights(t)
	refFirst, refBoth := openTestStore(t), openTestStore(t)
	load(t, refFirst, LoadOptions{Files: first})
	load(t, refBoth, LoadOptions{Files: first})
	load(t, refBoth, LoadOptions{Files: second})
	for _, tc := range cases {
		for _, waiting := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/deliveries waiting %v", tc.name, waiting), func(t *testing.T) {
				ctx := context.Background()
				s, ref := openTestStore(t), refFirst
				if tc.damage == "" {
					loadNoResolve(t, s, first)
				} else {
					load(t, s, LoadOptions{Files: first})
					if _, err := s.DB.Exec(tc.damage); err != nil {
						t.Fatal(err)
					}
				}
				if waiting {
					loadNoResolve(t, s, second)
					ref = refBoth
				}
				st, err := Resolve(ctx, s.DB, false)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode != ResolveFull || !strings.Contains(st.Reason, tc.reason) {
					t.Errorf("resolve: mode %q, reason %q; want full because %q", st.Mode, st.Reason, tc.reason)
				}
				if strings.Contains(tc.damage, "raw_mach") {
					return // the layouts differ from the reference's
				}
				if d := cmp.Diff(currentRows(t, ref), currentRows(t, s)); d != "" {
					t.Errorf("*_current after the fall-back differ from the reference (-want +got):\n%s", d)
				}
				// And the store is back to incremental.
				if st, err := Resolve(ctx, s.DB, false); err != nil || st.Mode != "" {
					t.Errorf("resolve after the fall-back: %+v, %v; want nothing to do", st, err)
				}
			})
		}
	}
}

// TestResolveFailureLeavesStoreAsItWas: a resolve that fails half-way (after the police records
// were resolved) changes nothing, not even the mark; the next resolve does the work.
func TestResolveFailureLeavesStoreAsItWas(t *testing.T) {
	ctx := context.Background()
	s, ref := openTestStore(t), openTestStore(t)
	first := writeNight(t, d1Night{files: []d1Delivery{
		{"mach_1.csv", []string{machLine("R1", 1, "", "TPI-BRU")}},
		{"police_1.csv", []string{policeLine("F1", "VICTIM", "P1", "2024-01-01", "BRU", "")}},
	}})
	second := writeNight(t, d1Night{files: []d1Delivery{
		{"mach_2.csv", []string{machLine("R2", 1, "", "TPI-BRU")}},
		{"police_2.csv", []string{policeLine("F2", "VICTIM", "P1", "2024-01-01", "BRU", "")}},
	}})
	load(t, s, LoadOptions{Files: first})
	for _, f := range [][]string{first, second} {
		load(t, ref, LoadOptions{Files: f})
	}
	before := currentRows(t, s)
	mark := strs(t, s, `SELECT value FROM store_meta WHERE key = 'resolved_through_delivery'`)
	// Police resolves first; MACH then fails: R2 has R1's court, which a unique index forbids.
	if _, err := s.DB.Exec(`CREATE UNIQUE INDEX one_per_court ON mach_current (court)`); err != nil {
		t.Fatal(err)
	}
	loadNoResolve(t, s, second)
	if _, err := Resolve(ctx, s.DB, false); err == nil || !strings.Contains(err.Error(), "mach") {
		t.Fatalf("resolve with a violated index: %v, want a MACH error", err)
	}
	if d := cmp.Diff(before, currentRows(t, s)); d != "" {
		t.Errorf("a failed resolve changed *_current (-before +after):\n%s", d)
	}
	if got := strs(t, s, `SELECT value FROM store_meta WHERE key = 'resolved_through_delivery'`); !slices.Equal(got, mark) {
		t.Errorf("a failed resolve moved the mark from %v to %v", mark, got)
	}
	if got := strs(t, s, `SELECT change FROM d1_changed`); !slices.Equal(got, []string{"full"}) {
		t.Errorf("a failed resolve wrote d1_changed: %v", got)
	}
	if _, err := s.DB.Exec(`DROP INDEX one_per_court`); err != nil {
		t.Fatal(err)
	}
	st, err := Resolve(ctx, s.DB, false)
	if err != nil || st.Mode != ResolveIncremental {
		t.Fatalf("resolve after the failure: %+v, %v", st, err)
	}
	if d := cmp.Diff(currentRows(t, ref), currentRows(t, s)); d != "" {
		t.Errorf("*_current after the retry differ from the reference (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"mach R2 inserted", "police F2|VICTIM|P1 inserted"}, changedBy(t, s, st.Through)); d != "" {
		t.Errorf("d1_changed after the retry (-want +got):\n%s", d)
	}
	if st.Keys != 2 || st.Inserted != 2 || st.Replaced != 0 || st.Removed != 0 || st.From != 2 || st.Through != 4 {
		t.Errorf("resolve stats %+v: want deliveries 3-4, 2 keys, 2 inserted", st)
	}
}

// TestResolveEmptyStore: a store without deliveries resolves to empty tables, and then has
// nothing to do.
func TestResolveEmptyStore(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	st, err := Resolve(ctx, s.DB, false)
	if err != nil || st.Mode != ResolveFull || st.Through != 0 {
		t.Fatalf("first resolve of an empty store: %+v, %v", st, err)
	}
	if rows := currentRows(t, s); len(rows) != 0 {
		t.Errorf("*_current of an empty store: %v", rows)
	}
	st, err = Resolve(ctx, s.DB, false)
	if err != nil || st.Mode != "" {
		t.Errorf("second resolve of an empty store: %+v, %v", st, err)
	}
}

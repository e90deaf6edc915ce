package dedup_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/ciatteh/canvas/dedup"
	"github.com/ciatteh/canvas/dedup/fixture"
	"github.com/ciatteh/canvas/dedup/linkage"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/google/go-cmp/cmp"
)

type C = fixture.Conviction

func run(t *testing.T, s *pipeline.Store) dedup.Stats {
	t.Helper()
	return runWith(t, s, dedup.Options{})
}

func runWith(t *testing.T, s *pipeline.Store, o dedup.Options) dedup.Stats {
	t.Helper()
	fixture.Resolve(t, s)
	st, err := dedup.Run(context.Background(), s.DB, o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func query(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = v.String
			if !v.Valid {
				parts[i] = "NULL"
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func TestJudgmentNumber(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2019/001234", "20191234"}, {"2019-1234", "20191234"}, {" 2019 . 01234 ", "20191234"},
		{"20191234", "20191234"}, {"AB/0007", "AB7"}, {"ab-7", "AB7"}, {"0000", "0"}, {"", ""},
	} {
		if got := dedup.JudgmentNumber(c.in); got != c.want {
			t.Errorf("JudgmentNumber(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if a, b := dedup.PersonName("Van der Berg-Dupré"), dedup.PersonName("VAN DER BERG DUPRE"); a != b {
		t.Errorf("PersonName: %q != %q", a, b)
	}
}

// D2: a LEGACY line and its MACH re-encoding are one line; the MACH one stands. A LEGACY line of
// another offence, or of a person with another valid national number, stays.
func TestD2MigrationDuplicates(t *testing.T) {
	s := fixture.Store(t)
	nn := fixture.NN("850312", 123)
	fixture.Insert(t, s,
		C{RecordID: "L1", SourceSystem: "LEGACY", PersonID: "OLD-1", JudgmentID: "2019/001234", Surname: "DUPRE", GivenNames: "JEAN PIERRE", BirthDate: "1985-03-12", Offence: "SMU-77BIS", FinalDate: "2020-03-01"},
		C{RecordID: "L2", SourceSystem: "LEGACY", PersonID: "OLD-1", JudgmentID: "2019/001234", Surname: "DUPRE", GivenNames: "JEAN PIERRE", BirthDate: "1985-03-12", Offence: "FOR-196", FinalDate: "2020-03-01"},
		C{RecordID: "M1", SourceSystem: "MACH", PersonID: "77", JudgmentID: "2019-1234", Surname: "Dupré", GivenNames: "Jean-Pierre", BirthDate: "1985-03-12", NN: nn, Offence: "SMU-77BIS", FinalDate: "2020-03-01"},
		// same name and birth date but the LEGACY line has another valid national number: not merged
		C{RecordID: "L3", SourceSystem: "LEGACY", PersonID: "OLD-2", JudgmentID: "2019/1234", Surname: "DUPRE", GivenNames: "JEAN PIERRE", BirthDate: "1985-03-12", NN: fixture.NN("850312", 125), Offence: "SMU-77BIS", FinalDate: "2020-03-01"},
	)
	st := run(t, s)
	if st.D2Merged != 1 {
		t.Errorf("D2 merged %d lines, want 1", st.D2Merged)
	}
	got := query(t, s.DB, `SELECT record_id, stands, coalesce(merged_into, '') FROM conviction_line ORDER BY record_id`)
	want := []string{"L1|false|M1", "L2|true|", "L3|true|", "M1|true|"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conviction_line (-want +got):\n%s", d)
	}
	tr := query(t, s.DB, `SELECT a, b, score FROM dedup_trace WHERE rule = 'D2'`)
	if d := cmp.Diff([]string{"L1|M1|1"}, tr); d != "" {
		t.Errorf("D2 trace (-want +got):\n%s", d)
	}
}

// D3: the lines of one person in one judgment are one conviction, lines of one offence one offence
// conviction whose victims add up; a co-defendant in the same judgment is another conviction.
func TestD3LinesToConvictions(t *testing.T) {
	s := fixture.Store(t)
	var rows []any
	for i, id := range []string{"A1", "A2", "A3", "A4", "A5"} {
		_ = i
		rows = append(rows, C{RecordID: id, PersonID: "P1", Surname: "Martin", BirthDate: "1970-01-01", JudgmentID: "J-9", Offence: "SMU-77BIS", Victims: 1, FinalDate: "2021-05-01", SentenceType: "PRISON", Suspended: "Y"})
	}
	rows = append(rows,
		C{RecordID: "A6", PersonID: "P1", Surname: "Martin", BirthDate: "1970-01-01", JudgmentID: "J-9", Offence: "SMU-77QUATER", FinalDate: "2021-05-01", SentenceType: "PRISON", Suspended: "PARTIAL"},
		C{RecordID: "B1", PersonID: "P2", Surname: "Peeters", BirthDate: "1980-06-06", JudgmentID: "J-9", Offence: "SMU-77BIS", Victims: 3, FinalDate: "2021-05-01"},
	)
	fixture.Insert(t, s, rows...)
	st := run(t, s)
	if st.Notices != 2 || st.Chains != 2 || st.Convictions != 2 || st.D3Merged != 5 {
		t.Errorf("stats %+v: want 2 notices, 2 chains, 2 convictions, 5 lines merged", st)
	}
	got := query(t, s.DB, `SELECT p.surname, o.offence, o.lines, o.victims, o.prison_unsuspended
		FROM conviction_offence o JOIN conviction_chain c USING (chain_id) JOIN person_record p ON p.person_key = c.person_key
		ORDER BY 1, 2`)
	want := []string{"Martin|SMU-77BIS|5|5|false", "Martin|SMU-77QUATER|1|NULL|true", "Peeters|SMU-77BIS|1|3|false"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conviction_offence (-want +got):\n%s", d)
	}
}

// D4: a chain's last decision decides: an appeal that acquits removes the conviction; an appeal in
// MACH joins the LEGACY first-instance notice of the same person although the judgment number is
// written differently and the co-defendant shares it; an appeal whose first decision is absent
// counts alone and is flagged.
func TestD4DecisionChains(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		// Person A: convicted in first instance (LEGACY), acquitted on appeal (MACH).
		C{RecordID: "A1", SourceSystem: "LEGACY", PersonID: "L-A", Surname: "EL AMRANI", GivenNames: "MOHAMED", BirthDate: "1990-02-03", JudgmentID: "TPI 2018/000456", Court: "TPI-ANT", JudgmentDate: "2018-06-01", Offence: "SMU-77BIS", FinalDate: ""},
		C{RecordID: "A2", SourceSystem: "MACH", PersonID: "M-A", Surname: "El Amrani", GivenNames: "Mohammed", BirthDate: "1990-02-03", JudgmentID: "CA-2019-77", Court: "CA-ANT", JudgmentDate: "2019-03-01", Instance: "APPEAL", AppealOf: "TPI-2018-456", Decision: "ACQUITTAL", FinalDate: "2019-04-01"},
		// Person B: co-defendant in the same first-instance judgment, convicted, appeal confirms with another offence set.
		C{RecordID: "B1", SourceSystem: "LEGACY", PersonID: "L-B", Surname: "JANSSENS", GivenNames: "KOEN", BirthDate: "1975-11-30", JudgmentID: "TPI 2018/000456", Court: "TPI-ANT", JudgmentDate: "2018-06-01", Offence: "SMU-77QUATER"},
		C{RecordID: "B2", SourceSystem: "MACH", PersonID: "M-B", Surname: "Janssens", GivenNames: "Koen", BirthDate: "1975-11-30", JudgmentID: "CA-2019-78", Court: "CA-ANT", JudgmentDate: "2019-03-02", Instance: "APPEAL", AppealOf: "TPI/2018/456", Offence: "SMU-77BIS", FinalDate: "2019-04-02"},
		// Person C: an appeal whose first decision is absent.
		C{RecordID: "C1", SourceSystem: "MACH", PersonID: "M-C", Surname: "Dubois", GivenNames: "Luc", BirthDate: "1960-01-01", JudgmentID: "CA-2020-1", Court: "CA-BRU", JudgmentDate: "2020-02-01", Instance: "APPEAL", AppealOf: "TPI-2019-999", FinalDate: "2020-03-01"},
	)
	st := run(t, s)
	if st.Chains != 3 || st.OrphanAppeals != 1 || st.Convictions != 2 {
		t.Errorf("stats %+v: want 3 chains, 1 orphan appeal, 2 convictions", st)
	}
	got := query(t, s.DB, `SELECT string_agg(l.record_id, ',' ORDER BY l.record_id), c.decision, c.convicted, c.district, c.orphan_appeal,
		coalesce(strftime(c.final_date, '%Y-%m-%d'), ''), (SELECT string_agg(offence, ',') FROM conviction_offence o WHERE o.chain_id = c.chain_id)
		FROM conviction_chain c JOIN conviction_line l USING (chain_id) GROUP BY ALL ORDER BY 1`)
	want := []string{
		"A1,A2|ACQUITTAL|false|ANT|false|2019-04-01|NULL",
		"B1,B2|CONVICTION|true|ANT|false|2019-04-02|SMU-77BIS",
		"C1|CONVICTION|true|_U|true|2020-03-01|SMU-77BIS",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("chains (-want +got):\n%s", d)
	}
	orphan := query(t, s.DB, `SELECT status FROM dedup_trace WHERE rule = 'D4' AND kind = 'notice' AND status = 'orphan'`)
	if len(orphan) != 1 {
		t.Errorf("orphan trace: %v", orphan)
	}
}

// D5: two valid national numbers never merge, even with the same name and birth date; one valid
// national number links spelling variants.
func TestD5Persons(t *testing.T) {
	s := fixture.Store(t)
	nn1, nn2 := fixture.NN("880101", 1), fixture.NN("880101", 3)
	fixture.Insert(t, s,
		C{RecordID: "X1", PersonID: "1", NN: nn1, Surname: "Benali", GivenNames: "Karim", BirthDate: "1988-01-01", JudgmentID: "J1", FinalDate: "2021-01-01"},
		C{RecordID: "X2", PersonID: "2", NN: nn2, Surname: "Benali", GivenNames: "Karim", BirthDate: "1988-01-01", JudgmentID: "J2", FinalDate: "2021-01-01"},
		C{RecordID: "X3", PersonID: "3", NN: nn1, Surname: "Ben Ali", GivenNames: "Kareem", BirthDate: "1988-01-01", JudgmentID: "J3", FinalDate: "2022-01-01"},
	)
	run(t, s)
	got := query(t, s.DB, `SELECT a.record_id || '=' || b.record_id FROM person_link a JOIN person_link b
		ON a.person_key = b.person_key AND a.record_id < b.record_id ORDER BY 1`)
	if d := cmp.Diff([]string{"X1=X3"}, got); d != "" {
		t.Errorf("linked records (-want +got):\n%s", d)
	}
	rules := query(t, s.DB, `SELECT record_id, rule FROM person_link ORDER BY 1`)
	if d := cmp.Diff([]string{"X1|NN", "X2|SINGLE", "X3|NN"}, rules); d != "" {
		t.Errorf("person_link rules (-want +got):\n%s", d)
	}
}

// Person keys stay stable across runs, and an analyst's decision applies in every later run.
func TestStableKeysAndReview(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "R1", PersonID: "1", Surname: "Nowak", GivenNames: "Anna", BirthDate: "1992-04-05", JudgmentID: "J1", FinalDate: "2021-01-01"},
		C{RecordID: "R2", PersonID: "2", Surname: "Kowalski", GivenNames: "Jan", BirthDate: "1970-07-07", JudgmentID: "J2", FinalDate: "2021-01-01"},
	)
	run(t, s)
	before := query(t, s.DB, `SELECT record_id, person_key FROM person_link ORDER BY 1`)
	fixture.Insert(t, s, C{RecordID: "R0", PersonID: "0", Surname: "Adams", GivenNames: "Zoe", BirthDate: "1999-09-09", JudgmentID: "J0", FinalDate: "2021-01-01"})
	run(t, s)
	after := query(t, s.DB, `SELECT record_id, person_key FROM person_link WHERE record_id <> 'R0' ORDER BY 1`)
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("person keys moved (-before +after):\n%s", d)
	}
	ctx := context.Background()
	if err := dedup.RecordDecisions(ctx, s.DB, []dedup.Decision{{A: "MACH:2", B: "MACH:1", Match: true, By: "test"}}); err != nil {
		t.Fatal(err)
	}
	if err := dedup.RecordDecisions(ctx, s.DB, []dedup.Decision{{A: "MACH:2", B: "MACH:nope", Match: true}}); err == nil {
		t.Error("a decision on an unknown record must be refused")
	}
	run(t, s)
	got := query(t, s.DB, `SELECT count(DISTINCT person_key) FROM person_link WHERE record_id IN ('R1', 'R2')`)
	if got[0] != "1" {
		t.Errorf("analyst match not applied: %v", got)
	}
	rule := query(t, s.DB, `SELECT rule FROM person_link WHERE record_id = 'R2'`)
	if rule[0] != "REVIEW" {
		t.Errorf("rule of an analyst match: %v", rule)
	}
	ds, err := dedup.ReadDecisionsCSV(strings.NewReader("a;b;decision;note\nMACH:1;MACH:2;nonmatch;twins\n"), "test.csv")
	if err != nil || len(ds) != 1 || ds[0].Match {
		t.Fatalf("ReadDecisionsCSV: %v %+v", err, ds)
	}
	if err := dedup.RecordDecisions(ctx, s.DB, ds); err != nil {
		t.Fatal(err)
	}
	run(t, s)
	got = query(t, s.DB, `SELECT count(DISTINCT person_key) FROM person_link WHERE record_id IN ('R1', 'R2')`)
	if got[0] != "2" {
		t.Errorf("the later non-match decision must win: %v", got)
	}
}

// D2 without birth dates: the LEGACY and MACH lines name the same person the same way, with no
// birth date and no national number on either side.
func TestD2WithoutBirthDate(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "L1", SourceSystem: "LEGACY", PersonID: "LP1", JudgmentID: "2015-1701", Surname: "MAES", GivenNames: "WIM", Offence: "SMU-77BIS"},
		C{RecordID: "M1", SourceSystem: "MACH", PersonID: "P1", JudgmentID: "2015/001701", Surname: "Maes", GivenNames: "Wim", Offence: "SMU-77BIS"},
		// a namesake with another birth date in the same judgment is not merged
		C{RecordID: "L2", SourceSystem: "LEGACY", PersonID: "LP2", JudgmentID: "2015-1701", Surname: "PEETERS", GivenNames: "JAN", BirthDate: "1950-01-01", Offence: "SMU-77BIS"},
		C{RecordID: "M2", SourceSystem: "MACH", PersonID: "P2", JudgmentID: "2015/001701", Surname: "Peeters", GivenNames: "Jan", BirthDate: "1990-01-01", Offence: "SMU-77BIS"},
	)
	st := run(t, s)
	got := query(t, s.DB, `SELECT record_id, stands FROM conviction_line ORDER BY 1`)
	if d := cmp.Diff([]string{"L1|false", "L2|true", "M1|true", "M2|true"}, got); d != "" {
		t.Errorf("conviction_line (-want +got):\n%s", d)
	}
	if st.Convictions != 3 {
		t.Errorf("%d convictions, want 3", st.Convictions)
	}
}

// D4 across systems with surname and given names swapped and an alias: the appeal finds its
// person's notice in the reviewed judgment by name, birth date and place, not the co-defendant's,
// and the two person records become one person (rule D4 in person_link).
func TestD4AppealFindsPersonByName(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "F1", SourceSystem: "MACH", PersonID: "P1", Surname: "Gashi", GivenNames: "Besnik", BirthPlace: "Shkodër", Citizenship: "AL", JudgmentID: "2019/5130", Court: "TPI-BRU", JudgmentDate: "2019-08-16"},
		C{RecordID: "F2", SourceSystem: "MACH", PersonID: "P2", Surname: "Traoré", GivenNames: "Muhammad", BirthDate: "1981-09-18", JudgmentID: "2019/5130", Court: "TPI-BRU", JudgmentDate: "2019-08-16"},
		C{RecordID: "A1", SourceSystem: "MACH", PersonID: "P9", Surname: "Besnik", GivenNames: "Gashi", BirthDate: "1985-12-25", Citizenship: "AL", JudgmentID: "2020/2252", Court: "CA-BRU", JudgmentDate: "2020-07-24", Instance: "APPEAL", AppealOf: "2019-005130", FinalDate: "2020-09-28"},
		// an alias keeping the given name, same birth date and place
		C{RecordID: "G1", SourceSystem: "MACH", PersonID: "P3", Surname: "Vermeulen", GivenNames: "Els", BirthDate: "1982-12-12", BirthPlace: "Leuven", Sex: "F", JudgmentID: "2022/2288", Court: "TPI-LUX", JudgmentDate: "2022-10-14"},
		C{RecordID: "G2", SourceSystem: "MACH", PersonID: "P4", Surname: "Goossens", GivenNames: "Els", BirthDate: "1982-12-12", BirthPlace: "Leuven", Sex: "F", JudgmentID: "2023/1170", Court: "CA-LIE", JudgmentDate: "2023-08-15", Instance: "APPEAL", AppealOf: "2022/2288", Decision: "ACQUITTAL", FinalDate: "2023-09-01"},
	)
	cfg := linkage.DefaultConfig()
	cfg.MatchThreshold, cfg.ReviewThreshold = 1000, 999 // the linkage links nothing: D4 must
	st := runWith(t, s, dedup.Options{Linkage: &cfg})
	if st.Chains != 3 || st.OrphanAppeals != 0 || st.Convictions != 2 {
		t.Errorf("stats %+v: want 3 chains (Gashi, Traoré, Vermeulen), no orphan, 2 convictions", st)
	}
	got := query(t, s.DB, `SELECT string_agg(record_id, ',' ORDER BY record_id), count(DISTINCT person_key), string_agg(DISTINCT rule, ',' ORDER BY rule)
		FROM conviction_line l JOIN person_link p USING (record_id, person_key) GROUP BY chain_id ORDER BY 1`)
	want := []string{"A1,F1|1|D4", "F2|1|SINGLE", "G1,G2|1|D4"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("chains (-want +got):\n%s", d)
	}
}

// A chain of near matches never glues two different valid national numbers: B resembles both A
// and C, who are two people.
func TestD5ChainOfNearMatches(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "A", PersonID: "1", NN: fixture.NN("900203", 11), Surname: "El Amrani", GivenNames: "Mohamed", BirthDate: "1990-02-03", BirthPlace: "Tanger", Sex: "M", Citizenship: "MA", JudgmentID: "J1"},
		C{RecordID: "B", PersonID: "2", Surname: "El Amrani", GivenNames: "Mohammed", BirthDate: "1990-02-03", BirthPlace: "Tanger", Sex: "M", Citizenship: "MA", JudgmentID: "J2"},
		C{RecordID: "C", PersonID: "3", NN: fixture.NN("900203", 13), Surname: "Elamrani", GivenNames: "Muhammad", BirthDate: "1990-02-03", BirthPlace: "Tanger", Sex: "M", Citizenship: "MA", JudgmentID: "J3"},
	)
	run(t, s)
	got := query(t, s.DB, `SELECT count(DISTINCT person_key) FROM person_link WHERE record_id IN ('A', 'C')`)
	if got[0] != "2" {
		t.Errorf("A and C (two valid national numbers) share a person key")
	}
}

// The review list lists pairs between the thresholds with both identities, and marks decided ones.
func TestReviewList(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "R1", PersonID: "1", Surname: "Janssens", GivenNames: "Marc", BirthDate: "1970-05-06", JudgmentID: "J1"},
		C{RecordID: "R2", PersonID: "2", Surname: "Janssen", GivenNames: "Mark", BirthDate: "1970-06-05", JudgmentID: "J2"},
	)
	fixture.Resolve(t, s)
	cfg := linkage.DefaultConfig()
	cfg.MatchThreshold, cfg.ReviewThreshold = 1000, -1000 // every candidate pair goes to review
	ctx := context.Background()
	if _, err := dedup.Run(ctx, s.DB, dedup.Options{Linkage: &cfg}); err != nil {
		t.Fatal(err)
	}
	ps, err := dedup.ListReview(ctx, s.DB, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].A != "MACH:1" || ps[0].B1.Surname != "Janssen" || ps[0].Decision != "" {
		t.Fatalf("review list: %+v", ps)
	}
	if err := dedup.RecordDecisions(ctx, s.DB, []dedup.Decision{{A: "MACH:1", B: "MACH:2", Match: false}}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := dedup.ListReview(ctx, s.DB, false); len(ps) != 0 {
		t.Errorf("a decided pair is still listed as undecided: %+v", ps)
	}
	if ps, _ := dedup.ListReview(ctx, s.DB, true); len(ps) != 1 || ps[0].Decision != "nonmatch" {
		t.Errorf("--all: %+v", ps)
	}
}

// Two records of one person key in one judgment that name different people (co-defendants the
// linkage, or here an analyst, joined) stay two convictions; the person counts once.
func TestD3CoDefendantsJoinedByMistake(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "A", PersonID: "1", Surname: "Peeters", GivenNames: "Jan", BirthDate: "1970-01-01", JudgmentID: "J1", FinalDate: "2021-01-01"},
		C{RecordID: "B", PersonID: "2", Surname: "Dubois", GivenNames: "Luc", BirthDate: "1980-02-02", JudgmentID: "J1", FinalDate: "2021-01-01"},
	)
	run(t, s)
	if err := dedup.RecordDecisions(context.Background(), s.DB, []dedup.Decision{{A: "MACH:1", B: "MACH:2", Match: true}}); err != nil {
		t.Fatal(err)
	}
	st := run(t, s)
	if st.Persons != 1 || st.Convictions != 2 {
		t.Errorf("stats %+v: want 1 person, 2 convictions", st)
	}
}

// Rule EXACT joins records of the same name and birth date, unless an analyst said two of them
// are not the same person: then the one kept apart starts a group of its own, and a third record
// of the same name still joins the first.
func TestExactSplitByDecision(t *testing.T) {
	s := fixture.Store(t)
	fixture.Insert(t, s,
		C{RecordID: "A", PersonID: "1", Surname: "Peeters", GivenNames: "Jan", BirthDate: "1970-01-01", JudgmentID: "J1", FinalDate: "2021-01-01"},
		C{RecordID: "B", PersonID: "2", Surname: "PEETERS", GivenNames: "Jan", BirthDate: "1970-01-01", JudgmentID: "J2", FinalDate: "2021-01-01"},
		C{RecordID: "C", PersonID: "3", Surname: "Peeters", GivenNames: "JAN", BirthDate: "1970-01-01", JudgmentID: "J3", FinalDate: "2021-01-01"},
	)
	if st := run(t, s); st.Persons != 1 {
		t.Fatalf("before the decision: %d persons, want 1 (rule EXACT)", st.Persons)
	}
	if err := dedup.RecordDecisions(context.Background(), s.DB, []dedup.Decision{{A: "MACH:2", B: "MACH:1", Match: false}}); err != nil {
		t.Fatal(err)
	}
	if st := run(t, s); st.Persons != 2 {
		t.Fatalf("after a non-match decision on MACH:1 and MACH:2: %d persons, want 2", st.Persons)
	}
	var keyA, keyB, keyC string
	for id, k := range map[string]*string{"MACH:1": &keyA, "MACH:2": &keyB, "MACH:3": &keyC} {
		if err := s.DB.QueryRow(`SELECT person_key FROM person_record WHERE person_record = ?`, id).Scan(k); err != nil {
			t.Fatal(err)
		}
	}
	if keyA == keyB || keyA != keyC {
		t.Errorf("person keys A %s, B %s, C %s: want B apart, A and C together", keyA, keyB, keyC)
	}
}

// Rule EXACT keeps records of the same name and birth date apart when they say different things
// of the person where both say something: sex, citizenship, birth place (spelling variants of one
// place within the Jaro-Winkler minimum agree). Those are left to the weights; records that are
// silent on a trait join.
func TestExactKeepsConflictingTraitsApart(t *testing.T) {
	s := fixture.Store(t)
	rec := func(id, place, sex, cit string) C {
		return C{RecordID: "R" + id, PersonID: id, Surname: "Peeters", GivenNames: "Jan", BirthDate: "1970-01-01",
			BirthPlace: place, Sex: sex, Citizenship: cit, JudgmentID: "J" + id, FinalDate: "2021-01-01"}
	}
	fixture.Insert(t, s,
		rec("1", "Gent", "M", "BE"),
		rec("2", "GENT", "M", "BE"),         // the same place, written otherwise: joins 1
		rec("3", "Antwerpen", "M", "BE"),    // another place: apart
		rec("4", "", "", ""),                // says nothing: joins 1
		rec("5", "Gent", "F", "BE"),         // another sex: apart
		rec("6", "Gent", "M", "MA"),         // another citizenship: apart
		rec("7", "Sint-Niklaas", "M", "BE"), // apart from 1 and 3 ...
		rec("8", "Sint Niklaas", "M", "BE"), // ... and joined by its spelling variant
	)
	run(t, s)
	got := map[string]string{}
	rows, err := s.DB.Query(`SELECT person_record, exact_rep FROM person_record`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, rep string
		if err := rows.Scan(&id, &rep); err != nil {
			t.Fatal(err)
		}
		got[id] = rep
	}
	want := map[string]string{"MACH:1": "MACH:1", "MACH:2": "MACH:1", "MACH:3": "MACH:3", "MACH:4": "MACH:1",
		"MACH:5": "MACH:5", "MACH:6": "MACH:6", "MACH:7": "MACH:7", "MACH:8": "MACH:7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EXACT representatives (-want +got):\n%s", diff)
	}
	var exact int
	if err := s.DB.QueryRow(`SELECT count(*) FROM dedup_trace WHERE rule = 'D5' AND detail LIKE 'EXACT%'`).Scan(&exact); err != nil {
		t.Fatal(err)
	}
	if exact != 3 {
		t.Errorf("%d EXACT trace rows, want 3 (records 2, 4 and 8)", exact)
	}
}

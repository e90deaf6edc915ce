package dedup_test

import (
	"fmt"
	"testing"

	"github.com/ciatteh/canvas/dedup/fixture"
)

// TestRecordsAcrossReadBatches gives 1,800 person records 20 lines each, with a minority of lines
// spelling the identity otherwise, so that records straddle the batches in which the lines are
// read (32,768 rows): each record must take the most frequent value of each field, with its own
// copy of the value whichever batch its lines came in.
func TestRecordsAcrossReadBatches(t *testing.T) {
	s := fixture.Store(t)
	const records, lines = 1800, 20
	var cs []any
	for p := range records {
		cs = append(cs, C{RecordID: fmt.Sprintf("R%05d-00", p), PersonID: fmt.Sprintf("%05d", p),
			Surname: fmt.Sprintf("Surname%04d", p), GivenNames: fmt.Sprintf("Given%04d", p), BirthPlace: fmt.Sprintf("Place%04d", p),
			BirthDate: fmt.Sprintf("19%02d-%02d-%02d", 50+p%40, 1+p%12, 1+p%28), JudgmentID: fmt.Sprintf("J%05d-00", p), FinalDate: "2021-01-01"})
	}
	fixture.Insert(t, s, cs...)
	// lines 1 to 19 of each record, one in five spelling the identity otherwise
	if _, err := s.DB.Exec(fmt.Sprintf(`INSERT INTO raw_mach SELECT * EXCLUDE (n) REPLACE (
		line + n * 100000 AS line,
		replace(record_id, '-00', printf('-%%02d', n)) AS record_id,
		replace(judgment_id, '-00', printf('-%%02d', n)) AS judgment_id,
		CASE WHEN n %% 5 = 4 THEN printf('Other%%04d', n) ELSE surname END AS surname,
		CASE WHEN n %% 5 = 4 THEN 'Zz' ELSE given_names END AS given_names,
		CASE WHEN n %% 5 = 4 THEN 'Elsewhere' ELSE birth_place END AS birth_place)
		FROM raw_mach, range(1, %d) r(n)`, lines)); err != nil {
		t.Fatal(err)
	}
	fixture.Resolve(t, s)
	run(t, s)
	got := query(t, s.DB, `SELECT person_record || ' ' || surname || ' ' || given_names || ' ' || birth_place || ' ' || lines
		FROM person_record ORDER BY person_record`)
	if len(got) != records {
		t.Fatalf("%d person records, want %d", len(got), records)
	}
	for p, g := range got {
		if want := fmt.Sprintf("MACH:%05d Surname%04d Given%04d Place%04d %d", p, p, p, p, lines); g != want {
			t.Errorf("person record %d: %q, want %q", p, g, want)
		}
	}
}

package dedup

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/ciatteh/canvas/dedup/linkage"
)

// line is one offence line of mach_current, with what D2 to D4 made of it. Lines are held one
// batch at a time (see batches).
type line struct {
	recordID, system, judgmentID, jnorm, court string
	judgmentDate                               time.Time
	instance, appealNorm, decision             string
	finalDate                                  time.Time // zero: not final yet
	nn, surname, given                         string
	birthDate, sex, citizenship                string
	offence                                    string
	offenceDate                                time.Time
	victims                                    sql.NullInt64
	sentenceType, suspended                    string

	stands     bool   // false: merged by D2
	mergedInto string // D2: the MACH line standing for it
	record     int    // D5: index of its person record
	notice     int    // D3: index of its notice in the batch (-1: none)
}

// recordExpr is the person record of a mach_current line: source_system:person_id.
const recordExpr = `coalesce(source_system, 'MACH') || ':' || person_id`

// readRecords reads the person records (the unit of D5) from mach_current, each with the most
// frequent value of each identity field over its lines (ties: the smallest), sorted by ID. The
// lines are streamed in record order, so memory holds the records, not the lines.
//
// While it reads, it joins the records whose lines name the same normalised judgment number (as
// their own or as the decision they appeal): the returned union-find over record indexes is where
// planBatches starts its components.
//
// When only is not "", it reads only the records that query lists (a SELECT of record IDs).
func readRecords(ctx context.Context, conn *sql.Conn, dir, only string) ([]personRecord, []int32, error) {
	var out []personRecord
	var cur []recordLine
	var parent []int32
	judgment := map[uint64]int32{} // hashed judgment number -> its first record (a collision only joins two components)
	if only == "" {
		// a full run: size the slices and the map once. Grown by appending, the records' slice
		// (about 140 bytes a record) was copied into ever larger fresh memory, which took 48 s
		// of CPU at ten million lines on a machine where a new page costs a fault in the host
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(DISTINCT `+recordExpr+`) FROM mach_current`).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("dedup: counting the person records: %w (has rule D1 run?)", err)
		}
		out, parent, judgment = make([]personRecord, 0, n), make([]int32, 0, n), make(map[uint64]int32, n)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	join := func(r int32, jnorm string) {
		h := fnv.New64a()
		h.Write([]byte(jnorm))
		k := h.Sum64()
		first, ok := judgment[k]
		if !ok {
			judgment[k] = r
			return
		}
		a, b := find(r), find(first)
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	flush := func() {
		if len(cur) == 0 {
			return
		}
		r := modalRecord(cur)
		// the fields may point into the batch: the record keeps copies of the values that won
		r.rec.NationalNumber, r.rec.Surname, r.rec.GivenNames = clone(r.rec.NationalNumber), clone(r.rec.Surname), clone(r.rec.GivenNames)
		r.rec.BirthDate, r.rec.BirthPlace, r.rec.Sex, r.rec.Citizenship = clone(r.rec.BirthDate), clone(r.rec.BirthPlace), clone(r.rec.Sex), clone(r.rec.Citizenship)
		out = append(out, r)
		cur = cur[:0]
	}
	q := `SELECT ` + recordExpr + ` AS rec, national_number, surname, given_names,
	        strftime(birth_date, '%Y-%m-%d'), birth_place, sex, citizenship, judgment_id, appeal_of
	      FROM mach_current ORDER BY rec`
	if only != "" {
		q = strings.Replace(q, "FROM mach_current", "FROM mach_current WHERE "+recordExpr+" IN ("+only+")", 1)
	}
	err := export(ctx, conn, dir, "records", q, func(b arrow.RecordBatch) error {
		c := col{b}
		for i := range int(b.NumRows()) {
			rec := c.raw(0, i)
			if len(cur) > 0 && cur[0].rec != rec {
				flush()
			}
			if len(cur) == 0 { // a new record: index len(out)
				parent = append(parent, int32(len(out)))
			}
			r := int32(len(out))
			join(r, JudgmentNumber(c.raw(8, i)))
			if a := JudgmentNumber(c.raw(9, i)); a != "" {
				join(r, a)
			}
			nn := c.raw(1, i)
			if len(nn) != 11 {
				nn = ""
			}
			sex := c.raw(6, i)
			if sex != "M" && sex != "F" {
				sex = ""
			}
			cur = append(cur, recordLine{rec: strCopy(rec, cur), fields: [7]string{
				nn, c.raw(2, i), c.raw(3, i), c.raw(4, i), c.raw(5, i), sex, c.raw(7, i)}})
		}
		// the fields point into the batch, which the next one replaces: the lines of a record
		// that goes on in the next batch keep copies (copying every line's fields was 70 million
		// allocations at ten million lines)
		for l := range cur {
			for f := range cur[l].fields {
				cur[l].fields[f] = clone(cur[l].fields[f])
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w (has rule D1 run?)", err)
	}
	flush()
	if !slices.IsSortedFunc(out, func(a, b personRecord) int { return cmp.Compare(a.rec.ID, b.rec.ID) }) {
		return nil, nil, fmt.Errorf("dedup: person records are not in order; is the database's default collation changed?")
	}
	return out, parent, nil
}

// recordLine is one line's identity fields while its record is read.
type recordLine struct {
	rec    string
	fields [7]string // national number, surname, given names, birth date, birth place, sex, citizenship
}

// strCopy returns rec as a string of its own, reusing the current record's copy.
func strCopy(rec string, cur []recordLine) string {
	if len(cur) > 0 && cur[0].rec == rec {
		return cur[0].rec
	}
	return clone(rec)
}

func clone(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

// modalRecord makes a person record of its lines: each field the most frequent non-empty value.
func modalRecord(ls []recordLine) personRecord {
	var v [7]string
	for f := range v {
		v[f] = modal(seq(len(ls)), func(i int) string { return ls[i].fields[f] }, false)
	}
	return personRecord{lines: len(ls), rec: linkage.Record{ID: ls[0].rec, NationalNumber: v[0], Surname: v[1],
		GivenNames: v[2], BirthDate: v[3], BirthPlace: v[4], Sex: v[5], Citizenship: v[6]}}
}

// recordIndex returns the index of the person record with this ID in records (sorted by ID).
func recordIndex(records []personRecord, id string) (int, bool) {
	return slices.BinarySearchFunc(records, id, func(r personRecord, id string) int { return cmp.Compare(r.rec.ID, id) })
}

// lineColumns are the columns of the batch query, in the order readBatchLine reads them.
const lineColumns = `record_id, coalesce(source_system, 'MACH'), judgment_id, court, CAST(judgment_date AS DATE),
       instance, appeal_of, decision, CAST(final_date AS DATE), ` + recordExpr + `, national_number, surname,
       given_names, strftime(birth_date, '%Y-%m-%d'), sex, citizenship, offence, CAST(offence_date AS DATE),
       CAST(victims AS BIGINT), sentence_type, suspended`

// readBatchLine reads row i of a batch query's result. The columns of codes (source system,
// court, instance, decision, sex, citizenship, offence, sentence) take their strings from codes.
func readBatchLine(c col, i int, records []personRecord, codes interner) (line, error) {
	l := line{recordID: c.str(0, i), system: codes.str(c, 1, i), judgmentID: c.str(2, i), court: codes.str(c, 3, i),
		judgmentDate: c.date(4, i), instance: codes.str(c, 5, i), decision: codes.str(c, 7, i), finalDate: c.date(8, i),
		surname: c.str(11, i), given: c.str(12, i), birthDate: c.str(13, i), sex: codes.str(c, 14, i),
		citizenship: codes.str(c, 15, i), offence: codes.str(c, 16, i), offenceDate: c.date(17, i),
		sentenceType: codes.str(c, 19, i), suspended: codes.str(c, 20, i), stands: true, notice: -1}
	l.jnorm = JudgmentNumber(l.judgmentID)
	l.appealNorm = JudgmentNumber(c.raw(6, i))
	if nn := c.raw(10, i); len(nn) == 11 {
		l.nn = clone(nn)
	}
	if v, ok := c.int64(18, i); ok {
		l.victims = sql.NullInt64{Int64: v, Valid: true}
	}
	r, ok := recordIndex(records, c.raw(9, i))
	if !ok {
		return l, fmt.Errorf("dedup: line %s names person record %s, which was not read; was mach_current changed during the run?", l.recordID, c.raw(9, i))
	}
	l.record = r
	return l, nil
}

// readDecisions reads the analysts' decisions, in the order they were taken.
func readDecisions(ctx context.Context, conn *sql.Conn) ([]linkage.Decision, error) {
	ds, err := queryDecisions(ctx, conn, `SELECT a, b, match FROM review_decision ORDER BY decided_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("reading review decisions: %w", err)
	}
	return ds, nil
}

// queryDecisions runs a query of (a, b, match) rows and returns them as decisions, in its order.
func queryDecisions(ctx context.Context, conn *sql.Conn, q string) ([]linkage.Decision, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []linkage.Decision
	for rows.Next() {
		var d linkage.Decision
		if err := rows.Scan(&d.A, &d.B, &d.Match); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// interner shares one copy of each value of columns whose values repeat on many lines, such as
// codes: at ten million lines a copy per line was some 90 million small allocations.
type interner map[string]string

// maxInterned bounds an interner, for columns that turn out to hold many different values.
const maxInterned = 1 << 16

// str returns column ci of row i as str does, sharing the copy of a value seen before.
func (in interner) str(c col, ci, i int) string {
	v := c.raw(ci, i)
	if v == "" {
		return ""
	}
	if s, ok := in[v]; ok {
		return s
	}
	s := strings.Clone(v)
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}

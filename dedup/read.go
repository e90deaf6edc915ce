package dedup

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// line is one offence line of mach_current, with what D2 to D5 made of it.
type line struct {
	recordID, system, judgmentID, jnorm, court string
	judgmentDate                               time.Time
	instance, appealNorm, decision             string
	finalDate                                  time.Time // zero: not final yet
	personID, nn, surname, given               string
	birthDate, birthPlace, sex, citizenship    string
	offence                                    string
	offenceDate                                time.Time
	victims                                    sql.NullInt64
	sentenceType, suspended                    string

	stands     bool   // false: merged by D2
	mergedInto string // D2: the MACH line standing for it
	record     int    // D5: index of its person record
	notice     int    // D3: index of its notice (-1: none)
}

func readLines(ctx context.Context, conn *sql.Conn) ([]line, error) {
	rows, err := conn.QueryContext(ctx, `
SELECT record_id, coalesce(source_system, 'MACH'), judgment_id, court, judgment_date, instance,
       appeal_of, decision, final_date, person_id, national_number, surname, given_names,
       strftime(birth_date, '%Y-%m-%d'), birth_place, sex, citizenship, offence, offence_date,
       victims, sentence_type, suspended
FROM mach_current ORDER BY record_id`)
	if err != nil {
		return nil, fmt.Errorf("reading mach_current (has rule D1 run?): %w", err)
	}
	defer rows.Close()
	var out []line
	for rows.Next() {
		var l line
		var appealOf, nn, given, bd, bp, sex, cit, st, susp sql.NullString
		var final, od sql.NullTime
		if err := rows.Scan(&l.recordID, &l.system, &l.judgmentID, &l.court, &l.judgmentDate, &l.instance,
			&appealOf, &l.decision, &final, &l.personID, &nn, &l.surname, &given, &bd, &bp, &sex, &cit,
			&l.offence, &od, &l.victims, &st, &susp); err != nil {
			return nil, fmt.Errorf("reading mach_current: %w", err)
		}
		l.jnorm = JudgmentNumber(l.judgmentID)
		l.appealNorm = JudgmentNumber(appealOf.String)
		l.finalDate, l.offenceDate = final.Time, od.Time
		if len(nn.String) == 11 {
			l.nn = nn.String
		}
		l.given, l.birthDate, l.birthPlace = given.String, bd.String, bp.String
		l.sex, l.citizenship, l.sentenceType, l.suspended = sex.String, cit.String, st.String, susp.String
		l.stands, l.notice = true, -1
		out = append(out, l)
		if len(out)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out, rows.Err()
}

func readPreviousKeys(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT person_record, person_key FROM person_record`)
	if err != nil {
		return nil, fmt.Errorf("reading previous person keys: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, k string
		if err := rows.Scan(&r, &k); err != nil {
			return nil, err
		}
		out[r] = k
	}
	return out, rows.Err()
}

func readDecisions(ctx context.Context, conn *sql.Conn) ([]linkage.Decision, error) {
	rows, err := conn.QueryContext(ctx, `SELECT a, b, match FROM review_decision ORDER BY decided_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("reading review decisions: %w", err)
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

package dedup

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ReviewPair is a pair of person records the linkage could not decide (score between the review
// and match thresholds), with what an analyst needs to decide it.
type ReviewPair struct {
	A, B     string  // person record IDs (source_system:person_id)
	Score    float64 // log2 odds of being one person
	Note     string  // why a link was refused, if it was
	Decision string  // "match", "nonmatch", or "" while undecided
	A1, B1   RecordView
}

// RecordView is the identity of a person record as linked.
type RecordView struct {
	PersonKey, NationalNumber, Surname, GivenNames, BirthDate, BirthPlace, Sex, Citizenship string
	Lines                                                                                   int
}

// ListReview returns the review list of the last dedup run, undecided pairs first unless all is
// set (then decided ones too), by descending score.
func ListReview(ctx context.Context, db *sql.DB, all bool) ([]ReviewPair, error) {
	if err := EnsureTables(ctx, db); err != nil {
		return nil, err
	}
	q := `
WITH last AS (
  SELECT a, b, match FROM review_decision
  QUALIFY row_number() OVER (PARTITION BY least(a, b), greatest(a, b) ORDER BY decided_at DESC, rowid DESC) = 1)
SELECT p.a, p.b, p.score, coalesce(p.note, ''),
       CASE WHEN d.match THEN 'match' WHEN NOT d.match THEN 'nonmatch' ELSE '' END,
       ra.person_key, coalesce(ra.national_number, ''), coalesce(ra.surname, ''), coalesce(ra.given_names, ''),
       coalesce(ra.birth_date, ''), coalesce(ra.birth_place, ''), coalesce(ra.sex, ''), coalesce(ra.citizenship, ''), ra.lines,
       rb.person_key, coalesce(rb.national_number, ''), coalesce(rb.surname, ''), coalesce(rb.given_names, ''),
       coalesce(rb.birth_date, ''), coalesce(rb.birth_place, ''), coalesce(rb.sex, ''), coalesce(rb.citizenship, ''), rb.lines
FROM review_pair p
JOIN person_record ra ON ra.person_record = p.a
JOIN person_record rb ON rb.person_record = p.b
LEFT JOIN last d ON least(d.a, d.b) = least(p.a, p.b) AND greatest(d.a, d.b) = greatest(p.a, p.b)
WHERE ? OR d.match IS NULL
ORDER BY d.match IS NOT NULL, p.score DESC, p.a, p.b`
	rows, err := db.QueryContext(ctx, q, all)
	if err != nil {
		return nil, fmt.Errorf("reading the review list: %w", err)
	}
	defer rows.Close()
	var out []ReviewPair
	for rows.Next() {
		var p ReviewPair
		a, b := &p.A1, &p.B1
		if err := rows.Scan(&p.A, &p.B, &p.Score, &p.Note, &p.Decision,
			&a.PersonKey, &a.NationalNumber, &a.Surname, &a.GivenNames, &a.BirthDate, &a.BirthPlace, &a.Sex, &a.Citizenship, &a.Lines,
			&b.PersonKey, &b.NationalNumber, &b.Surname, &b.GivenNames, &b.BirthDate, &b.BirthPlace, &b.Sex, &b.Citizenship, &b.Lines); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Decision is an analyst's decision on a pair of person records.
type Decision struct {
	A, B  string // person record IDs, in either order
	Match bool
	By    string // who decided
	Note  string
}

// RecordDecisions stores analysts' decisions. They take effect at the next dedup run and in
// every run after it; a later decision on the same pair replaces an earlier one. A decision
// naming a person record the store does not know is refused, and nothing is stored.
func RecordDecisions(ctx context.Context, db *sql.DB, ds []Decision) error {
	if err := EnsureTables(ctx, db); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	for i, d := range ds {
		if d.A == "" || d.B == "" || d.A == d.B {
			return fmt.Errorf("decision %d: a pair needs two different person records, got %q and %q", i+1, d.A, d.B)
		}
		for _, id := range []string{d.A, d.B} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM person_record WHERE person_record = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("decision %d: person record %q is not in the store (ids look like MACH:12345 or LEGACY:A-77; see canvas review list)", i+1, id)
			}
		}
		// the same timestamp for a batch: rowid keeps their order
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_decision VALUES (?, ?, ?, ?, ?, ?)`,
			min(d.A, d.B), max(d.A, d.B), d.Match, nullable(d.By), now, nullable(d.Note)); err != nil {
			return fmt.Errorf("storing decision %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ParseVerdict reads an analyst's verdict: match (match, yes, y, same, 1, true) or not a match
// (nonmatch, no-match, not-a-match, no, n, different, 0, false).
func ParseVerdict(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "match", "yes", "y", "same", "1", "true", "oui", "ja":
		return true, nil
	case "nonmatch", "non-match", "no-match", "nomatch", "not-a-match", "not a match", "no", "n", "different", "0", "false", "non", "nee":
		return false, nil
	}
	return false, fmt.Errorf("verdict %q: write match or nonmatch", s)
}

// ReadDecisionsCSV reads decisions from a CSV with a header naming the columns a, b and decision
// (match or nonmatch), and optionally note and by. The delimiter is ',' or ';'.
func ReadDecisionsCSV(r io.Reader, name string) ([]Decision, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	first, _, _ := strings.Cut(text, "\n")
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header line: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"a", "b", "decision"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: the header must name the columns a, b and decision (found %s)", name, strings.Join(head, ", "))
		}
	}
	get := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Decision
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		a, b := get(rec, "a"), get(rec, "b")
		if a == "" || b == "" {
			return nil, fmt.Errorf("%s line %d: a decision names two person records in columns a and b (as canvas review list shows them)", name, line)
		}
		if a == b {
			return nil, fmt.Errorf("%s line %d: columns a and b name the same record %q", name, line, a)
		}
		m, err := ParseVerdict(get(rec, "decision"))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, Decision{A: a, B: b, Match: m, Note: get(rec, "note"), By: get(rec, "by")})
	}
	return out, nil
}

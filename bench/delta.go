package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// NightlyDelta writes a MACH delivery of about share of the store's standing conviction lines,
// as a night brings them: new versions that correct a person's given names or a decision's
// final date, cancellations, new lines of existing persons (in a new judgment) and new records of
// existing persons (their own new person_id: the linkage must join them). The lines are drawn
// by a hash of their record ID, so the same store gives the same delta. The store must be closed.
func NightlyDelta(ctx context.Context, restricted, out string, share float64) (int64, error) {
	db, err := sql.Open("duckdb", restricted+"?access_mode=READ_ONLY")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var cols []string
	for _, c := range schema.Mach().Columns {
		cols = append(cols, c.Name)
	}
	// every draw is a slice of [0, 1) of the hash of the record ID, per kind of change
	per := share / 5
	slice := func(k int) string {
		return fmt.Sprintf("(hash(record_id || 'night') %% 1000000) / 1e6 BETWEEN %f AND %f", float64(k)*per, float64(k+1)*per)
	}
	sel := func(repl map[string]string) string {
		var b []string
		for _, c := range cols {
			if v, ok := repl[c]; ok {
				b = append(b, v+" AS "+c)
			} else {
				b = append(b, c)
			}
		}
		return strings.Join(b, ", ")
	}
	next := "record_version + 1"
	q := fmt.Sprintf(`COPY (
		SELECT %s FROM mach_current WHERE %s
		UNION ALL SELECT %s FROM mach_current WHERE %s
		UNION ALL SELECT %s FROM mach_current WHERE %s
		UNION ALL SELECT %s FROM mach_current WHERE %s
		UNION ALL SELECT %s FROM mach_current WHERE %s
	) TO '%s' (HEADER, DELIMITER ',')`,
		sel(map[string]string{"record_version": next, "given_names": "coalesce(given_names, '') || 'E'"}), slice(0),
		sel(map[string]string{"record_version": next, "final_date": "CAST(coalesce(final_date, judgment_date) + INTERVAL 30 DAY AS DATE)"}), slice(1),
		sel(map[string]string{"record_version": next, "record_status": "'CANCELLED'"}), slice(2),
		sel(map[string]string{"record_id": "'N' || record_id", "record_version": "1", "judgment_id": "judgment_id || '-N'",
			"appeal_of": "NULL", "instance": "'FIRST'"}), slice(3),
		sel(map[string]string{"record_id": "'R' || record_id", "record_version": "1", "person_id": "person_id || '-N'"}), slice(4),
		strings.ReplaceAll(out, "'", "''"))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return 0, fmt.Errorf("writing the nightly delta: %w", err)
	}
	var n int64
	err = db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM read_csv('%s', header=true, all_varchar=true)`,
		strings.ReplaceAll(out, "'", "''"))).Scan(&n)
	return n, err
}

// Checksum returns a digest of the restricted store's resolved tables and linkage state: two
// stores with the same digest hold the same rows. The store must be closed.
func Checksum(ctx context.Context, restricted string) (string, error) {
	db, err := sql.Open("duckdb", restricted+"?access_mode=READ_ONLY")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var parts []string
	for _, t := range []string{"conviction_line", "conviction_notice", "conviction_chain", "conviction_offence",
		"conviction_person", "person_record", "person_link", "dedup_trace", "review_pair", "dedup_stats", "link_key", "link_edge"} {
		var n int64
		var h sql.NullString
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), CAST(sum(hash(t)) AS VARCHAR) FROM %s t`, t)).Scan(&n, &h); err != nil {
			return "", fmt.Errorf("checksum of %s: %w", t, err)
		}
		parts = append(parts, fmt.Sprintf("%s %d %s", t, n, h.String))
	}
	return strings.Join(parts, "; "), nil
}

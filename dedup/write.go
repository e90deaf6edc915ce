package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// runTables are the tables every run rewrites.
func runTables() []string {
	return []string{"conviction_line", "conviction_notice", "conviction_chain", "conviction_offence",
		"conviction_person", "person_record", "person_link", "dedup_trace", "review_pair", "dedup_stats"}
}

// stageSQL creates the run's staging tables: the resolved tables as the batches make them, with
// each person named by its cluster (the smallest person record ID of its linkage cluster, after
// D4's merges). Person keys are given once every batch is done (assignKeysSQL), and the resolved
// tables are made from these. They are temporary tables (never written to the database file),
// created and dropped inside the run's transaction.
const stageSQL = `
CREATE TEMP TABLE _dedup_line (record_id VARCHAR, source_system VARCHAR, judgment_norm VARCHAR, appeal_norm VARCHAR, stands BOOLEAN,
  merged_into VARCHAR, person_record VARCHAR, cluster VARCHAR, notice_id VARCHAR, chain_id VARCHAR);
CREATE TEMP TABLE _dedup_notice (notice_id VARCHAR, cluster VARCHAR, court VARCHAR, judgment_norm VARCHAR,
  judgment_id VARCHAR, judgment_date DATE, instance VARCHAR, appeal_of_norm VARCHAR, decision VARCHAR,
  final_date DATE, lines BIGINT, chain_id VARCHAR, reviews_notice VARCHAR, link_rule VARCHAR, link_score DOUBLE);
CREATE TEMP TABLE _dedup_chain (chain_id VARCHAR, cluster VARCHAR, notices BIGINT, first_court VARCHAR,
  last_notice VARCHAR, last_court VARCHAR, last_instance VARCHAR, decision VARCHAR, judgment_date DATE,
  final_date DATE, first_judgment_date DATE, offence_date DATE, orphan_appeal BOOLEAN, convicted BOOLEAN);
CREATE TEMP TABLE _dedup_person (cluster VARCHAR, sex VARCHAR, birth_date DATE, citizenship VARCHAR,
  person_records BIGINT, lines BIGINT);
CREATE TEMP TABLE _dedup_record (person_record VARCHAR, cluster VARCHAR, national_number VARCHAR, surname VARCHAR,
  given_names VARCHAR, birth_date VARCHAR, birth_place VARCHAR, sex VARCHAR, citizenship VARCHAR,
  lines BIGINT, rule VARCHAR, score DOUBLE, link_cluster VARCHAR, component VARCHAR, exact_key VARCHAR, exact_rep VARCHAR);
`

var stageTables = []string{"_dedup_line", "_dedup_notice", "_dedup_chain", "_dedup_person", "_dedup_record", "_dedup_key",
	"_dedup_batch", "_dedup_cluster", "_dedup_changed", "_dedup_region", "_dedup_jkey", "_dedup_old", "_dedup_seed",
	"_dedup_ids", "_dedup_bkeys", "_dedup_xkey", "_dedup_reps", "_dedup_lregion", "_dedup_xrec", "_dedup_dnow", "_dedup_dchanged",
	"_dedup_touched"}

// assignKeysSQL gives every cluster its person key, stable across runs while its records stay
// together (the rule of linkage.AssignKeys, in SQL so that no map of every record is held in
// memory): a cluster keeps the previous key held by most of its records (ties: the smallest
// key); a key goes to one cluster only, the one with most records holding it (ties: the smallest
// cluster); the other clusters get new keys numbered on from the largest previous one, in cluster
// order. It reads the previous run's person_record table, so it runs before that is replaced.
const assignKeysSQL = `
CREATE TEMP TABLE _dedup_key AS
WITH prev AS (
  SELECT person_record, person_key FROM person_record WHERE person_key <> ''),
counts AS (
  SELECT s.cluster, p.person_key, count(*) AS n
  FROM _dedup_record s JOIN prev p USING (person_record) GROUP BY ALL),
claim AS (
  SELECT cluster, first(person_key ORDER BY n DESC, person_key) AS person_key, max(n) AS holders
  FROM counts GROUP BY cluster),
won AS (
  SELECT cluster, person_key FROM claim
  QUALIFY row_number() OVER (PARTITION BY person_key ORDER BY holders DESC, cluster) = 1),
top AS (
  SELECT coalesce(max(TRY_CAST(regexp_extract(person_key, '^P([0-9]+)', 1) AS BIGINT)), 0) AS n FROM prev),
clusters AS (SELECT DISTINCT cluster FROM _dedup_record)
SELECT c.cluster, coalesce(w.person_key,
  printf('P%08d', (SELECT n FROM top) + row_number() OVER (PARTITION BY w.person_key IS NULL ORDER BY c.cluster))) AS person_key
FROM clusters c LEFT JOIN won w USING (cluster);
`

// finalSQL makes the resolved tables from the staging tables and the keys.
const finalSQL = `
INSERT INTO person_record
SELECT r.person_record, k.person_key, r.national_number, r.surname, r.given_names, r.birth_date, r.birth_place,
       r.sex, r.citizenship, r.lines, r.rule, r.score, r.link_cluster, r.component, r.exact_key, r.exact_rep
FROM _dedup_record r JOIN _dedup_key k USING (cluster);
INSERT INTO conviction_line
SELECT l.record_id, l.source_system, l.judgment_norm, l.appeal_norm, l.stands, l.merged_into, l.person_record, k.person_key,
       l.notice_id, l.chain_id
FROM _dedup_line l JOIN _dedup_key k USING (cluster);
INSERT INTO conviction_notice
SELECT n.notice_id, k.person_key, n.court, n.judgment_norm, n.judgment_id, n.judgment_date, n.instance,
       n.appeal_of_norm, n.decision, n.final_date, n.lines, n.chain_id, n.reviews_notice, n.link_rule, n.link_score
FROM _dedup_notice n JOIN _dedup_key k USING (cluster);
INSERT INTO conviction_chain
SELECT c.chain_id, k.person_key, c.notices, c.first_court, coalesce(d.district, '_U'), c.last_notice, c.last_court,
       c.last_instance, c.decision, c.judgment_date, c.final_date, c.first_judgment_date, c.offence_date,
       c.orphan_appeal, c.convicted
FROM _dedup_chain c JOIN _dedup_key k USING (cluster)
LEFT JOIN (SELECT c.code, min(d.code) AS district FROM code_courts c JOIN code_districts d ON d.code = c.area
           GROUP BY c.code) d ON d.code = c.first_court;
INSERT INTO conviction_person
SELECT k.person_key, p.sex, p.birth_date, p.citizenship, p.person_records, p.lines
FROM _dedup_person p JOIN _dedup_key k USING (cluster);
INSERT INTO person_link
SELECT l.record_id, k.person_key, l.person_record, r.rule, r.score
FROM _dedup_line l JOIN _dedup_key k USING (cluster) JOIN _dedup_record r ON r.person_record = l.person_record;
UPDATE review_pair SET decided = true FROM review_decision d
WHERE (d.a = review_pair.a AND d.b = review_pair.b) OR (d.a = review_pair.b AND d.b = review_pair.a);
`

// begin starts the run's transaction: it empties the resolved tables (all but person_record,
// whose keys the run reads back at the end) and creates the staging tables.
func begin(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	// dropping and creating again is much faster in DuckDB than deleting every row
	for _, t := range append(runTables(), stageTables...) {
		if t == "person_record" {
			continue
		}
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return fmt.Errorf("clearing %s: %w", t, err)
		}
	}
	if err := EnsureTables(ctx, conn); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, stageSQL); err != nil {
		return fmt.Errorf("dedup: staging tables: %w", err)
	}
	return nil
}

// finish gives the person keys, makes the resolved tables from the staging tables (all of them,
// or in an incremental run the region's rows) and writes the counts, inside the run's
// transaction.
func finish(ctx context.Context, conn *sql.Conn, incremental bool, steps map[string]float64) (Stats, error) {
	t := time.Now()
	if _, err := conn.ExecContext(ctx, assignKeysSQL); err != nil {
		return Stats{}, fmt.Errorf("dedup: person keys: %w", err)
	}
	steps["keys (included)"] = time.Since(t).Seconds()
	if incremental {
		if _, err := conn.ExecContext(ctx, `DELETE FROM person_record WHERE person_record IN (SELECT person_record FROM _dedup_region)`); err != nil {
			return Stats{}, err
		}
	} else {
		// dropping and creating again is much faster in DuckDB than deleting every row
		if _, err := conn.ExecContext(ctx, "DROP TABLE person_record"); err != nil {
			return Stats{}, err
		}
		if err := EnsureTables(ctx, conn); err != nil {
			return Stats{}, err
		}
	}
	for _, q := range strings.Split(finalSQL, ";") {
		if strings.TrimSpace(q) == "" {
			continue
		}
		t := time.Now()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return Stats{}, fmt.Errorf("dedup: resolved tables: %w", err)
		}
		f := strings.Fields(q)
		steps["table "+f[2]+" (included)"] += time.Since(t).Seconds()
	}
	st, err := tableStats(ctx, conn)
	if err != nil {
		return st, err
	}
	counts := [][2]any{{"lines", st.Lines}, {"d2_merged", st.D2Merged}, {"person_records", st.PersonRecords},
		{"persons", st.Persons}, {"d5_merged", st.D5Merged}, {"review_pairs", st.ReviewPairs}, {"notices", st.Notices},
		{"d3_merged", st.D3Merged}, {"chains", st.Chains}, {"d4_merged", st.D4Merged}, {"orphan_appeals", st.OrphanAppeals},
		{"d4_person_merges", st.D4PersonMerges}, {"convictions", st.Convictions}, {"offence_lines", st.OffenceLines}}
	if err := appendRows(ctx, conn, "dedup_stats", len(counts), func(i int) []driver.Value {
		return []driver.Value{counts[i][0].(string), int64(counts[i][1].(int))}
	}); err != nil {
		return st, err
	}
	return st, nil
}

// dropStaging drops the run's temporary tables.
func dropStaging(ctx context.Context, conn *sql.Conn) error {
	for _, t := range stageTables {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return err
		}
	}
	return nil
}

func str(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// writeLinkage writes what D5 found: its trace and the review list.
func (w *world) writeLinkage(ctx context.Context, conn *sql.Conn) error {
	if err := w.writeTrace(ctx, conn, false); err != nil {
		return err
	}
	var review []int
	for i, p := range w.pairs {
		if p.Status == "review" {
			review = append(review, i)
		}
	}
	return appendRows(ctx, conn, "review_pair", len(review), func(i int) []driver.Value {
		p := &w.pairs[review[i]]
		return []driver.Value{p.A, p.B, p.Score, str(p.Note), false}
	})
}

// writeTrace takes the trace rows made so far and writes those taken in whole row groups (see
// wholeRowGroups), all of them when final, keeping the rest for the next call.
func (w *world) writeTrace(ctx context.Context, conn *sql.Conn, final bool) error {
	w.traceOut = append(w.traceOut, w.trace...)
	w.trace = w.trace[:0]
	var err error
	w.traceOut, err = appendWhole(w.putter(ctx, conn), "dedup_trace", w.traceOut, final, func(t *traceRow, rw *rowWriter) {
		rw.str(t.rule)
		rw.str(t.kind)
		rw.str(t.a)
		rw.strOrNull(t.b)
		rw.scoreOrNull(t.score, t.hasScore)
		rw.strOrNull(t.status)
		rw.strOrNull(t.detail)
	})
	// the linkage's trace (millions of rows at ten million lines) leaves both slices much larger
	// than a batch needs: let it go
	if cap(w.trace) > 4*flushRows {
		w.trace = nil
	}
	if cap(w.traceOut) > 4*flushRows {
		w.traceOut = slices.Clone(w.traceOut)
	}
	return err
}

// writeOffences writes the offence convictions made so far in whole row groups, all of them when
// final, keeping the rest for the next call.
func (w *world) writeOffences(ctx context.Context, conn *sql.Conn, final bool) error {
	var err error
	w.offences, err = appendWhole(w.putter(ctx, conn), "conviction_offence", w.offences, final, func(o *offenceRow, rw *rowWriter) {
		rw.str(o.chain)
		rw.str(o.oc.offence)
		rw.int64(int64(o.oc.lines))
		if o.oc.hasVictims {
			rw.int64(o.oc.victims)
		} else {
			rw.null()
		}
		rw.bool(o.oc.prisonUnsuspended)
	})
	return err
}

// flushRows writes the trace rows and offence convictions the batches left.
func (w *world) flushRows(ctx context.Context, conn *sql.Conn) error {
	if err := w.writeTrace(ctx, conn, true); err != nil {
		return err
	}
	return w.writeOffences(ctx, conn, true)
}

// rowGroupRows is the number of rows in a full row group of DuckDB's tables, and flushRows the
// unit wholeRowGroups writes in (a variable for the tests).
const rowGroupRows = 122_880

var flushRows = rowGroupRows

// wholeRowGroups returns how many of n rows, to be appended to a table of the database file, to
// write now: a whole number of row groups, or all n when final. A full run appends the trace and
// the offence convictions batch by batch, and DuckDB starts each INSERT's rows in a new row group,
// so that a batch's rows left the table with a partly filled row group per batch; the checkpoint
// of the next night, which deletes rows here and there, then merged and rewrote most of those
// tables (at 10 million lines, 79 of dedup_trace's 84 row groups). Appends of whole row groups
// leave one partly filled row group, the last.
func wholeRowGroups(n int, final bool) int {
	if final {
		return n
	}
	return n - n%flushRows
}

// putRows appends n rows to a table (parquetRows on a connection, or a stager's rows); it does
// not call row after it returns.
type putRows func(table string, n int, row rowFunc) error

// appendWhole appends to table the rows of buf in whole row groups (see wholeRowGroups), all of
// them when final, and returns the rest, moved to the front of buf.
func appendWhole[T any](put putRows, table string, buf []T, final bool, row func(*T, *rowWriter)) ([]T, error) {
	n := wholeRowGroups(len(buf), final)
	err := put(table, n, func(i int, rw *rowWriter) { row(&buf[i], rw) })
	return buf[:copy(buf, buf[n:])], err
}

// writeBatch writes what D2 to D4 made of the batch's lines into the staging tables, and the
// batch's trace, and counts its persons.
func (w *world) writeBatch(ctx context.Context, conn *sql.Conn) error {
	var recs []int
	for i := range w.lines {
		recs = append(recs, w.lines[i].record)
	}
	slices.Sort(recs)
	recs = slices.Compact(recs)
	cluster := make(map[int]string, len(recs))
	for _, r := range recs {
		cluster[r] = w.clusterOf(r)
	}
	if err := w.appendRows(ctx, conn, "_dedup_line", len(w.lines), func(i int, rw *rowWriter) {
		l := &w.lines[i]
		rw.str(l.recordID)
		rw.str(l.system)
		rw.str(l.jnorm)
		rw.strOrNull(l.appealNorm)
		rw.bool(l.stands)
		rw.strOrNull(l.mergedInto)
		rw.str(w.records[l.record].rec.ID)
		rw.str(cluster[l.record])
		if l.notice >= 0 {
			rw.str(w.notices[l.notice].id)
			rw.str(w.chains[w.notices[l.notice].chain].id)
		} else {
			rw.null()
			rw.null()
		}
	}); err != nil {
		return err
	}
	if err := w.appendRows(ctx, conn, "_dedup_notice", len(w.notices), func(n int, rw *rowWriter) {
		nt := &w.notices[n]
		rw.str(nt.id)
		rw.str(cluster[nt.record])
		rw.str(nt.court)
		rw.str(nt.jnorm)
		rw.str(nt.judgmentID)
		rw.day(nt.judgmentDate)
		rw.str(nt.instance)
		rw.strOrNull(nt.appealNorm)
		rw.str(nt.decision)
		rw.date(nt.finalDate)
		rw.int64(int64(len(nt.lines)))
		rw.str(w.chains[nt.chain].id)
		if nt.reviews >= 0 {
			rw.str(w.notices[nt.reviews].id)
		} else {
			rw.null()
		}
		rw.strOrNull(nt.linkRule)
		rw.scoreOrNull(nt.linkScore, nt.linkRule != "" && nt.linkRule != "ORPHAN")
	}); err != nil {
		return err
	}
	if err := w.appendRows(ctx, conn, "_dedup_chain", len(w.chains), func(c int, rw *rowWriter) {
		ch := &w.chains[c]
		last := &w.notices[ch.last]
		rw.str(ch.id)
		rw.str(cluster[last.record])
		rw.int64(int64(len(ch.notices)))
		if ch.firstFrom >= 0 {
			rw.str(w.notices[ch.firstFrom].court)
		} else {
			rw.null()
		}
		rw.str(last.id)
		rw.str(last.court)
		rw.str(last.instance)
		rw.str(last.decision)
		rw.day(last.judgmentDate)
		rw.date(last.finalDate)
		rw.day(ch.firstDate)
		rw.date(ch.offDate)
		rw.bool(ch.orphan)
		rw.bool(last.decision == "CONVICTION")
	}); err != nil {
		return err
	}
	for _, ch := range w.chains {
		for _, oc := range ch.offences {
			w.offences = append(w.offences, offenceRow{ch.id, oc})
		}
	}
	if err := w.writeOffences(ctx, conn, false); err != nil {
		return err
	}
	persons := w.persons(recs, cluster)
	w.stats.Persons += len(persons)
	if err := w.appendRows(ctx, conn, "_dedup_person", len(persons), func(i int, rw *rowWriter) {
		p := &persons[i]
		rw.str(p.key)
		rw.strOrNull(p.sex)
		if t, err := time.Parse(time.DateOnly, p.birthDate); err == nil {
			rw.day(t)
		} else {
			rw.null()
		}
		rw.strOrNull(p.citizenship)
		rw.int64(int64(p.records))
		rw.int64(int64(p.lines))
	}); err != nil {
		return err
	}
	if err := w.appendRows(ctx, conn, "_dedup_record", len(recs), func(i int, rw *rowWriter) {
		pr := &w.records[recs[i]]
		r := &pr.rec
		rule := pr.rule
		if !pr.hasScore {
			rule = "SINGLE"
		}
		rw.str(r.ID)
		rw.str(cluster[recs[i]])
		rw.strOrNull(r.NationalNumber)
		rw.strOrNull(r.Surname)
		rw.strOrNull(r.GivenNames)
		rw.strOrNull(r.BirthDate)
		rw.strOrNull(r.BirthPlace)
		rw.strOrNull(r.Sex)
		rw.strOrNull(r.Citizenship)
		rw.int64(int64(pr.lines))
		rw.str(rule)
		rw.scoreOrNull(pr.score, pr.hasScore)
		rw.str(pr.clusterID)
		rw.str(pr.component)
		rw.strOrNull(exactKey(r))
		rw.str(pr.exactRep)
	}); err != nil {
		return err
	}
	return w.writeTrace(ctx, conn, false)
}

// personAttrs are a person's breakdown attributes: the most frequent valid value over the
// person's conviction notices (each notice votes once, with its lines' most frequent value).
type personAttrs struct {
	key, sex, birthDate, citizenship string
	records, lines                   int
}

// persons tallies the batch's persons, named by cluster.
func (w *world) persons(recs []int, cluster map[int]string) []personAttrs {
	type tally struct {
		sex, bd, cit []string
		lines        int
	}
	t := map[string]*tally{}
	records := map[string]int{}
	for _, r := range recs {
		k := cluster[r]
		records[k]++
		t[k] = &tally{}
	}
	for n := range w.notices {
		nt := &w.notices[n]
		tl := t[cluster[nt.record]]
		tl.lines += len(nt.lines)
		vote := func(dst *[]string, get func(*line) string) {
			if v := modal(nt.lines, func(i int) string { return get(&w.lines[i]) }, false); v != "" {
				*dst = append(*dst, v)
			}
		}
		vote(&tl.sex, func(l *line) string {
			if l.sex == "M" || l.sex == "F" {
				return l.sex
			}
			return ""
		})
		vote(&tl.bd, func(l *line) string { return l.birthDate })
		vote(&tl.cit, func(l *line) string { return l.citizenship })
	}
	var out []personAttrs
	for _, k := range sortedKeys(records) {
		tl := t[k]
		pick := func(vs []string) string {
			return modal(seq(len(vs)), func(i int) string { return vs[i] }, false)
		}
		out = append(out, personAttrs{key: k, records: records[k], lines: tl.lines,
			sex: pick(tl.sex), birthDate: pick(tl.bd), citizenship: pick(tl.cit)})
	}
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// appendRows writes n rows into table through a Parquet file in the run's temporary folder,
// through the run's stager while D2-D4 run.
func (w *world) appendRows(ctx context.Context, conn *sql.Conn, table string, n int, row rowFunc) error {
	if w.stage != nil {
		return w.stage.rows(table, n, row)
	}
	return parquetRows(ctx, conn, w.dir, table, n, row)
}

// putter is appendRows as a putRows.
func (w *world) putter(ctx context.Context, conn *sql.Conn) putRows {
	return func(table string, n int, row rowFunc) error {
		return w.appendRows(ctx, conn, table, n, row)
	}
}

// appendRows appends n rows to table through DuckDB's appender, on conn (inside its transaction).
func appendRows(ctx context.Context, conn *sql.Conn, table string, n int, row func(i int) []driver.Value) error {
	if n == 0 {
		return nil
	}
	err := conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if i%65536 == 0 {
				if err := ctx.Err(); err != nil {
					a.Close()
					return err
				}
			}
			if err := a.AppendRow(row(i)...); err != nil {
				a.Close()
				return fmt.Errorf("row %d: %w", i+1, err)
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", table, err)
	}
	return nil
}

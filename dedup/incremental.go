package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// The marks of rule D1 in the pipeline's store_meta table (package pipeline names them
// MarkResolved and MarkPublished; a test there checks that they agree).
const (
	MarkResolved  = "resolved_through_delivery"
	MarkPublished = "published_through_delivery"
)

// Modes of a run (Stats.Mode).
const (
	ModeFull        = "full"
	ModeIncremental = "incremental"
)

// runPlan is how a run goes: in full, or incrementally from the changes rule D1 recorded in
// d1_changed after the mark the resolved tables hold.
type runPlan struct {
	full     bool
	reason   string // why full
	from     int64  // incremental: the d1_changed rows with from < resolved_through are the changes
	through  int64  // the D1 mark the run takes in (resolved_through_delivery)
	model    []byte // the stored linkage model, nil when the run estimates one
	settings string // what the results depend on besides the data (see settings)
}

// rulesVersion names the version of the rules' code: a change to what a rule does must change it,
// so that the first run of a new version recomputes every record.
const rulesVersion = "dedup-2026-11-28b" // 11-28b: rule EXACT keeps conflicting sex, citizenship, birth place apart

// settings returns what the resolved tables depend on besides the data and the model: the rules'
// version, the linkage thresholds and limits, D4's name-match minimum and the court and district
// code lists. When it differs from the previous run's, the run is full.
func settings(ctx context.Context, conn *sql.Conn, cfg linkage.Config, opts Options) (string, error) {
	cfg.Progress, cfg.Model = nil, nil
	var codes string
	err := conn.QueryRowContext(ctx, `SELECT md5(
		(SELECT coalesce(string_agg(code || '=' || coalesce(area, ''), ',' ORDER BY code), '') FROM code_courts) || ';' ||
		(SELECT coalesce(string_agg(code, ',' ORDER BY code), '') FROM code_districts))`).Scan(&codes)
	if err != nil {
		return "", fmt.Errorf("dedup: reading the court code lists: %w", err)
	}
	return fmt.Sprintf("%s; linkage %+v; D4 name match %v; codes %s", rulesVersion, cfg, opts.NameMatchMin, codes), nil
}

// planRun decides whether the run can be incremental. It can when the previous run left its
// mark (dedup_state "through") and the linkage model, and rule D1 has kept every change since:
// none of its rows past the mark says "full", and none was dropped (rows are dropped up to the
// published mark, which a canvas only moves after a dedup run).
func planRun(ctx context.Context, conn *sql.Conn, cfg linkage.Config, opts Options) (runPlan, error) {
	var p runPlan
	var err error
	if p.settings, err = settings(ctx, conn, cfg, opts); err != nil {
		return p, err
	}
	through, ok, err := metaMark(ctx, conn, MarkResolved)
	if err != nil {
		return p, err
	}
	if !ok {
		p.full, p.reason = true, "no resolve (rule D1) mark in the store"
		return p, nil
	}
	p.through = through
	if !opts.RetrainLinkage {
		if err := conn.QueryRowContext(ctx, `SELECT model FROM linkage_model`).Scan(&p.model); err != nil && err != sql.ErrNoRows {
			return p, fmt.Errorf("dedup: reading the linkage model: %w", err)
		}
	}
	full := func(reason string) (runPlan, error) {
		p.full, p.reason = true, reason
		return p, nil
	}
	switch {
	case opts.Full:
		return full("asked for (--full)")
	case opts.RetrainLinkage:
		return full("the linkage model is estimated again (--retrain-linkage)")
	case p.model == nil:
		return full("no linkage model stored yet")
	}
	var text, prevSettings sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT max(value) FILTER (key = 'through'), max(value) FILTER (key = 'settings')
		FROM dedup_state`).Scan(&text, &prevSettings); err != nil {
		return p, fmt.Errorf("dedup: reading its state: %w", err)
	}
	if !text.Valid {
		return full("no previous dedup run to build on")
	}
	if prevSettings.String != p.settings {
		return full("the rules' version, the linkage settings or the court code lists changed since the previous run")
	}
	from, err := strconv.ParseInt(text.String, 10, 64)
	if err != nil {
		return full(fmt.Sprintf("the dedup state's mark %q is not a delivery id", text.String))
	}
	if published, ok, err := metaMark(ctx, conn, MarkPublished); err != nil {
		return p, err
	} else if ok && published > from {
		return full(fmt.Sprintf("changes up to delivery %d may have been dropped since dedup took in delivery %d", published, from))
	}
	var fullRows int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM d1_changed WHERE resolved_through > ? AND change = 'full'`,
		from).Scan(&fullRows); err != nil {
		return p, fmt.Errorf("dedup: reading the changes of rule D1: %w", err)
	}
	if fullRows > 0 {
		return full("rule D1 was recomputed in full")
	}
	p.from = from
	return p, nil
}

// metaMark reads a mark of store_meta; ok is false when it is absent.
func metaMark(ctx context.Context, conn *sql.Conn, key string) (int64, bool, error) {
	var v sql.NullInt64
	err := conn.QueryRowContext(ctx, `SELECT TRY_CAST(value AS BIGINT) FROM store_meta WHERE key = ?`, key).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
		return 0, false, nil
	case err != nil && strings.Contains(err.Error(), "store_meta"):
		return 0, false, nil // a bare database (tests of this package): no marks
	case err != nil:
		return 0, false, fmt.Errorf("dedup: reading %s: %w", key, err)
	}
	return v.Int64, v.Valid, nil
}

// regionSQL starts an incremental run's region: the person records whose lines changed (before
// and after the change, _dedup_seed), and the records whose linkage cluster, or the rule and score
// that joined it, the incremental linkage changed (_dedup_cluster holds what it recomputed). D4
// may turn a SINGLE record into a D4 one, which the linkage sees as SINGLE.
const regionSQL = `
CREATE OR REPLACE TEMP TABLE _dedup_region AS
SELECT person_record FROM _dedup_seed
UNION
SELECT person_record FROM _dedup_cluster n LEFT JOIN (SELECT person_record, cluster, rule, score FROM person_record) o USING (person_record)
WHERE n.cluster IS DISTINCT FROM o.cluster
   OR n.rule IS DISTINCT FROM (CASE WHEN o.rule IN ('SINGLE', 'D4') THEN 'SINGLE' ELSE o.rule END)
   OR (n.rule <> 'SINGLE' AND n.score IS DISTINCT FROM o.score);
`

// growSQL adds to the region every record sharing an old component or a new linkage cluster with
// a record of it. It runs until it adds nothing. (A new cluster lies within what the linkage
// recomputed, so _dedup_cluster holds all its records.)
const growSQL = `
INSERT INTO _dedup_region
(SELECT person_record FROM person_record WHERE component IN
   (SELECT component FROM person_record WHERE person_record IN (SELECT person_record FROM _dedup_region))
 UNION
 SELECT person_record FROM _dedup_cluster WHERE cluster IN
   (SELECT cluster FROM _dedup_cluster WHERE person_record IN (SELECT person_record FROM _dedup_region)))
EXCEPT SELECT person_record FROM _dedup_region`

// region returns the person records an incremental run recomputes: the smallest union of whole
// components (see planBatches) that holds every change. Outside it, nothing a rule looks at
// changed, so the previous results stand. out is what the incremental linkage recomputed.
func (w *world) region(ctx context.Context, conn *sql.Conn, out map[string]linkOutcome) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_cluster (person_record VARCHAR, cluster VARCHAR,
		rule VARCHAR, score DOUBLE)`); err != nil {
		return err
	}
	ids := sortedKeys(out)
	if err := w.appendRows(ctx, conn, "_dedup_cluster", len(ids), values(func(i int) []driver.Value {
		o := out[ids[i]]
		if !o.hasScore {
			return []driver.Value{ids[i], o.cluster, "SINGLE", nil}
		}
		return []driver.Value{ids[i], o.cluster, o.rule, o.score}
	})); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, regionSQL); err != nil {
		return fmt.Errorf("dedup: incremental region: %w", err)
	}
	if err := w.judgmentNeighbours(ctx, conn); err != nil {
		return err
	}
	for {
		res, err := conn.ExecContext(ctx, growSQL)
		if err != nil {
			return fmt.Errorf("dedup: incremental region: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
	}
}

// judgmentNeighbours adds to the region the records whose lines share a normalised judgment
// number with the lines of the changed records (their own number or the one they appeal): the
// links between unchanged lines are in the old components already.
func (w *world) judgmentNeighbours(ctx context.Context, conn *sql.Conn) error {
	keys := map[string]bool{}
	q := `SELECT judgment_id, appeal_of FROM mach_current WHERE ` + recordExpr +
		` IN (SELECT person_record FROM _dedup_region) AND record_id IN (SELECT record_id FROM _dedup_changed)`
	err := export(ctx, conn, w.dir, "changed", q, func(b arrow.RecordBatch) error {
		c := col{b}
		for i := range int(b.NumRows()) {
			for f := range 2 {
				if k := JudgmentNumber(c.raw(f, i)); k != "" {
					keys[k] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dedup: judgments of the changed lines: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_jkey (jnorm VARCHAR)`); err != nil {
		return err
	}
	list := sortedKeys(keys)
	if err := w.appendRows(ctx, conn, "_dedup_jkey", len(list), func(i int, rw *rowWriter) { rw.str(list[i]) }); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO _dedup_region
		(SELECT person_record FROM conviction_line WHERE judgment_norm IN (SELECT jnorm FROM _dedup_jkey)
		                                            OR appeal_norm IN (SELECT jnorm FROM _dedup_jkey))
		EXCEPT SELECT person_record FROM _dedup_region`)
	if err != nil {
		return fmt.Errorf("dedup: judgments of the changed lines: %w", err)
	}
	return nil
}

// clearRegionSQL removes, inside the run's transaction, what the previous run made of the
// region's records, before the batches write it again: lines, notices, chains, offences,
// persons, the line and notice trace; and the D5 trace and review pairs of what the linkage
// recomputed (_dedup_lregion: pairs with an end there; _dedup_xrec: the EXACT rows of the touched
// groups). person_record stays until the keys are given (finish). One condition per DELETE: DuckDB
// makes a hash semi-join of each, where conditions joined by OR cost a mark join per subquery
// over the whole table (the trace's deletes: 2.3 s as one statement, 0.7 s as seven, at 10M).
const clearRegionSQL = `
CREATE OR REPLACE TEMP TABLE _dedup_old AS
SELECT record_id, notice_id, chain_id FROM conviction_line WHERE person_record IN (SELECT person_record FROM _dedup_region);
DELETE FROM conviction_notice WHERE notice_id IN (SELECT notice_id FROM _dedup_old);
DELETE FROM conviction_chain WHERE chain_id IN (SELECT chain_id FROM _dedup_old);
DELETE FROM conviction_offence WHERE chain_id IN (SELECT chain_id FROM _dedup_old);
DELETE FROM conviction_person WHERE person_key IN
  (SELECT person_key FROM person_record WHERE person_record IN (SELECT person_record FROM _dedup_region));
DELETE FROM person_link WHERE person_record IN (SELECT person_record FROM _dedup_region);
DELETE FROM dedup_trace WHERE rule = 'D5' AND detail NOT LIKE 'EXACT%' AND a IN (SELECT id FROM _dedup_lregion);
DELETE FROM dedup_trace WHERE rule = 'D5' AND detail NOT LIKE 'EXACT%' AND b IN (SELECT id FROM _dedup_lregion);
DELETE FROM dedup_trace WHERE rule = 'D5' AND detail LIKE 'EXACT%' AND a IN (SELECT id FROM _dedup_xrec);
DELETE FROM dedup_trace WHERE rule = 'D5' AND detail LIKE 'EXACT%' AND b IN (SELECT id FROM _dedup_xrec);
DELETE FROM dedup_trace WHERE kind = 'line' AND a IN (SELECT record_id FROM _dedup_old);
DELETE FROM dedup_trace WHERE kind = 'notice' AND a IN (SELECT notice_id FROM _dedup_old);
DELETE FROM dedup_trace WHERE rule = 'D4' AND kind = 'person_record' AND a IN (SELECT person_record FROM _dedup_region);
DELETE FROM conviction_line WHERE person_record IN (SELECT person_record FROM _dedup_region);
DELETE FROM review_pair WHERE a IN (SELECT id FROM _dedup_lregion);
DELETE FROM review_pair WHERE b IN (SELECT id FROM _dedup_lregion);
DELETE FROM dedup_stats;
`

// beginIncremental starts an incremental run's transaction: it removes the region's previous
// results and creates the staging tables.
func beginIncremental(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, stageSQL); err != nil {
		return fmt.Errorf("dedup: staging tables: %w", err)
	}
	if _, err := conn.ExecContext(ctx, clearRegionSQL); err != nil {
		return fmt.Errorf("dedup: clearing the region's previous results: %w", err)
	}
	return nil
}

// statsSQL counts what each rule did, from the resolved tables: the same whether the run was
// full or incremental.
const statsSQL = `
SELECT (SELECT count(*) FROM conviction_line),
       (SELECT count(*) FILTER (NOT stands) FROM conviction_line),
       (SELECT count(*) FILTER (stands) FROM conviction_line),
       (SELECT count(*) FROM person_record),
       (SELECT count(DISTINCT person_key) FROM person_record),
       (SELECT count(*) FROM review_pair),
       (SELECT count(*) FROM conviction_notice),
       (SELECT count(*) FROM conviction_chain),
       (SELECT count(*) FILTER (orphan_appeal) FROM conviction_chain),
       (SELECT count(*) FROM dedup_trace WHERE rule = 'D4' AND kind = 'person_record'),
       (SELECT count(*) FILTER (convicted) FROM conviction_chain),
       (SELECT coalesce(sum(lines), 0) FROM conviction_offence)`

// tableStats reads the counts of statsSQL.
func tableStats(ctx context.Context, conn *sql.Conn) (Stats, error) {
	var st Stats
	var standing int
	err := conn.QueryRowContext(ctx, statsSQL).Scan(&st.Lines, &st.D2Merged, &standing, &st.PersonRecords, &st.Persons,
		&st.ReviewPairs, &st.Notices, &st.Chains, &st.OrphanAppeals, &st.D4PersonMerges, &st.Convictions, &st.OffenceLines)
	if err != nil {
		return st, fmt.Errorf("dedup: counting: %w", err)
	}
	st.D3Merged = standing - st.Notices
	st.D4Merged = st.Notices - st.Chains
	st.D5Merged = st.PersonRecords - st.Persons
	return st, nil
}

// saveState records, inside the run's transaction, the D1 mark the resolved tables now hold and,
// when the run estimated it, the linkage model.
func saveState(ctx context.Context, conn *sql.Conn, p runPlan, model []byte, records int) error {
	if _, err := conn.ExecContext(ctx, `INSERT OR REPLACE INTO dedup_state VALUES ('through', ?), ('settings', ?)`,
		strconv.FormatInt(p.through, 10), p.settings); err != nil {
		return fmt.Errorf("dedup: recording its mark: %w", err)
	}
	if p.model != nil || model == nil {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM linkage_model`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO linkage_model VALUES (?, ?, ?)`, model, time.Now().UTC(), records); err != nil {
		return fmt.Errorf("dedup: storing the linkage model: %w", err)
	}
	return nil
}

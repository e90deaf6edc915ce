package dedup

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// seedSQL lists the person records whose lines rule D1 changed since the previous run: each
// changed line's record before the change (conviction_line) and after it (mach_current).
const seedSQL = `
CREATE OR REPLACE TEMP TABLE _dedup_changed AS
SELECT DISTINCT record_key[1] AS record_id FROM d1_changed WHERE source = 'mach' AND resolved_through > %d;
CREATE OR REPLACE TEMP TABLE _dedup_seed AS
SELECT person_record FROM conviction_line WHERE record_id IN (SELECT record_id FROM _dedup_changed)
UNION
SELECT ` + recordExpr + ` FROM mach_current WHERE record_id IN (SELECT record_id FROM _dedup_changed);
`

// stored is what the previous run recorded of a person record (person_record).
type stored struct {
	rec                         linkage.Record
	lines                       int
	rule                        string
	score                       sql.NullFloat64
	cluster, exactKey, exactRep string
	personKey                   string
}

// readStored reads the person_record rows that where (a condition on person_record) selects. A
// condition on the table's own columns costs one scan of it, where a join through a subquery of
// the same table would cost two.
func readStored(ctx context.Context, conn *sql.Conn, dir, where string) (map[string]*stored, error) {
	out := map[string]*stored{}
	q := `SELECT person_record, coalesce(national_number, ''), coalesce(surname, ''), coalesce(given_names, ''),
		coalesce(birth_date, ''), coalesce(birth_place, ''), coalesce(sex, ''), coalesce(citizenship, ''), lines, rule, score,
		cluster, coalesce(exact_key, ''), exact_rep, person_key
		FROM person_record WHERE ` + where
	err := export(ctx, conn, dir, "stored", q, func(b arrow.RecordBatch) error {
		c := col{b}
		for i := range int(b.NumRows()) {
			s := &stored{rec: linkage.Record{ID: c.str(0, i), NationalNumber: c.str(1, i), Surname: c.str(2, i),
				GivenNames: c.str(3, i), BirthDate: c.str(4, i), BirthPlace: c.str(5, i), Sex: c.str(6, i), Citizenship: c.str(7, i)},
				rule: c.str(9, i), cluster: c.str(11, i), exactKey: c.str(12, i), exactRep: c.str(13, i), personKey: c.str(14, i)}
			n, _ := c.int64(8, i)
			s.lines = int(n)
			if v, ok := c.float64(10, i); ok {
				s.score = sql.NullFloat64{Float64: v, Valid: true}
			}
			out[s.rec.ID] = s
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dedup: reading the previous person records: %w", err)
	}
	return out, nil
}

// readStoredIf is readStored when table, which names the records wanted, has rows: a night
// with no decision changed reads nothing, instead of scanning person_record for no row.
func readStoredIf(ctx context.Context, conn *sql.Conn, dir, table, where string) (map[string]*stored, error) {
	var has bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&has); err != nil {
		return nil, fmt.Errorf("dedup: reading the previous person records: %w", err)
	}
	if !has {
		return map[string]*stored{}, nil
	}
	return readStored(ctx, conn, dir, where)
}

// linkOutcome is what D5 made of a person record in this run: its cluster, and the rule and
// score that joined it (none for SINGLE and EXACT).
type linkOutcome struct {
	cluster  string
	rule     string
	score    float64
	hasScore bool
}

// relink is the incremental D5: it finds the EXACT groups that the changed records and the
// changed decisions touch, links their representatives again with linkage.Relink against the
// stored state, and returns the outcome of every person record whose linkage Relink recomputed,
// the records of the touched EXACT groups (with their group), and what the linkage saw, for its
// state. It also fills w.trace with the D5 trace of what it recomputed.
func (w *world) relink(ctx context.Context, conn *sql.Conn, plan runPlan, decisions []linkage.Decision, cfg linkage.Config) (
	map[string]linkOutcome, []personRecord, linkRun, error) {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(seedSQL, plan.from)); err != nil {
		return nil, nil, linkRun{}, fmt.Errorf("dedup: the changed records: %w", err)
	}
	// the changed records as they are now, and as the previous run had them
	now, _, err := readRecords(ctx, conn, w.dir, `SELECT person_record FROM _dedup_seed`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	before, err := readStored(ctx, conn, w.dir, `person_record IN (SELECT person_record FROM _dedup_seed)`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	// the EXACT groups they touch: their keys before and after, and the keys of the records named
	// by a decision taken or changed since the previous run
	keys := map[string]bool{}
	for i := range now {
		keys[exactKey(&now[i].rec)] = true
	}
	for _, s := range before {
		keys[s.exactKey] = true
	}
	if err := decisionChanges(ctx, conn); err != nil {
		return nil, nil, linkRun{}, err
	}
	named, err := readStoredIf(ctx, conn, w.dir, `_dedup_dchanged`, `person_record IN (SELECT unnest([a, b]) FROM _dedup_dchanged)`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	for _, s := range named {
		keys[s.exactKey] = true
	}
	delete(keys, "")
	if err := w.writeIDs(ctx, conn, "_dedup_xkey", sortedKeys(keys)); err != nil {
		return nil, nil, linkRun{}, err
	}
	members, err := readStored(ctx, conn, w.dir, `exact_key IN (SELECT id FROM _dedup_xkey)`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	// the touched groups' records now: the changed records, and the others of their keys
	var group []personRecord
	seen := map[string]bool{}
	for i := range now {
		group = append(group, now[i])
		seen[now[i].rec.ID] = true
	}
	for id, s := range members {
		if !seen[id] && before[id] == nil {
			group = append(group, personRecord{rec: s.rec, lines: s.lines})
			seen[id] = true
		}
	}
	slices.SortFunc(group, func(a, b personRecord) int { return cmp.Compare(a.rec.ID, b.rec.ID) })
	rep, groupNN := exactIdentities(group, decisions, cfg.JaroWinklerMin)
	// every decision's records, for moving decisions onto representatives
	dnamed, err := readStoredIf(ctx, conn, w.dir, `review_decision`, `person_record IN (SELECT unnest([a, b]) FROM review_decision)`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	changed, ds := linkInput(group, rep, groupNN, decisions, func(id string) (string, bool) {
		if s := dnamed[id]; s != nil && before[id] == nil {
			return s.exactRep, true
		}
		return "", false // a record gone
	})
	// the representatives the linkage saw before that are no longer
	isRep := map[string]bool{}
	for _, r := range changed {
		isRep[r.ID] = true
	}
	var removed []string
	for _, m := range []map[string]*stored{before, members} {
		for _, s := range m {
			if !isRep[s.exactRep] && !slices.Contains(removed, s.exactRep) {
				removed = append(removed, s.exactRep)
			}
		}
	}
	slices.Sort(removed)
	delta, err := linkage.Relink(ctx, storeState{conn: conn, dir: w.dir}, changed, removed, ds, cfg)
	if err != nil {
		return nil, nil, linkRun{}, fmt.Errorf("linking persons (D5, incremental): %w", err)
	}
	// what the linkage recomputed, and the records whose EXACT trace may change
	if err := w.writeIDs(ctx, conn, "_dedup_lregion", delta.Region); err != nil {
		return nil, nil, linkRun{}, err
	}
	xrec := map[string]bool{}
	for _, m := range []map[string]*stored{before, members} {
		for id, s := range m {
			xrec[id], xrec[s.exactRep] = true, true
		}
	}
	for i := range group {
		xrec[group[i].rec.ID] = true
	}
	if err := w.writeIDs(ctx, conn, "_dedup_xrec", sortedKeys(xrec)); err != nil {
		return nil, nil, linkRun{}, err
	}
	w.pairs = delta.Pairs
	// the outcome of every record of the recomputed representatives' groups
	out := map[string]linkOutcome{}
	reps := map[string]*personRecord{}
	for _, id := range delta.Region {
		if c, ok := delta.Cluster[id]; ok {
			reps[id] = &personRecord{rec: linkage.Record{ID: id}, clusterID: c}
		}
	}
	w.applyPairs(delta.Pairs, func(id string) *personRecord { return reps[id] })
	w.applyExact(group, rep)
	for i := range group {
		pr := &group[i]
		r := reps[pr.exactRep]
		if r == nil {
			return nil, nil, linkRun{}, fmt.Errorf("dedup: the linkage did not recompute the representative %s of changed record %s", pr.exactRep, pr.rec.ID)
		}
		pr.clusterID = r.clusterID
		if pr.exactRep == pr.rec.ID {
			pr.rule, pr.score, pr.hasScore = r.rule, r.score, r.hasScore
		}
		out[pr.rec.ID] = linkOutcome{cluster: pr.clusterID, rule: pr.rule, score: pr.score, hasScore: pr.hasScore}
	}
	// the other members of the recomputed representatives' (untouched) groups
	var others []string
	for id := range reps {
		if !seen[id] {
			others = append(others, id)
		}
	}
	slices.Sort(others)
	if err := w.writeIDs(ctx, conn, "_dedup_reps", others); err != nil {
		return nil, nil, linkRun{}, err
	}
	untouched, err := readStored(ctx, conn, w.dir, `exact_rep IN (SELECT id FROM _dedup_reps)`)
	if err != nil {
		return nil, nil, linkRun{}, err
	}
	for id, s := range untouched {
		r := reps[s.exactRep]
		o := linkOutcome{cluster: r.clusterID}
		if id == s.exactRep {
			o.rule, o.score, o.hasScore = r.rule, r.score, r.hasScore
		} else {
			o.rule = RuleExact
		}
		out[id] = o
	}
	touched := append(slices.Clone(removed), func() []string {
		ids := make([]string, len(changed))
		for i := range changed {
			ids[i] = changed[i].ID
		}
		return ids
	}()...)
	return out, group, linkRun{decisions: ds, delta: &delta, touched: touched}, nil
}

// writeIDs writes a list of IDs into a temporary table of one column, id.
func (w *world) writeIDs(ctx context.Context, conn *sql.Conn, table string, ids []string) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+table+` (id VARCHAR)`); err != nil {
		return err
	}
	return w.appendRows(ctx, conn, table, len(ids), func(i int, rw *rowWriter) { rw.str(ids[i]) })
}

// decisionChanges writes into _dedup_dchanged the pairs whose effective decision (the last one
// on the pair) differs from the previous run's (dedup_decision).
func decisionChanges(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_dnow AS
		SELECT least(a, b) AS a, greatest(a, b) AS b, last(match ORDER BY decided_at, rowid) AS match
		FROM review_decision GROUP BY ALL;
		CREATE OR REPLACE TEMP TABLE _dedup_dchanged AS
		SELECT a, b FROM (SELECT * FROM _dedup_dnow EXCEPT SELECT a, b, match FROM dedup_decision)
		UNION SELECT a, b FROM (SELECT a, b, match FROM dedup_decision EXCEPT SELECT * FROM _dedup_dnow)`)
	if err != nil {
		return fmt.Errorf("dedup: the decisions: %w", err)
	}
	return nil
}

// incrementalWorld makes the world of an incremental run: it links the changes (relink), finds
// the region, and reads the region's records, each with its linkage outcome: recomputed, or as
// the previous run left it. It returns the judgment components of the region's records (see
// readRecords) and what the linkage saw.
func (w *world) incrementalWorld(ctx context.Context, conn *sql.Conn, plan runPlan, decisions []linkage.Decision,
	cfg linkage.Config, mark func(string)) ([]int32, linkRun, error) {
	out, group, lr, err := w.relink(ctx, conn, plan, decisions, cfg)
	if err != nil {
		return nil, lr, err
	}
	w.model = cfg.Model
	mark("incremental region")
	if err := w.region(ctx, conn, out); err != nil {
		return nil, lr, err
	}
	mark("reading the region's person records")
	records, parent, err := readRecords(ctx, conn, w.dir, `SELECT person_record FROM _dedup_region`)
	if err != nil {
		return nil, lr, err
	}
	prev, err := readStored(ctx, conn, w.dir, `person_record IN (SELECT person_record FROM _dedup_region)`)
	if err != nil {
		return nil, lr, err
	}
	inGroup := map[string]*personRecord{}
	for i := range group {
		inGroup[group[i].rec.ID] = &group[i]
	}
	for i := range records {
		pr := &records[i]
		id := pr.rec.ID
		s := prev[id]
		if g := inGroup[id]; g != nil {
			pr.exactRep = g.exactRep
		} else if s != nil {
			pr.exactRep = s.exactRep
		} else {
			return nil, lr, fmt.Errorf("dedup: person record %s is new but the incremental linkage did not see it; run with --full and report this", id)
		}
		if o, ok := out[id]; ok {
			pr.clusterID, pr.rule, pr.score, pr.hasScore = o.cluster, o.rule, o.score, o.hasScore
			continue
		}
		pr.clusterID = s.cluster
		if s.score.Valid && s.rule != "SINGLE" && s.rule != "D4" {
			pr.rule, pr.score, pr.hasScore = s.rule, s.score.Float64, true
		}
	}
	w.records = records
	w.startClusterMerges()
	return parent, lr, nil
}

// saveLinkState brings the linkage's state up to date inside the run's transaction: in full
// after a full run, by the delta after an incremental one.
func (w *world) saveLinkState(ctx context.Context, conn *sql.Conn, lr linkRun) error {
	if lr.delta == nil {
		for _, t := range []string{"link_key", "link_edge"} {
			if _, err := conn.ExecContext(ctx, "DROP TABLE "+t); err != nil {
				return err
			}
		}
		if err := EnsureTables(ctx, conn); err != nil {
			return err
		}
		if err := writeLinkKeys(ctx, conn, w.dir, lr.recs); err != nil {
			return err
		}
		if err := writeLinkEdges(ctx, conn, w.dir, lr.edges); err != nil {
			return err
		}
	} else {
		if err := w.writeIDs(ctx, conn, "_dedup_touched", lr.touched); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM link_key WHERE record IN (SELECT id FROM _dedup_touched);
			DELETE FROM link_edge WHERE a IN (SELECT id FROM _dedup_lregion);
			DELETE FROM link_edge WHERE b IN (SELECT id FROM _dedup_lregion)`); err != nil {
			return fmt.Errorf("dedup: linkage state: %w", err)
		}
		var rows []keyRow
		for _, id := range sortedKeys(lr.delta.Keys) {
			var err error
			if rows, err = appendKeyRows(rows, id, lr.delta.Keys[id], lr.delta.SortKeys[id]); err != nil {
				return err
			}
		}
		if err := writeKeyRows(ctx, conn, w.dir, rows); err != nil {
			return err
		}
		if err := writeLinkEdges(ctx, conn, w.dir, lr.delta.Edges); err != nil {
			return err
		}
	}
	if err := writeLinkDecisions(ctx, conn, w.dir, lr.decisions); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `DELETE FROM dedup_decision;
		INSERT INTO dedup_decision SELECT least(a, b), greatest(a, b), last(match ORDER BY decided_at, rowid)
		FROM review_decision GROUP BY ALL`)
	if err != nil {
		return fmt.Errorf("dedup: recording the decisions applied: %w", err)
	}
	return nil
}

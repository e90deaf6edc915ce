package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// runTables are the tables every run rewrites.
func runTables() []string {
	return []string{"conviction_line", "conviction_notice", "conviction_chain", "conviction_offence",
		"conviction_person", "person_record", "person_link", "dedup_trace", "review_pair", "dedup_stats"}
}

// write replaces the resolved tables in one transaction.
func (w *world) write(ctx context.Context, conn *sql.Conn) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	// dropping and creating again is much faster in DuckDB than deleting every row
	for _, t := range runTables() {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return fmt.Errorf("clearing %s: %w", t, err)
		}
	}
	if err := EnsureTables(ctx, conn); err != nil {
		return err
	}
	date := func(t time.Time) driver.Value {
		if t.IsZero() {
			return nil
		}
		return t
	}
	str := func(s string) driver.Value {
		if s == "" {
			return nil
		}
		return s
	}
	score := func(v float64, ok bool) driver.Value {
		if !ok {
			return nil
		}
		return v
	}
	key := func(record int) string { return w.keys[w.records[record].rec.ID] }

	if err := appendRows(ctx, conn, "conviction_line", len(w.lines), func(i int) []driver.Value {
		l := &w.lines[i]
		var notice, chainID driver.Value
		if l.notice >= 0 {
			notice = int64(l.notice)
			chainID = w.chains[w.notices[l.notice].chain].id
		}
		return []driver.Value{l.recordID, l.system, l.jnorm, l.stands, str(l.mergedInto), w.records[l.record].rec.ID, key(l.record), notice, chainID}
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, "conviction_notice", len(w.notices), func(n int) []driver.Value {
		nt := &w.notices[n]
		var reviews driver.Value
		if nt.reviews >= 0 {
			reviews = int64(nt.reviews)
		}
		return []driver.Value{int64(n), key(nt.record), nt.court, nt.jnorm, nt.judgmentID, nt.judgmentDate, nt.instance,
			str(nt.appealNorm), nt.decision, date(nt.finalDate), int64(len(nt.lines)), w.chains[nt.chain].id, reviews,
			str(nt.linkRule), score(nt.linkScore, nt.linkRule != "" && nt.linkRule != "ORPHAN")}
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, "conviction_chain", len(w.chains), func(c int) []driver.Value {
		ch := &w.chains[c]
		last := &w.notices[ch.last]
		var firstCourt driver.Value
		if ch.firstFrom >= 0 {
			firstCourt = w.notices[ch.firstFrom].court
		}
		return []driver.Value{ch.id, key(last.record), int64(len(ch.notices)), firstCourt, "_U", int64(ch.last), last.court,
			last.instance, last.decision, last.judgmentDate, date(last.finalDate), ch.firstDate, date(ch.offDate), ch.orphan,
			last.decision == "CONVICTION"}
	}); err != nil {
		return err
	}
	type ocRow struct {
		chain string
		oc    offenceConviction
	}
	var ocs []ocRow
	for _, ch := range w.chains {
		for _, oc := range ch.offences {
			ocs = append(ocs, ocRow{ch.id, oc})
		}
	}
	if err := appendRows(ctx, conn, "conviction_offence", len(ocs), func(i int) []driver.Value {
		o := ocs[i]
		var victims driver.Value
		if o.oc.hasVictims {
			victims = o.oc.victims
		}
		return []driver.Value{o.chain, o.oc.offence, int64(o.oc.lines), victims, o.oc.prisonUnsuspended}
	}); err != nil {
		return err
	}
	persons := w.persons()
	if err := appendRows(ctx, conn, "conviction_person", len(persons), func(i int) []driver.Value {
		p := persons[i]
		var bd driver.Value
		if t, err := time.Parse(time.DateOnly, p.birthDate); err == nil {
			bd = t
		}
		return []driver.Value{p.key, str(p.sex), bd, str(p.citizenship), int64(p.records), int64(p.lines)}
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, "person_record", len(w.records), func(i int) []driver.Value {
		pr := &w.records[i]
		r := pr.rec
		return []driver.Value{r.ID, w.keys[r.ID], str(r.NationalNumber), str(r.Surname), str(r.GivenNames), str(r.BirthDate),
			str(r.BirthPlace), str(r.Sex), str(r.Citizenship), int64(len(pr.lines)), pr.rule, score(pr.score, pr.hasScore)}
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, "person_link", len(w.lines), func(i int) []driver.Value {
		l := &w.lines[i]
		pr := &w.records[l.record]
		return []driver.Value{l.recordID, key(l.record), pr.rec.ID, pr.rule, score(pr.score, pr.hasScore)}
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, "dedup_trace", len(w.trace), func(i int) []driver.Value {
		t := &w.trace[i]
		return []driver.Value{t.rule, t.kind, t.a, str(t.b), score(t.score, t.hasScore), str(t.status), str(t.detail)}
	}); err != nil {
		return err
	}
	var review []int
	for i, p := range w.pairs {
		if p.Status == "review" {
			review = append(review, i)
		}
	}
	if err := appendRows(ctx, conn, "review_pair", len(review), func(i int) []driver.Value {
		p := &w.pairs[review[i]]
		return []driver.Value{p.A, p.B, p.Score, str(p.Note), false}
	}); err != nil {
		return err
	}
	st := w.stats
	counts := [][2]any{{"lines", st.Lines}, {"d2_merged", st.D2Merged}, {"person_records", st.PersonRecords},
		{"persons", st.Persons}, {"d5_merged", st.D5Merged}, {"review_pairs", st.ReviewPairs}, {"notices", st.Notices},
		{"d3_merged", st.D3Merged}, {"chains", st.Chains}, {"d4_merged", st.D4Merged}, {"orphan_appeals", st.OrphanAppeals},
		{"d4_person_merges", st.D4PersonMerges}, {"convictions", st.Convictions}, {"offence_lines", st.OffenceLines}}
	if err := appendRows(ctx, conn, "dedup_stats", len(counts), func(i int) []driver.Value {
		return []driver.Value{counts[i][0].(string), int64(counts[i][1].(int))}
	}); err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE review_pair SET decided = true FROM review_decision d
		  WHERE (d.a = review_pair.a AND d.b = review_pair.b) OR (d.a = review_pair.b AND d.b = review_pair.a)`,
		`UPDATE conviction_chain SET district = d.code FROM code_courts c JOIN code_districts d ON d.code = c.area
		  WHERE c.code = conviction_chain.first_court`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

// personAttrs are a person's breakdown attributes: the most frequent valid value over the
// person's conviction notices (each notice votes once, with its lines' most frequent value).
type personAttrs struct {
	key, sex, birthDate, citizenship string
	records, lines                   int
}

func (w *world) persons() []personAttrs {
	type tally struct {
		sex, bd, cit []string
		lines        int
	}
	t := map[string]*tally{}
	records := map[string]int{}
	for i := range w.records {
		k := w.keys[w.records[i].rec.ID]
		records[k]++
		t[k] = &tally{}
	}
	for n := range w.notices {
		nt := &w.notices[n]
		k := w.keys[w.records[nt.record].rec.ID]
		tl := t[k]
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

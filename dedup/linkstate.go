package dedup

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// The linkage's state (tables link_key, link_edge, link_decision and the view link_record, see
// sql/tables.sql) is what linkage.Relink reads of the previous run. storeState implements
// linkage.State over it, on the run's connection (inside its transaction, so that it reads the
// previous run's state until the run replaces it).
type storeState struct {
	conn *sql.Conn
	dir  string
}

var _ linkage.State = storeState{}

// ids writes a list of IDs into the temporary table _dedup_ids, for a query to join.
func (s storeState) ids(ctx context.Context, ids []string) error {
	if _, err := s.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_ids (id VARCHAR)`); err != nil {
		return err
	}
	return parquetRows(ctx, s.conn, s.dir, "_dedup_ids", len(ids), func(i int, rw *rowWriter) { rw.str(ids[i]) })
}

// Records returns the linkage records of the previous run with these IDs.
func (s storeState) Records(ctx context.Context, ids []string) ([]linkage.Record, error) {
	if err := s.ids(ctx, ids); err != nil {
		return nil, fmt.Errorf("linkage state: records: %w", err)
	}
	// link_record's definition, for the groups asked only, in one scan of person_record: a
	// representative's group is the records whose exact_rep is its ID, and the representative
	// takes the group's national number when it has none
	rows, err := s.conn.QueryContext(ctx, `SELECT exact_rep,
		coalesce(first(national_number) FILTER (WHERE person_record = exact_rep), max(national_number), ''),
		coalesce(first(surname) FILTER (WHERE person_record = exact_rep), ''),
		coalesce(first(given_names) FILTER (WHERE person_record = exact_rep), ''),
		coalesce(first(birth_date) FILTER (WHERE person_record = exact_rep), ''),
		coalesce(first(birth_place) FILTER (WHERE person_record = exact_rep), ''),
		coalesce(first(sex) FILTER (WHERE person_record = exact_rep), ''),
		coalesce(first(citizenship) FILTER (WHERE person_record = exact_rep), '')
		FROM person_record WHERE exact_rep IN (SELECT id FROM _dedup_ids)
		GROUP BY exact_rep HAVING count(*) FILTER (WHERE person_record = exact_rep) > 0`)
	if err != nil {
		return nil, fmt.Errorf("linkage state: records: %w", err)
	}
	defer rows.Close()
	var out []linkage.Record
	for rows.Next() {
		var r linkage.Record
		if err := rows.Scan(&r.ID, &r.NationalNumber, &r.Surname, &r.GivenNames, &r.BirthDate, &r.BirthPlace, &r.Sex, &r.Citizenship); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BlockMembers returns the records of the previous run holding each key.
func (s storeState) BlockMembers(ctx context.Context, keys []linkage.BlockKey) (map[linkage.BlockKey][]string, error) {
	if _, err := s.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_bkeys (hash BIGINT, kind INTEGER)`); err != nil {
		return nil, err
	}
	if err := parquetRows(ctx, s.conn, s.dir, "_dedup_bkeys", len(keys), func(i int, rw *rowWriter) {
		rw.int64(int64(keys[i].Hash))
		rw.int32(int32(keys[i].Kind))
	}); err != nil {
		return nil, fmt.Errorf("linkage state: blocks: %w", err)
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT k.hash, k.kind, k.record FROM link_key k
		JOIN (SELECT DISTINCT hash, kind FROM _dedup_bkeys) q ON q.hash = k.hash AND q.kind = k.kind`)
	if err != nil {
		return nil, fmt.Errorf("linkage state: blocks: %w", err)
	}
	defer rows.Close()
	out := map[linkage.BlockKey][]string{}
	for rows.Next() {
		var h int64
		var kind int32
		var id string
		if err := rows.Scan(&h, &kind, &id); err != nil {
			return nil, err
		}
		k := linkage.BlockKey{Hash: uint64(h), Kind: byte(kind)}
		out[k] = append(out[k], id)
	}
	return out, rows.Err()
}

// neighboursSQL returns the members of the blocks of the positions in _dedup_pos near a position
// (see linkage.State.Neighbours), with their rank and their block's size, for n (%[1]d, and
// %[2]d for n+1). The blocks' members and the positions go through each block's order together,
// in one sort, a position before a member in the same spot: a member's rank is the members up to
// it, less one, and a position's p the members before it. Take a member of rank r and the
// nearest position before it, j rows up: the rows between them are members, so r-p = j-1, and r
// is at most p+n when a position is among the n+1 rows before the member. Take the nearest
// position after it, j rows down: p = r+j, and r is at least p-n when a position is among the n
// rows after the member.
const neighboursSQL = `
WITH spot AS (
  SELECT hash, kind, sort_key, record, member,
    (sum(member) OVER (w ROWS UNBOUNDED PRECEDING) - 1)::BIGINT AS rank,
    (sum(member) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))::BIGINT AS size,
    min(member) OVER (w ROWS BETWEEN %[2]d PRECEDING AND 1 PRECEDING) AS after_position,
    min(member) OVER (w ROWS BETWEEN 1 FOLLOWING AND %[1]d FOLLOWING) AS before_position
  FROM (
    SELECT hash, kind, sort_key, record, 1 AS member FROM link_key
    WHERE (hash, kind) IN (SELECT hash, kind FROM _dedup_pos)
    UNION ALL
    SELECT hash, kind, sort_key, record, 0 FROM _dedup_pos)
  WINDOW w AS (PARTITION BY hash, kind ORDER BY sort_key, record, member)
)
SELECT hash, kind::BIGINT, record, sort_key, rank, size FROM spot
WHERE member = 1 AND (after_position = 0 OR before_position = 0)`

// Neighbours returns the size of the block of each position and its members near the positions.
func (s storeState) Neighbours(ctx context.Context, positions []linkage.Position, n int) (map[linkage.BlockKey]linkage.Neighbourhood, error) {
	if n < 1 {
		return nil, fmt.Errorf("linkage state: neighbours within %d ranks: ask for 1 or more", n)
	}
	if _, err := s.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE _dedup_pos (hash BIGINT, kind INTEGER, sort_key VARCHAR, record VARCHAR)`); err != nil {
		return nil, fmt.Errorf("linkage state: neighbours: %w", err)
	}
	if err := parquetRows(ctx, s.conn, s.dir, "_dedup_pos", len(positions), func(i int, rw *rowWriter) {
		p := &positions[i]
		rw.int64(int64(p.Block.Hash))
		rw.int32(int32(p.Block.Kind))
		rw.str(p.Sort)
		rw.str(p.ID)
	}); err != nil {
		return nil, fmt.Errorf("linkage state: neighbours: %w", err)
	}
	out := map[linkage.BlockKey]linkage.Neighbourhood{}
	err := export(ctx, s.conn, s.dir, "neighbours", fmt.Sprintf(neighboursSQL, n, n+1), func(b arrow.RecordBatch) error {
		c := col{b}
		for i := range int(b.NumRows()) {
			h, _ := c.int64(0, i)
			kind, _ := c.int64(1, i)
			rank, _ := c.int64(4, i)
			size, _ := c.int64(5, i)
			k := linkage.BlockKey{Hash: uint64(h), Kind: byte(kind)}
			nb := out[k]
			nb.Size = int(size)
			nb.Members = append(nb.Members, linkage.Member{ID: c.str(2, i), Sort: c.str(3, i), Rank: int(rank)})
			out[k] = nb
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("linkage state: neighbours: %w", err)
	}
	return out, nil
}

// Edges returns the previous run's edges with an end in ids.
func (s storeState) Edges(ctx context.Context, ids []string) ([]linkage.Edge, error) {
	if err := s.ids(ctx, ids); err != nil {
		return nil, fmt.Errorf("linkage state: edges: %w", err)
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT a, b, score FROM link_edge WHERE a IN (SELECT id FROM _dedup_ids)
		UNION SELECT a, b, score FROM link_edge WHERE b IN (SELECT id FROM _dedup_ids)`)
	if err != nil {
		return nil, fmt.Errorf("linkage state: edges: %w", err)
	}
	defer rows.Close()
	var out []linkage.Edge
	for rows.Next() {
		var e linkage.Edge
		if err := rows.Scan(&e.A, &e.B, &e.Score); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Decisions returns the decisions the previous run gave the linkage, in order.
func (s storeState) Decisions(ctx context.Context) ([]linkage.Decision, error) {
	ds, err := queryDecisions(ctx, s.conn, `SELECT a, b, match FROM link_decision ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("linkage state: decisions: %w", err)
	}
	return ds, nil
}

// writeLinkKeys appends the blocking keys of the linkage records to link_key.
//
// It writes them a chunk of records at a time (linkKeyChunk), so that memory holds one chunk's
// rows (about ten keys of some 70 bytes a record), not every key of the store: ten million
// conviction lines make 50 million keys. Each chunk writes whole row groups and carries the rest
// of its rows to the next (see wholeRowGroups: a partly filled row group per chunk let a night's
// checkpoint rewrite 217 of link_key's 225 row groups at ten million lines).
func writeLinkKeys(ctx context.Context, conn *sql.Conn, dir string, recs []linkage.Record) error {
	s := newStager(ctx, conn, dir) // DuckDB inserts a chunk while the next one is made
	defer s.abandon()
	var rows []keyRow
	for lo := 0; lo < len(recs); lo += linkKeyChunk {
		hi := min(lo+linkKeyChunk, len(recs))
		var err error
		if rows, err = appendChunkKeyRows(rows, recs[lo:hi]); err != nil {
			return err
		}
		sortKeyRows(rows)
		if rows, err = appendWhole(s.rows, "link_key", rows, hi == len(recs), keyRowValues); err != nil {
			return err
		}
	}
	return s.close()
}

// linkKeyChunk is how many records' keys writeLinkKeys writes at a time.
var linkKeyChunk = 250_000 // a variable for the tests

// keyRow is a row of link_key: a block key of a record, with its sort key for the key's kind.
type keyRow struct {
	k        linkage.BlockKey
	id, sort string
}

// appendChunkKeyRows appends the key rows of recs, in record order. It works the keys out on
// every core, a share of recs each (making the keys normalises every name again: a quarter of
// writing the linkage state's CPU at ten million lines), and appends the shares in order, so the
// rows are those of one pass over recs.
func appendChunkKeyRows(rows []keyRow, recs []linkage.Record) ([]keyRow, error) {
	parts := max(1, min(runtime.GOMAXPROCS(0), len(recs)/1024))
	shares := make([][]keyRow, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(recs)/parts, (p+1)*len(recs)/parts
		wg.Go(func() {
			var share []keyRow
			for i := lo; i < hi; i++ {
				keys, sorts := linkage.Keys(recs[i])
				var err error
				if share, err = appendKeyRows(share, recs[i].ID, keys, sorts); err != nil {
					errs[p] = err
					return
				}
			}
			shares[p] = share
		})
	}
	wg.Wait()
	for p := range parts {
		if errs[p] != nil {
			return rows, errs[p]
		}
		rows = append(rows, shares[p]...)
	}
	return rows, nil
}

// appendKeyRows appends the rows of a record's keys.
func appendKeyRows(rows []keyRow, id string, keys []linkage.BlockKey, sorts []linkage.SortKey) ([]keyRow, error) {
	for _, k := range keys {
		i := slices.IndexFunc(sorts, func(s linkage.SortKey) bool { return s.Kind == k.Kind })
		if i < 0 {
			return nil, fmt.Errorf("dedup: linkage state: record %s has a block key of kind %c but no sort key of that kind; linkage.Keys gives both", id, k.Kind)
		}
		rows = append(rows, keyRow{k, id, sorts[i].Key})
	}
	return rows, nil
}

// sortKeyRows puts rows in the order of the blocks, so that DuckDB stores the kinds and hashes
// of link_key as runs.
func sortKeyRows(rows []keyRow) {
	slices.SortFunc(rows, func(a, b keyRow) int {
		if a.k.Kind != b.k.Kind {
			return cmp.Compare(a.k.Kind, b.k.Kind)
		}
		return cmp.Compare(a.k.Hash, b.k.Hash)
	})
}

// writeKeyRows appends rows to link_key, in the order of the blocks (within the rows given).
func writeKeyRows(ctx context.Context, conn *sql.Conn, dir string, rows []keyRow) error {
	sortKeyRows(rows)
	return parquetRows(ctx, conn, dir, "link_key", len(rows), func(i int, rw *rowWriter) { keyRowValues(&rows[i], rw) })
}

// keyRowValues writes the values of a link_key row.
func keyRowValues(r *keyRow, rw *rowWriter) {
	rw.int64(int64(r.k.Hash))
	rw.int32(int32(r.k.Kind))
	rw.str(r.id)
	rw.str(r.sort)
}

// writeLinkEdges appends edges to link_edge.
func writeLinkEdges(ctx context.Context, conn *sql.Conn, dir string, edges []linkage.Edge) error {
	return parquetRows(ctx, conn, dir, "link_edge", len(edges), func(i int, rw *rowWriter) {
		rw.str(edges[i].A)
		rw.str(edges[i].B)
		rw.float64(edges[i].Score)
	})
}

// writeLinkDecisions replaces link_decision by the decisions given to the linkage.
func writeLinkDecisions(ctx context.Context, conn *sql.Conn, dir string, ds []linkage.Decision) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM link_decision`); err != nil {
		return err
	}
	return parquetRows(ctx, conn, dir, "link_decision", len(ds), values(func(i int) []driver.Value {
		return []driver.Value{int64(i), ds[i].A, ds[i].B, ds[i].Match}
	}))
}

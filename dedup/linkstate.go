package dedup

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

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
	return parquetRows(ctx, s.conn, s.dir, "_dedup_ids", len(ids), func(i int) []driver.Value { return []driver.Value{ids[i]} })
}

// Records returns the linkage records of the previous run with these IDs.
func (s storeState) Records(ctx context.Context, ids []string) ([]linkage.Record, error) {
	if err := s.ids(ctx, ids); err != nil {
		return nil, fmt.Errorf("linkage state: records: %w", err)
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT id, coalesce(national_number, ''), coalesce(surname, ''),
		coalesce(given_names, ''), coalesce(birth_date, ''), coalesce(birth_place, ''), coalesce(sex, ''), coalesce(citizenship, '')
		FROM link_record WHERE id IN (SELECT id FROM _dedup_ids)`)
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
	if err := parquetRows(ctx, s.conn, s.dir, "_dedup_bkeys", len(keys), func(i int) []driver.Value {
		return []driver.Value{int64(keys[i].Hash), int32(keys[i].Kind)}
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
	rows, err := s.conn.QueryContext(ctx, `SELECT a, b, match FROM link_decision ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("linkage state: decisions: %w", err)
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

// writeLinkKeys appends the blocking keys of the linkage records to link_key.
func writeLinkKeys(ctx context.Context, conn *sql.Conn, dir string, recs []linkage.Record) error {
	type row struct {
		k   linkage.BlockKey
		rec int32
	}
	var rows []row
	for i := range recs {
		for _, k := range linkage.BlockKeys(recs[i]) {
			rows = append(rows, row{k, int32(i)})
		}
	}
	return parquetRows(ctx, conn, dir, "link_key", len(rows), func(i int) []driver.Value {
		r := rows[i]
		return []driver.Value{int64(r.k.Hash), int32(r.k.Kind), recs[r.rec].ID}
	})
}

// writeLinkEdges appends edges to link_edge.
func writeLinkEdges(ctx context.Context, conn *sql.Conn, dir string, edges []linkage.Edge) error {
	return parquetRows(ctx, conn, dir, "link_edge", len(edges), func(i int) []driver.Value {
		return []driver.Value{edges[i].A, edges[i].B, edges[i].Score}
	})
}

// writeLinkDecisions replaces link_decision by the decisions given to the linkage.
func writeLinkDecisions(ctx context.Context, conn *sql.Conn, dir string, ds []linkage.Decision) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM link_decision`); err != nil {
		return err
	}
	return parquetRows(ctx, conn, dir, "link_decision", len(ds), func(i int) []driver.Value {
		return []driver.Value{int64(i), ds[i].A, ds[i].B, ds[i].Match}
	})
}

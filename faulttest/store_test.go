package faulttest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// deliveryCounts are a delivery's counts as the store recorded them.
type deliveryCounts struct {
	Source                             string
	Read, Loaded, Quarantined, Flagged int64
}

// storeState is what a load leaves in the restricted store, without ids and times (which differ
// between runs): table sizes, per-delivery counts, quarantine by file and reason, and which row
// (file and line) stands for each record in the *_current tables.
type storeState struct {
	Tables     map[string]int64
	Deliveries map[string]deliveryCounts
	Quarantine map[string]int64
	Current    map[string]string // table -> fingerprint of (file, line) of its rows
}

// storeTables are the tables whose sizes a load must reproduce exactly.
func storeTables() []string {
	return []string{"raw_police", "raw_prosecution", "raw_mach", "police_current", "prosecution_current",
		"mach_current", "d1_changed", "quarantine", "delivery"}
}

// readState reads a store's state; the canvas process must have ended.
func readState(t testing.TB, db *sql.DB) storeState {
	t.Helper()
	st := storeState{Tables: map[string]int64{}, Deliveries: map[string]deliveryCounts{}, Quarantine: map[string]int64{},
		Current: map[string]string{}}
	for _, tb := range storeTables() {
		if !tableExists(t, db, tb) {
			st.Tables[tb] = -1
			continue
		}
		st.Tables[tb] = queryInt(t, db, "SELECT count(*) FROM "+tb)
	}
	rows, err := db.Query(`SELECT name, source, rows_read, rows_loaded, rows_quarantined, rows_flagged FROM delivery`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var c deliveryCounts
		if err := rows.Scan(&name, &c.Source, &c.Read, &c.Loaded, &c.Quarantined, &c.Flagged); err != nil {
			t.Fatal(err)
		}
		if _, dup := st.Deliveries[name]; dup {
			t.Errorf("file %s recorded as two deliveries", name)
		}
		st.Deliveries[name] = c
	}
	rows.Close()
	rows, err = db.Query(`SELECT file || ' / ' || reason, count(*) FROM quarantine GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		st.Quarantine[k] = n
	}
	rows.Close()
	for _, tb := range []string{"police_current", "prosecution_current", "mach_current"} {
		if st.Tables[tb] < 0 {
			continue
		}
		var fp sql.NullString
		q := fmt.Sprintf(`SELECT sum(hash(d.name, c.line, coalesce(c.sheet, '')))::VARCHAR FROM %s c JOIN delivery d USING (delivery_id)`, tb)
		if err := db.QueryRow(q).Scan(&fp); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		st.Current[tb] = fp.String
	}
	return st
}

func tableExists(t testing.TB, db *sql.DB, name string) bool {
	t.Helper()
	return queryInt(t, db, `SELECT count(*) FROM information_schema.tables WHERE table_name = ?`, name) > 0
}

// invariants returns what breaks "a file is loaded completely or not at all, and nothing is
// lost": per delivery, read = loaded + quarantined, and the raw and quarantine rows that carry
// its id are exactly that many; no row belongs to a delivery that is not recorded.
func invariants(t testing.TB, db *sql.DB) []string {
	t.Helper()
	var bad []string
	if !tableExists(t, db, "delivery") {
		return nil
	}
	raw := `SELECT delivery_id, count(*) AS n FROM (
		SELECT delivery_id FROM raw_police UNION ALL SELECT delivery_id FROM raw_prosecution UNION ALL SELECT delivery_id FROM raw_mach)
		GROUP BY delivery_id`
	q := fmt.Sprintf(`WITH r AS (%s), q AS (SELECT delivery_id, count(*) AS n FROM quarantine GROUP BY delivery_id)
		SELECT d.name, d.rows_read, d.rows_loaded, d.rows_quarantined, coalesce(r.n, 0), coalesce(q.n, 0)
		FROM delivery d LEFT JOIN r USING (delivery_id) LEFT JOIN q USING (delivery_id) ORDER BY d.name`, raw)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var read, loaded, quar, rawN, quarN int64
		if err := rows.Scan(&name, &read, &loaded, &quar, &rawN, &quarN); err != nil {
			t.Fatal(err)
		}
		if loaded+quar != read {
			bad = append(bad, fmt.Sprintf("delivery %s: rows_loaded %d + rows_quarantined %d != rows_read %d", name, loaded, quar, read))
		}
		if rawN != loaded {
			bad = append(bad, fmt.Sprintf("delivery %s: %d raw rows, rows_loaded says %d", name, rawN, loaded))
		}
		if quarN != quar {
			bad = append(bad, fmt.Sprintf("delivery %s: %d quarantine rows, rows_quarantined says %d", name, quarN, quar))
		}
	}
	rows.Close()
	orphans := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM (%s) r WHERE delivery_id NOT IN (SELECT delivery_id FROM delivery)`, raw))
	if orphans > 0 {
		bad = append(bad, fmt.Sprintf("%d raw rows of deliveries that are not recorded (a half-loaded file)", orphans))
	}
	orphans = queryInt(t, db, `SELECT count(*) FROM quarantine WHERE delivery_id NOT IN (SELECT delivery_id FROM delivery)`)
	if orphans > 0 {
		bad = append(bad, fmt.Sprintf("%d quarantine rows of deliveries that are not recorded (a half-loaded file)", orphans))
	}
	return bad
}

// runRow is one run of the run log.
type runRow struct {
	ID      int64
	Command string
	Outcome string
	Ended   bool
	PID     int64
}

func readRuns(t testing.TB, db *sql.DB) []runRow {
	t.Helper()
	rows, err := db.Query(`SELECT run_id, command, coalesce(outcome, ''), ended IS NOT NULL, coalesce(pid, 0) FROM run ORDER BY run_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []runRow
	for rows.Next() {
		var r runRow
		if err := rows.Scan(&r.ID, &r.Command, &r.Outcome, &r.Ended, &r.PID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// inspectStore opens a store's restricted database read-only and returns its state, run log and
// broken invariants. The store must not be in use.
func inspectStore(t testing.TB, store string) (storeState, []runRow, []string) {
	t.Helper()
	db := openDB(t, filepath.Join(store, restrictedFile), true)
	defer db.Close()
	return readState(t, db), readRuns(t, db), invariants(t, db)
}

// inspectCopy inspects a copy of a store (opening a database replays its write-ahead log, which
// must be left to canvas itself on the original): the store as a crash left it.
func inspectCopy(t testing.TB, store string) (storeState, []runRow, []string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("copy-%d", time.Now().UnixNano()))
	copyDir(t, store, dir)
	defer os.RemoveAll(dir)
	db, err := sql.Open("duckdb", filepath.Join(dir, restrictedFile))
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		return storeState{}, nil, nil, err
	}
	defer db.Close()
	if !tableExists(t, db, "run") {
		return storeState{}, nil, nil, nil
	}
	return readState(t, db), readRuns(t, db), invariants(t, db), nil
}

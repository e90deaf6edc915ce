package dedup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ciatteh/canvas/dedup/linkage"
	"github.com/google/go-cmp/cmp"
)

// TestAssignKeysSQLFollowsTheRule gives person keys with assignKeysSQL to random clusterings
// of records holding random previous keys (splits, merges, ties, new records) and requires the
// keys that linkage.AssignKeys gives.
func TestAssignKeysSQLFollowsTheRule(t *testing.T) {
	ctx := context.Background()
	conn := openConn(t, "")
	if err := EnsureTables(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		n := 1 + rng.IntN(25)
		cluster := map[string]string{}
		previous := map[string]string{}
		for i := range n {
			id := fmt.Sprintf("MACH:%03d", i)
			cluster[id] = fmt.Sprintf("MACH:%03d", rng.IntN(i+1)) // a record of the cluster, as dedup names it
			if rng.IntN(4) > 0 {
				previous[id] = fmt.Sprintf("P%08d", 1+rng.IntN(8))
			}
		}
		for _, q := range []string{`DELETE FROM person_record`, `DROP TABLE IF EXISTS _dedup_key`,
			`CREATE OR REPLACE TEMP TABLE _dedup_record (person_record VARCHAR, cluster VARCHAR)`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for id, c := range cluster {
			if _, err := conn.ExecContext(ctx, `INSERT INTO _dedup_record VALUES (?, ?)`, id, c); err != nil {
				t.Fatal(err)
			}
			if k, ok := previous[id]; ok {
				if _, err := conn.ExecContext(ctx, `INSERT INTO person_record (person_record, person_key, lines, rule, cluster, component, exact_rep)
					VALUES (?, ?, 1, 'SINGLE', ?, ?, ?)`, id, k, id, id, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := conn.ExecContext(ctx, assignKeysSQL); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.QueryContext(ctx, `SELECT r.person_record, k.person_key FROM _dedup_record r JOIN _dedup_key k USING (cluster)`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for rows.Next() {
			var id, k string
			if err := rows.Scan(&id, &k); err != nil {
				t.Fatal(err)
			}
			got[id] = k
		}
		rows.Close()
		next := 0
		for _, k := range previous {
			var v int
			if _, err := fmt.Sscanf(k, "P%d", &v); err == nil && v > next {
				next = v
			}
		}
		want := linkage.AssignKeys(cluster, previous, func(string) string {
			next++
			return fmt.Sprintf("P%08d", next)
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round %d: clusters %v, previous keys %v (-AssignKeys +SQL):\n%s", round, cluster, previous, diff)
		}
	}
}

package linkage

import "slices"

// AssignKeys gives every cluster a person key that stays stable across runs. cluster maps record
// ID to cluster ID (as in [Result.Cluster]); previous maps record ID to the person key the record
// had in the previous run (records new in this run are absent). newKey makes a key for a cluster
// that keeps none; it must not return a key in use in previous.
//
// A cluster keeps the previous key held by most of its members that had one (on a tie, the
// smallest key). A key goes to at most one cluster: when a person splits, the cluster with the
// most members holding the key keeps it (on a tie, the smallest cluster ID) and the others get
// new keys. So a merge keeps the key of the larger part, and a key never moves to a different
// group of records. The result maps every record ID of cluster to its key.
func AssignKeys(cluster map[string]string, previous map[string]string, newKey func(clusterID string) string) map[string]string {
	members := make(map[string][]string)
	for _, id := range sortedKeys(cluster) {
		c := cluster[id]
		members[c] = append(members[c], id)
	}
	type claim struct {
		cluster string
		key     string
		holders int
	}
	var claims []claim
	for _, c := range sortedKeys(members) {
		count := make(map[string]int)
		for _, id := range members[c] {
			if k, ok := previous[id]; ok && k != "" {
				count[k]++
			}
		}
		best, bestN := "", 0
		for _, k := range sortedKeys(count) {
			if count[k] > bestN {
				best, bestN = k, count[k]
			}
		}
		claims = append(claims, claim{c, best, bestN})
	}
	// The strongest claim on a key wins it: most holders, then smallest cluster ID.
	order := slices.Clone(claims)
	slices.SortStableFunc(order, func(a, b claim) int {
		if a.holders != b.holders {
			return b.holders - a.holders
		}
		if a.cluster < b.cluster {
			return -1
		}
		if a.cluster > b.cluster {
			return 1
		}
		return 0
	})
	taken := make(map[string]bool)
	keyOf := make(map[string]string, len(claims))
	for _, cl := range order {
		if cl.key != "" && !taken[cl.key] {
			taken[cl.key] = true
			keyOf[cl.cluster] = cl.key
		}
	}
	out := make(map[string]string, len(cluster))
	for _, cl := range claims {
		k, ok := keyOf[cl.cluster]
		if !ok {
			k = newKey(cl.cluster)
		}
		for _, id := range members[cl.cluster] {
			out[id] = k
		}
	}
	return out
}

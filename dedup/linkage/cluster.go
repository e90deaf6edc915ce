package linkage

import "fmt"

// unionFind holds the clusters. Per root it keeps the cluster's size and a record holding its
// national number; the members of a cluster are a circular list through next; and it keeps the
// records an analyst declared not a match with one of its members.
type unionFind struct {
	recs   []prepared
	parent []int32
	next   []int32 // the next member of the record's cluster, round the cluster
	size   []int32 // at the root: the records of the cluster
	nn     []int32 // at the root: a record holding the cluster's valid national number, or -1
	apart  map[int32][]int32
}

func newUnionFind(recs []prepared) unionFind {
	u := unionFind{
		recs:   recs,
		parent: make([]int32, len(recs)),
		next:   make([]int32, len(recs)),
		size:   make([]int32, len(recs)),
		nn:     make([]int32, len(recs)),
		apart:  make(map[int32][]int32),
	}
	for i := range recs {
		u.parent[i], u.next[i], u.size[i], u.nn[i] = int32(i), int32(i), 1, -1
		if recs[i].nn != "" {
			u.nn[i] = int32(i)
		}
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// members calls yield with every record of the cluster of root r.
func (u *unionFind) members(r int32, yield func(int32)) {
	x := r
	for {
		yield(x)
		if x = u.next[x]; x == r {
			return
		}
	}
}

// clusterNN returns the valid national number of the cluster of root r, or "".
func (u *unionFind) clusterNN(r int32) string {
	if u.nn[r] < 0 {
		return ""
	}
	return u.recs[u.nn[r]].nn
}

// forbid records an analyst's "not a match" between a and b.
func (u *unionFind) forbid(a, b int32) {
	u.apart[a] = append(u.apart[a], b)
	u.apart[b] = append(u.apart[b], a)
}

// whyNumbers is why two clusters holding different valid national numbers may not merge.
const whyNumbers = "the clusters hold different national numbers"

// check returns why the clusters of roots ra and rb may not merge, or "".
func (u *unionFind) check(ra, rb int32) string {
	if na, nb := u.clusterNN(ra), u.clusterNN(rb); na != "" && nb != "" && na != nb {
		return whyNumbers
	}
	if len(u.apart) == 0 {
		return ""
	}
	small, other := ra, rb
	if u.size[small] > u.size[other] {
		small, other = other, small
	}
	apart := false
	u.members(small, func(m int32) {
		for _, x := range u.apart[m] {
			if u.find(x) == other {
				apart = true
			}
		}
	})
	if apart {
		return "an analyst decided that two of their records are not a match"
	}
	return ""
}

// union merges the clusters of a and b unless a hard rule forbids it; it returns the reason of a
// refusal, or "".
func (u *unionFind) union(a, b int32) string {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return ""
	}
	if why := u.check(ra, rb); why != "" {
		return why
	}
	u.merge(ra, rb)
	return ""
}

// unionScored is union for a link by score: it also applies the size cap and the chaining
// guard (see Link).
func (u *unionFind) unionScored(a, b int32, l *linker) string {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return ""
	}
	if why := u.check(ra, rb); why != "" {
		return why
	}
	size := int(u.size[ra] + u.size[rb])
	if size > l.cfg.MaxClusterSize {
		return fmt.Sprintf("the cluster would hold %d records, more than %d", size, l.cfg.MaxClusterSize)
	}
	if size > 2 {
		support, total := 0, 0
		u.members(ra, func(x int32) {
			u.members(rb, func(y int32) {
				if _, s := l.pairScore(x, y); s >= l.cfg.GuardThreshold {
					support++
				}
				total++
			})
		})
		if float64(support) < l.cfg.MinCrossLinkFraction*float64(total) {
			return fmt.Sprintf("chaining guard: only %d of the %d pairs across the two clusters reach the guard threshold", support, total)
		}
	}
	u.merge(ra, rb)
	return ""
}

func (u *unionFind) merge(ra, rb int32) {
	if u.size[ra] < u.size[rb] {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.next[ra], u.next[rb] = u.next[rb], u.next[ra]
	u.size[ra] += u.size[rb]
	if u.nn[ra] < 0 {
		u.nn[ra] = u.nn[rb]
	}
}

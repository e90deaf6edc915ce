package linkage

import "fmt"

// unionFind holds the clusters. Per root it keeps the members, the cluster's national number
// and the records an analyst declared not a match with one of its members.
type unionFind struct {
	parent  []int32
	members [][]int32 // at the root: every record of the cluster
	nn      []string  // at the root: the cluster's valid national number, or ""
	apart   map[int32][]int32
}

func newUnionFind(recs []prepared) unionFind {
	u := unionFind{
		parent:  make([]int32, len(recs)),
		members: make([][]int32, len(recs)),
		nn:      make([]string, len(recs)),
		apart:   make(map[int32][]int32),
	}
	for i := range recs {
		u.parent[i] = int32(i)
		u.members[i] = []int32{int32(i)}
		u.nn[i] = recs[i].nn
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

// smallest returns the smallest record index of x's cluster; records are sorted by ID, so it is
// the record with the smallest ID.
func (u *unionFind) smallest(x int32) int32 {
	m := u.members[u.find(x)]
	s := m[0]
	for _, r := range m[1:] {
		s = min(s, r)
	}
	return s
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
	if u.nn[ra] != "" && u.nn[rb] != "" && u.nn[ra] != u.nn[rb] {
		return whyNumbers
	}
	small, other := ra, rb
	if len(u.members[small]) > len(u.members[other]) {
		small, other = other, small
	}
	for _, m := range u.members[small] {
		for _, x := range u.apart[m] {
			if u.find(x) == other {
				return "an analyst decided that two of their records are not a match"
			}
		}
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
	ma, mb := u.members[ra], u.members[rb]
	if len(ma)+len(mb) > l.cfg.MaxClusterSize {
		return fmt.Sprintf("the cluster would hold %d records, more than %d", len(ma)+len(mb), l.cfg.MaxClusterSize)
	}
	if len(ma)+len(mb) > 2 {
		support, total := 0, 0
		for _, x := range ma {
			for _, y := range mb {
				if _, s := l.pairScore(x, y); s >= l.cfg.GuardThreshold {
					support++
				}
				total++
			}
		}
		if float64(support) < l.cfg.MinCrossLinkFraction*float64(total) {
			return fmt.Sprintf("chaining guard: only %d of the %d pairs across the two clusters reach the guard threshold", support, total)
		}
	}
	u.merge(ra, rb)
	return ""
}

func (u *unionFind) merge(ra, rb int32) {
	if len(u.members[ra]) < len(u.members[rb]) {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.members[ra] = append(u.members[ra], u.members[rb]...)
	u.members[rb] = nil
	if u.nn[ra] == "" {
		u.nn[ra] = u.nn[rb]
	}
}

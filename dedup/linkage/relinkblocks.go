package linkage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// The comparison of the affected blocks before and after a change: see "Candidate pairs" and
// "Oversized blocks" in the comment at the top of relink.go.

// spot is a record's place in the order of a block (compareSpots): its sort key for the block's
// kind and its ID, with the node of the version that holds it.
type spot struct {
	key, id string
	node    int32
}

func cmpSpot(a, b spot) int { return compareSpots(a.key, a.id, b.key, b.id) }

// spotOf returns the spot of a node's record in the blocks of kind.
func (r *relinker) spotOf(n int32, kind byte) spot {
	return spot{key: string(appendSortKey(nil, kind, &r.recs[n])), id: r.recs[n].id, node: n}
}

// change is what a change does to one affected block: the spots its changed and removed records
// held before (old) and those its changed records hold after (new), each sorted. A changed
// record that keeps the key may keep its spot: it is then in both.
type change struct {
	old, new []spot
}

// countBefore returns how many of spots (sorted) are ordered before s.
func countBefore(spots []spot, s spot) int {
	i, _ := slices.BinarySearchFunc(spots, s, cmpSpot)
	return i
}

// compareBlocks reads the affected blocks, finds the current edges of the changed records and
// the pairs of unchanged records that became or stopped being edges, and returns the seeds of
// the region: the changed and removed records and the ends of those pairs.
//
// A block at most MaxBlockSize records large before or after the change is read whole (it is
// small, or at most MaxBlockSize plus the records the change took out of it); of one oversized
// both times, only the neighbourhood of the change's spots.
func (r *relinker) compareBlocks(ctx context.Context) ([]int32, error) {
	keys, seeds := r.affectedBlocks()
	nbs, err := r.neighbourhoods(ctx, keys)
	if err != nil {
		return nil, err
	}
	var whole []BlockKey
	var withChanged, moved []uint64
	var need []int32 // the records the pairs found need, to be scored
	for i, k := range keys {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := r.changes[k]
		before := nbs[k].Size
		if after := before - len(c.old) + len(c.new); before <= r.cfg.MaxBlockSize || after <= r.cfg.MaxBlockSize {
			whole = append(whole, k)
			continue
		}
		if withChanged, moved, need, err = r.nearPairs(k, nbs[k], withChanged, moved, need); err != nil {
			return nil, err
		}
	}
	if err := r.readBlocks(ctx, whole); err != nil {
		return nil, err
	}
	for _, k := range whole {
		for _, id := range r.blocks[k] {
			need = append(need, r.ids[id])
		}
	}
	if err := r.mustLoad(ctx, need, "block members"); err != nil {
		return nil, err
	}
	for i, k := range whole {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		b, a, err := r.members(k)
		if err != nil {
			return nil, err
		}
		oversized := len(b) > r.cfg.MaxBlockSize || len(a) > r.cfg.MaxBlockSize
		withChanged, moved = r.blockPairs(k.Kind, b, a, oversized, withChanged, moved)
	}
	for _, key := range sortUnique(withChanged) {
		if s := r.score(unpair(key)); s >= r.cfg.ReviewThreshold {
			r.newEdges[key] = s
		}
	}
	flips, err := r.flips(ctx, sortUnique(moved))
	if err != nil {
		return nil, err
	}
	for _, key := range flips {
		a, b := unpair(key)
		seeds = append(seeds, a, b)
	}
	return seeds, nil
}

// affectedBlocks finds the blocks a changed or removed record holds the key of, in its previous
// or its current version, and the spots the change takes out of and puts in each. It returns
// them, in the order met, with the changed and removed records as seeds.
func (r *relinker) affectedBlocks() ([]BlockKey, []int32) {
	var keys []BlockKey
	var seeds []int32
	add := func(n int32, isNew bool) {
		for _, k := range r.keysOf(n) {
			c := r.changes[k]
			if c == nil {
				c = &change{}
				r.changes[k] = c
				r.affected[k] = true
				keys = append(keys, k)
			}
			if isNew {
				r.holders[k] = append(r.holders[k], n)
				c.new = append(c.new, r.spotOf(n, k.Kind))
			} else {
				c.old = append(c.old, r.spotOf(n, k.Kind))
			}
		}
	}
	for n := range int32(len(r.recs)) {
		switch r.kind[n] {
		case nodeChanged:
			add(n, true)
			seeds = append(seeds, n)
		case nodeBefore:
			add(n, false)
		case nodeRemoved:
			add(n, false)
			seeds = append(seeds, n)
		}
	}
	for _, k := range keys {
		slices.SortFunc(r.changes[k].old, cmpSpot)
		slices.SortFunc(r.changes[k].new, cmpSpot)
	}
	return keys, seeds
}

// neighbourhoods reads the size of every affected block and its members within BlockWindow-1
// places of every spot the change takes out or puts in (see "Oversized blocks" at the top of
// relink.go for why that is enough).
func (r *relinker) neighbourhoods(ctx context.Context, keys []BlockKey) (map[BlockKey]Neighbourhood, error) {
	var pos []Position
	for _, k := range keys {
		for _, spots := range [2][]spot{r.changes[k].old, r.changes[k].new} {
			for _, s := range spots {
				pos = append(pos, Position{Block: k, Sort: s.key, ID: s.id})
			}
		}
	}
	if len(pos) == 0 {
		return nil, nil
	}
	nbs, err := r.st.Neighbours(ctx, pos, r.cfg.BlockWindow-1)
	if err != nil {
		return nil, fmt.Errorf("linkage: relink: reading the neighbourhoods of %d changed spots in %d blocks: %w", len(pos), len(keys), err)
	}
	return nbs, nil
}

// placed is a member of an affected block oversized before and after the change, with its
// rank in the block before and after the change (before is -1 for a changed record's new spot).
type placed struct {
	node  int32
	place [2]int
	isNew bool
}

// nearPairs compares an affected block oversized before and after the change from the
// neighbourhood of the change's spots (nb): it appends to withChanged the pairs the block
// generates after the change with a changed record, to moved the pairs of unchanged records it
// generates only before or only after, and to need the unchanged records of those pairs. It
// keeps the places of the unchanged members read in r.near, for generated.
func (r *relinker) nearPairs(k BlockKey, nb Neighbourhood, withChanged, moved []uint64, need []int32) ([]uint64, []uint64, []int32, error) {
	c := r.changes[k]
	if len(nb.Members) == 0 {
		return nil, nil, nil, fmt.Errorf("linkage: relink: the state's block %c/%x holds %d records but none near the %d spots asked for; the state is inconsistent", k.Kind, k.Hash, nb.Size, len(c.old)+len(c.new))
	}
	ms := slices.Clone(nb.Members)
	slices.SortFunc(ms, func(a, b Member) int { return cmp.Compare(a.Rank, b.Rank) })
	// the members read: the unchanged ones with their places before and after, and the old
	// spots, which must all be there
	var same []placed
	taken := 0
	for _, m := range ms {
		n, s := r.node(m.ID), spot{key: m.Sort, id: m.ID}
		if !r.touched(n) {
			after := m.Rank - countBefore(c.old, s) + countBefore(c.new, s)
			same = append(same, placed{node: n, place: [2]int{m.Rank, after}})
			continue
		}
		if _, ok := slices.BinarySearchFunc(c.old, s, cmpSpot); !ok {
			return nil, nil, nil, fmt.Errorf("linkage: relink: the state's block %c/%x holds record %q with sort key %q, which its previous version does not have there; the state is inconsistent", k.Kind, k.Hash, m.ID, m.Sort)
		}
		taken++
	}
	if taken != len(c.old) {
		return nil, nil, nil, fmt.Errorf("linkage: relink: the state's block %c/%x lacks %d of the %d spots its changed and removed records held there; the state is inconsistent", k.Kind, k.Hash, len(c.old)-taken, len(c.old))
	}
	// the new spots' places after the change: their insertion point among the members before,
	// moved by the spots taken out and put in before them
	all := slices.Clone(same)
	for _, t := range c.new {
		i, _ := slices.BinarySearchFunc(ms, t, func(m Member, t spot) int { return compareSpots(m.Sort, m.ID, t.key, t.id) })
		p := 0
		if i > 0 {
			p = ms[i-1].Rank + 1
		}
		all = append(all, placed{node: t.node, place: [2]int{-1, p - countBefore(c.old, t) + countBefore(c.new, t)}, isNew: true})
	}
	w := r.cfg.BlockWindow
	slices.SortFunc(all, func(a, b placed) int { return cmp.Compare(a.place[1], b.place[1]) })
	for i, x := range all {
		for _, y := range all[i+1:] {
			if y.place[1]-x.place[1] >= w {
				break
			}
			if x.isNew || y.isNew {
				withChanged = append(withChanged, pairKey(x.node, y.node))
				need = append(need, x.node, y.node)
			}
		}
	}
	// same is in the order of both sides: a pair is generated before when its ranks before are
	// less than the window apart, after when its ranks after are
	for i, x := range same {
		for _, y := range same[i+1:] {
			before, after := y.place[0]-x.place[0] < w, y.place[1]-x.place[1] < w
			if !before && !after {
				break
			}
			if before != after {
				moved = append(moved, pairKey(x.node, y.node))
				need = append(need, x.node, y.node)
			}
		}
	}
	at := make(map[int32][2]int, len(same))
	for _, x := range same {
		at[x.node] = x.place
	}
	r.near[k] = at
	return withChanged, moved, need, nil
}

// members returns the members of an affected block read whole before and after the change,
// each in ID order, as entries of the nodes of the version they had.
func (r *relinker) members(k BlockKey) (before, after []blockEntry, err error) {
	for _, id := range r.blocks[k] {
		n := r.ids[id]
		switch r.kind[n] {
		case nodeChanged:
			b, ok := r.before[n]
			if !ok {
				return nil, nil, fmt.Errorf("linkage: relink: the state's block members name record %q, which its Records does not hold; the state is inconsistent", id)
			}
			before = append(before, blockEntry{rec: b})
		case nodeSame, nodeRemoved:
			before = append(before, blockEntry{rec: n})
			if r.kind[n] == nodeSame {
				after = append(after, blockEntry{rec: n})
			}
		}
	}
	for _, n := range r.holders[k] {
		after = append(after, blockEntry{rec: n})
	}
	byID := func(a, b blockEntry) int { return cmp.Compare(r.recs[a.rec].id, r.recs[b.rec].id) }
	slices.SortFunc(before, byID)
	slices.SortFunc(after, byID)
	return before, after, nil
}

// blockPairs appends to withChanged the pairs a block read whole generates with a changed
// record after the change and, when the block is oversized before or after, to moved the pairs
// of unchanged records it generates before and not after, or after and not before. (A block
// small both times generates all pairs of its unchanged records both times.)
func (r *relinker) blockPairs(kind byte, b, a []blockEntry, oversized bool, withChanged, moved []uint64) ([]uint64, []uint64) {
	before, after := r.scratch[0][:0], r.scratch[1][:0]
	if oversized && len(b) > 1 {
		r.bp.pairs(kind, r.recs, b, func(x, y int32) {
			if r.kind[x] == nodeSame && r.kind[y] == nodeSame {
				before = append(before, pairKey(x, y))
			}
		})
	}
	if len(a) > 1 {
		r.bp.pairs(kind, r.recs, a, func(x, y int32) {
			switch {
			case r.kind[x] == nodeChanged || r.kind[y] == nodeChanged:
				withChanged = append(withChanged, pairKey(x, y))
			case oversized:
				after = append(after, pairKey(x, y))
			}
		})
	}
	slices.Sort(before)
	slices.Sort(after)
	i, j := 0, 0
	for i < len(before) || j < len(after) {
		switch {
		case j == len(after) || (i < len(before) && before[i] < after[j]):
			moved = append(moved, before[i])
			i++
		case i == len(before) || after[j] < before[i]:
			moved = append(moved, after[j])
			j++
		default:
			i++
			j++
		}
	}
	r.scratch[0], r.scratch[1] = before, after
	return withChanged, moved
}

// flips returns the pairs among moved (of unchanged records, generated by an affected block
// only before or only after the change), scoring at least ReviewThreshold, that are candidates
// before and not after, or after and not before, and records them as dropped or new edges.
func (r *relinker) flips(ctx context.Context, moved []uint64) ([]uint64, error) {
	scores := make(map[uint64]float64)
	var edges []uint64
	for _, k := range moved {
		if s := r.score(unpair(k)); s >= r.cfg.ReviewThreshold {
			scores[k] = s
			edges = append(edges, k)
		}
	}
	before, after, err := r.generated(ctx, edges)
	if err != nil {
		return nil, err
	}
	var flipped []uint64
	for n, k := range edges {
		switch {
		case after[n] && !before[n]:
			r.newEdges[k] = scores[k]
		case before[n] && !after[n]:
			r.dropped[k] = true
		default:
			continue
		}
		flipped = append(flipped, k)
	}
	return flipped, nil
}

// generated reports, for each pair of unchanged records, whether some block the two share
// generates it before the change and after it. An affected block read whole says so by its
// windows; one oversized both times by the ranks of the two, when both were read near the
// change. Every other block the two share (unaffected, or affected but the pair is not near the
// change) generates the pair both times or neither: it is looked into only where the others
// disagree, with one more query of the neighbourhood of one of the two.
func (r *relinker) generated(ctx context.Context, pairs []uint64) (before, after []bool, err error) {
	before, after = make([]bool, len(pairs)), make([]bool, len(pairs))
	same := make([][]BlockKey, len(pairs)) // the blocks generating the pair both times or neither
	for n, k := range pairs {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		a, b := unpair(k)
		kb := r.keysOf(b)
		for _, key := range r.keysOf(a) {
			if !slices.Contains(kb, key) {
				continue
			}
			g, known, err := r.generatedBy(key, a, b)
			if err != nil {
				return nil, nil, err
			}
			if !known {
				same[n] = append(same[n], key)
				continue
			}
			before[n], after[n] = before[n] || g[0], after[n] || g[1]
		}
	}
	var undecided []int
	var pos []Position
	for n := range pairs {
		if before[n] != after[n] && len(same[n]) > 0 {
			undecided = append(undecided, n)
			a, _ := unpair(pairs[n])
			for _, key := range same[n] {
				s := r.spotOf(a, key.Kind)
				pos = append(pos, Position{Block: key, Sort: s.key, ID: s.id})
			}
		}
	}
	if len(pos) == 0 {
		return before, after, nil
	}
	nbs, err := r.st.Neighbours(ctx, pos, r.cfg.BlockWindow-1)
	if err != nil {
		return nil, nil, fmt.Errorf("linkage: relink: reading the neighbourhoods of %d records in their blocks: %w", len(pos), err)
	}
	ranks := make(map[BlockKey]map[string]int)
	for _, n := range undecided {
		a, b := unpair(pairs[n])
		for _, key := range same[n] {
			g, err := r.neighbourhoodGenerates(key, nbs[key], ranks, a, b)
			if err != nil {
				return nil, nil, err
			}
			before[n], after[n] = before[n] || g, after[n] || g
		}
	}
	return before, after, nil
}

// generatedBy reports whether an affected block generates the pair of unchanged records a and
// b before and after the change, when that is known from what compareBlocks read; known is
// false for a block that generates the pair both times or neither.
func (r *relinker) generatedBy(key BlockKey, a, b int32) (g [2]bool, known bool, err error) {
	if !r.affected[key] {
		return g, false, nil
	}
	if at, ok := r.near[key]; ok {
		pa, okA := at[a]
		pb, okB := at[b]
		if !okA || !okB {
			return g, false, nil // not both near the change, so not moved by it
		}
		w := r.cfg.BlockWindow
		return [2]bool{abs(pa[0]-pb[0]) < w, abs(pa[1]-pb[1]) < w}, true, nil
	}
	ws, err := r.windowsOf(key)
	if err != nil {
		return g, false, err
	}
	return [2]bool{ws[0].generates(a, b, r.cfg.BlockWindow), ws[1].generates(a, b, r.cfg.BlockWindow)}, true, nil
}

// neighbourhoodGenerates reports whether a block generates the pair of a and b, from its
// neighbourhood around a (nb): all pairs when it is small, else the two must be less than the
// window apart. ranks caches the ranks of each block's members read.
func (r *relinker) neighbourhoodGenerates(key BlockKey, nb Neighbourhood, ranks map[BlockKey]map[string]int, a, b int32) (bool, error) {
	if nb.Size == 0 {
		return false, fmt.Errorf("linkage: relink: the state's block %c/%x holds no record, though the keys of records %q and %q name it; the state is inconsistent", key.Kind, key.Hash, r.recs[a].id, r.recs[b].id)
	}
	if nb.Size <= r.cfg.MaxBlockSize {
		return true, nil
	}
	rk, ok := ranks[key]
	if !ok {
		rk = make(map[string]int, len(nb.Members))
		for _, m := range nb.Members {
			rk[m.ID] = m.Rank
		}
		ranks[key] = rk
	}
	ra, ok := rk[r.recs[a].id]
	if !ok {
		return false, fmt.Errorf("linkage: relink: the state's block %c/%x does not hold record %q at its sort key, though the record's keys name it; the state is inconsistent", key.Kind, key.Hash, r.recs[a].id)
	}
	rb, ok := rk[r.recs[b].id]
	return ok && abs(ra-rb) < r.cfg.BlockWindow, nil
}

func abs(x int) int { return max(x, -x) }

// window is the order of a block's sliding window, as each member's position; nil for a
// block small enough for all its pairs.
type window map[int32]int

// generates reports whether a block generates the pair of its members a and b.
func (w window) generates(a, b int32, size int) bool {
	if w == nil {
		return true
	}
	d := w[a] - w[b]
	return d < size && -d < size
}

// windowsOf returns the windows before and after the change of an affected block read whole,
// computed once.
func (r *relinker) windowsOf(key BlockKey) ([2]window, error) {
	if w, ok := r.windows[key]; ok {
		return w, nil
	}
	b, a, err := r.members(key)
	if err != nil {
		return [2]window{}, err
	}
	var w [2]window
	for side, members := range [][]blockEntry{b, a} {
		if len(members) > r.cfg.MaxBlockSize {
			w[side] = make(window, len(members))
			for i, e := range r.bp.order(key.Kind, r.recs, members) {
				w[side][e.rec] = i
			}
		}
	}
	r.windows[key] = w
	return w, nil
}

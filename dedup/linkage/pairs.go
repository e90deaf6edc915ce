package linkage

import (
	"slices"
	"sort"
)

// candidatePairs holds the candidate pairs (i, j), i < j, by row, as a compressed sparse row
// table: the j of row i are js[start[i]:start[i+1]], ascending. A pair takes 4 bytes instead of
// the 8 of a pair key, and pair n of the table is the n-th pair in (i, j) order.
type candidatePairs struct {
	start []int // one per record, and one more
	js    []int32
}

func newCandidatePairs(records, capacity int) *candidatePairs {
	return &candidatePairs{start: make([]int, records+1), js: make([]int32, 0, capacity)}
}

func (c *candidatePairs) len() int { return len(c.js) }

// row returns the row of pair n.
func (c *candidatePairs) row(n int) int32 {
	return int32(sort.Search(len(c.start)-1, func(i int) bool { return c.start[i+1] > n }))
}

// cursor walks the pairs from n on; next returns pair n's key and moves to n+1.
type cursor struct {
	c *candidatePairs
	n int
	i int32
}

func (c *candidatePairs) cursor(n int) cursor { return cursor{c, n, c.row(n)} }

func (cu *cursor) next() uint64 {
	for cu.c.start[cu.i+1] <= cu.n {
		cu.i++
	}
	k := uint64(cu.i)<<32 | uint64(uint32(cu.c.js[cu.n]))
	cu.n++
	return k
}

// merge adds the pair keys of b (sorted and unique) that the table does not hold yet. It works
// in place, from the back, as mergeUnique does, growing js only if its capacity is short.
func (c *candidatePairs) merge(b []uint64) {
	if len(b) == 0 {
		return
	}
	n := len(c.js)
	c.js = slices.Grow(c.js, len(b))[:n+len(b)]
	js, start := c.js, c.start
	first, last := int(b[0]>>32), int(b[len(b)-1]>>32)
	// rows after last move up by len(b)
	tail := start[last+1]
	w := n + len(b)
	copy(js[tail+len(b):w], js[tail:n])
	for r := last + 1; r < len(start); r++ {
		start[r] += len(b)
	}
	w = tail + len(b)
	k := len(b) - 1
	oldHi := tail // the old end of row r
	for r := last; r >= first; r-- {
		oldLo := start[r]
		x := oldHi - 1
		for k >= 0 && int(b[k]>>32) == r {
			j := int32(uint32(b[k]))
			for x >= oldLo && js[x] > j {
				w--
				js[w] = js[x]
				x--
			}
			if x >= oldLo && js[x] == j {
				x--
			}
			w--
			js[w] = j
			k--
		}
		for ; x >= oldLo; x-- {
			w--
			js[w] = js[x]
		}
		start[r] = w
		oldHi = oldLo
	}
	// rows before first are in place and end at oldHi; close the gap the duplicates left
	if gap := w - oldHi; gap > 0 {
		copy(js[oldHi:], js[w:])
		c.js = js[:len(js)-gap]
		for r := first; r < len(start); r++ {
			start[r] -= gap
		}
	}
}

package linkage

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCandidatePairsMerge merges random batches into a table and checks it against the sorted
// union of the batches, read back in order with a cursor started anywhere.
func TestCandidatePairsMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, records := range []int{2, 3, 10, 200} {
		c := newCandidatePairs(records, 0)
		var want []uint64
		for range 30 {
			var batch []uint64
			for range rng.IntN(3 * records) {
				i, j := int32(rng.IntN(records)), int32(rng.IntN(records))
				if i != j {
					batch = append(batch, pairKey(i, j))
				}
			}
			slices.Sort(batch)
			batch = slices.Compact(batch)
			c.merge(batch)
			want = append(want, batch...)
			slices.Sort(want)
			want = slices.Compact(want)
			if c.len() != len(want) {
				t.Fatalf("%d records: %d pairs, want %d", records, c.len(), len(want))
			}
			for _, from := range []int{0, len(want) / 3, len(want) - 1} {
				if from < 0 {
					continue
				}
				cu := c.cursor(from)
				for n := from; n < len(want); n++ {
					if k := cu.next(); k != want[n] {
						t.Fatalf("%d records: pair %d is %x, want %x", records, n, k, want[n])
					}
				}
			}
		}
	}
}

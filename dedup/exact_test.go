package dedup

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestByExactKey checks that the records of one exact key come together, in ID order, whatever
// the hash: a real one, and hashes that collide for most keys or all of them.
func TestByExactKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var keys []string            // by record, in ID order
	want := map[string][]int32{} // each key's records, in ID order
	for i := range 3000 {
		k := ""
		if rng.IntN(5) > 0 {
			k = fmt.Sprintf("NAME%d|GIVEN%d|19%02d-01-01", rng.IntN(40), rng.IntN(5), rng.IntN(3))
			want[k] = append(want[k], int32(i))
		}
		keys = append(keys, k)
	}
	hashes := map[string]func(string) uint64{
		"maphash": exactKeyHash,
		"length":  func(s string) uint64 { return uint64(len(s) % 3) },
		"zero":    func(string) uint64 { return 0 },
	}
	for name, hash := range hashes {
		keyed := byExactKey(keys, hash)
		got := map[string][]int32{}
		for lo := 0; lo < len(keyed); {
			k := keys[keyed[lo]]
			hi := lo + 1
			for hi < len(keyed) && keys[keyed[hi]] == k {
				hi++
			}
			if _, seen := got[k]; seen {
				t.Errorf("%s: the records of key %s are not together", name, k)
			}
			got[k] = slices.Clone(keyed[lo:hi])
			lo = hi
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d keys, want %d", name, len(got), len(want))
		}
		for k, w := range want {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s: key %s has records %v, want %v", name, k, got[k], w)
			}
		}
	}
}

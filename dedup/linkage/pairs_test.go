package linkage

import (
	"context"
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

// TestCandidatePairsFollowIDOrder pins what compareOrdered and scoreOrdered rely on in Link: the
// records are prepared in ID order and a candidate pair's first index is the smaller, so its
// first record has the smaller ID; and the ordered forms give what the generic ones give.
func TestCandidatePairsFollowIDOrder(t *testing.T) {
	recs := records(generate(600, 9))
	rng := rand.New(rand.NewPCG(3, 4))
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	res, err := Link(t.Context(), recs, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLinker(t.Context(), recs, nil, DefaultConfig()) // the records as Link prepares them
	if err != nil {
		t.Fatal(err)
	}
	pairs, _, err := candidates(t.Context(), l.recs, l.cfg.MaxBlockSize, l.cfg.BlockWindow)
	if err != nil {
		t.Fatal(err)
	}
	if pairs.len() == 0 {
		t.Fatal("no candidate pairs: the test sees nothing")
	}
	cu := pairs.cursor(0)
	for range pairs.len() {
		a, b := unpair(cu.next())
		ra, rb := &l.recs[a], &l.recs[b]
		if ra.id >= rb.id {
			t.Fatalf("candidate pair (%d, %d): IDs %q and %q are not in order", a, b, ra.id, rb.id)
		}
		v := l.cmp.compareOrdered(ra, rb, nil)
		if w := l.cmp.compare(rb, ra); w != v {
			t.Fatalf("pair %s %s: compareOrdered %v, compare the other way round %v", ra.id, rb.id, v, w)
		}
		if s, w := res.Model.scoreOrdered(v, ra, rb), res.Model.score(v, rb, ra); s != w {
			t.Fatalf("pair %s %s: scoreOrdered %v, score the other way round %v", ra.id, rb.id, s, w)
		}
	}
}

// TestCandidatesOnAnyWorkers checks that the candidate pairs do not depend on how many
// goroutines find them: the entries' shares merge into one sort, and the pieces of blocks
// merge into one sorted set, oversized blocks (a small maximum makes many) included.
func TestCandidatesOnAnyWorkers(t *testing.T) {
	recs := records(generate(1500, 5))
	l, err := newLinker(t.Context(), recs, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, maxBlock := range []int{3, l.cfg.MaxBlockSize} {
		one, oversized, err := candidatesOn(t.Context(), l.recs, maxBlock, l.cfg.BlockWindow, 1)
		if err != nil {
			t.Fatal(err)
		}
		if one.len() == 0 || (maxBlock == 3 && oversized == 0) {
			t.Fatalf("max block %d: %d pairs, %d oversized blocks: the test sees nothing", maxBlock, one.len(), oversized)
		}
		for _, workers := range []int{2, 3, 8} {
			got, gotOversized, err := candidatesOn(t.Context(), l.recs, maxBlock, l.cfg.BlockWindow, workers)
			if err != nil {
				t.Fatal(err)
			}
			if gotOversized != oversized || !slices.Equal(got.js, one.js) || !slices.Equal(got.start, one.start) {
				t.Errorf("max block %d, %d workers: %d pairs (%d oversized), one worker %d (%d)",
					maxBlock, workers, got.len(), gotOversized, one.len(), oversized)
			}
		}
	}
}

// TestCandidatesCancelled stops at a cancelled context.
func TestCandidatesCancelled(t *testing.T) {
	l, err := newLinker(t.Context(), records(generate(300, 5)), nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, workers := range []int{1, 2} {
		if _, _, err := candidatesOn(ctx, l.recs, 3, l.cfg.BlockWindow, workers); err == nil {
			t.Errorf("%d workers: no error from a cancelled context", workers)
		}
	}
}

package linkage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The blocking keys of a record, each prefixed by its kind so that kinds never share a block:
//   - "N": the national number;
//   - "D": the birth date with day and month in ascending order, which covers swapped day and
//     month and any spelling of the names;
//   - "Y": the phonetic key of each name token (surname or given names, particles left out)
//     with the birth year; a token is in the same block whichever field it sits in, which covers
//     swapped surname and given names;
//   - "M": the day and month of birth (either order) with each given name token's phonetic key:
//     for a mistyped birth year together with a mistyped surname;
//   - "P": each surname token's key with each given name token's key, in alphabetical order,
//     without the year: for missing or mistyped birth dates;
//   - "S": each name token's key alone, for records with neither birth date nor the other name
//     field; common names make large blocks, which the sliding window keeps cheap.
//
// Blocks are found without holding the keys: a key is written into a buffer and kept as its
// 64-bit hash (hashKey), and the records' (hash, record) entries of one kind are sorted on the
// hash. Two different keys with the same hash only merge two blocks, which adds a few candidate
// pairs (and may shift an oversized block's window); the chance that any two of n distinct keys
// of one kind collide is about n²/2^65: 3 in a million for ten million keys.
const blockKinds = "NDYMPS"

// blockingKeys appends to buf the hashes of the blocking keys of kind of a record, sorted and
// unique, and returns it. kb is scratch space.
func blockingKeys(p *prepared, kind byte, buf []uint64, kb []byte) ([]uint64, []byte) {
	keys := buf[:0]
	add := func(b []byte) { keys = append(keys, hashKey(b)) }
	var sur, giv []string
	if kind != 'N' && kind != 'D' {
		sur, giv = p.surname.block, p.given.block
	}
	lo, hi := int(min(p.day, p.month)), int(max(p.day, p.month))
	switch kind {
	case 'N':
		if p.nn != "" {
			add(append(append(kb[:0], 'N'), p.nn...))
		}
	case 'D':
		if p.year != 0 {
			kb = strconv.AppendInt(append(kb[:0], 'D'), int64(p.year), 10)
			add(appendTwoDigits(appendTwoDigits(append(kb, '-'), lo), hi, '-'))
		}
	case 'Y':
		if p.year != 0 {
			kb = append(strconv.AppendInt(append(kb[:0], 'Y'), int64(p.year), 10), ' ')
			n := len(kb)
			for _, t := range sur {
				add(append(kb[:n], t...))
			}
			for _, t := range giv {
				add(append(kb[:n], t...))
			}
		}
	case 'M':
		if p.year != 0 {
			kb = append(appendTwoDigits(appendTwoDigits(append(kb[:0], 'M'), lo), hi, '-'), ' ')
			n := len(kb)
			for _, t := range giv {
				add(append(kb[:n], t...))
			}
		}
	case 'P':
		for _, s := range sur {
			for _, g := range giv {
				a, b := min(s, g), max(s, g)
				add(append(append(append(append(kb[:0], 'P'), a...), ' '), b...))
			}
		}
	case 'S':
		if p.year == 0 || len(sur) == 0 || len(giv) == 0 {
			for _, t := range sur {
				add(append(append(kb[:0], 'S'), t...))
			}
			for _, t := range giv {
				add(append(append(kb[:0], 'S'), t...))
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), kb
}

// appendTwoDigits appends v (0 to 99) in two digits, after sep when sep is not 0.
func appendTwoDigits(b []byte, v int, sep ...byte) []byte {
	b = append(b, sep...)
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// hashKey is a 64-bit hash of a blocking key, fixed so that runs are reproducible.
func hashKey(b []byte) uint64 {
	h := 0x9e3779b97f4a7c15 ^ uint64(len(b))*0xff51afd7ed558ccd
	for len(b) >= 8 {
		h = mix64(h ^ binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	return mix64(h ^ t)
}

// mix64 is the finaliser of MurmurHash3: a bijection that spreads every input bit.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// appendSortKey appends the key that orders the records of an oversized block of kind for the
// sliding window, so that records that look alike sit close together: what the block's kind
// does not already share, each part ending with '|'. Records with equal keys are ordered by ID
// (see compareSpots). Normalised names hold letters, digits and spaces only, so every key of a
// kind holds the same number of '|': no key is a proper prefix of another, and ordering by the
// key then the ID is ordering by the key with the ID appended, as Link did before the key was
// stored apart from the ID.
func appendSortKey(b []byte, kind byte, p *prepared) []byte {
	lo, hi := int(min(p.day, p.month)), int(max(p.day, p.month))
	names := func(b []byte) []byte {
		return append(append(append(b, p.surname.phonKey...), '|'), p.given.phonKey...)
	}
	date := func(b []byte) []byte {
		return appendTwoDigits(appendTwoDigits(appendTwoDigits(appendTwoDigits(b, int(p.year)/100), int(p.year)%100), lo), hi)
	}
	switch kind {
	case 'D', 'N':
		b = names(b)
	case 'Y':
		b = names(append(appendTwoDigits(appendTwoDigits(b, lo), hi), '|'))
	case 'M':
		b = appendTwoDigits(appendTwoDigits(append(names(b), '|'), int(p.year)/100), int(p.year)%100)
	case 'P':
		b = names(append(date(b), '|'))
	default:
		b = date(append(names(b), '|'))
	}
	return append(b, '|')
}

// compareSpots orders the members of an oversized block: by sort key (appendSortKey), then by
// record ID, both bytewise. A record holds one spot in each block it belongs to, so the order is
// total. Package dedup's state sorts the same way in SQL (ORDER BY sort_key, record).
func compareSpots(keyA, idA, keyB, idB string) int {
	if c := strings.Compare(keyA, keyB); c != 0 {
		return c
	}
	return strings.Compare(idA, idB)
}

// blockEntry is one blocking key of one record, as its hash.
type blockEntry struct {
	h   uint64
	rec int32
}

// candidates returns the candidate pairs, and how many blocks were too large for all-pairs
// comparison.
//
// It works one kind of key at a time, so that only one kind's entries are held. A first pass
// counts the pairs the blocks make, duplicates included, which bounds the unique pairs, so that
// the pairs are allocated once; the second makes them in batches, each sorted and merged into
// the pairs of the batches before, so that neither the duplicates nor a grown copy of the pairs
// are ever held. Both passes run on every core (see candidatesOn).
func candidates(ctx context.Context, recs []prepared, maxBlock, window int) (*candidatePairs, int, error) {
	workers := min(runtime.GOMAXPROCS(0), maxCandidateWorkers, max(1, len(recs)/parallelChunk))
	return candidatesOn(ctx, recs, maxBlock, window, workers)
}

// maxCandidateWorkers bounds the goroutines of candidates: each holds a batch of fresh pairs.
const maxCandidateWorkers = 8

// candidatesOn is candidates on the given number of goroutines. The result does not depend on
// it: each worker works out the entries of its share of the records and sorts them, and the
// shares are merged into the order of one sort on (hash, record); the blocks are then shared
// out in pieces, each worker sorting its batches of pairs and merging them into the table one
// at a time, and the table is a sorted set.
func candidatesOn(ctx context.Context, recs []prepared, maxBlock, window, workers int) (*candidatePairs, int, error) {
	es := entrySorter{parts: make([][]blockEntry, workers)}
	bound := 0
	for _, kind := range []byte(blockKinds) {
		ents, err := es.sorted(ctx, recs, kind)
		if err != nil {
			return nil, 0, err
		}
		err = blocks(ctx, ents, func(members []blockEntry) {
			n := len(members)
			if n <= maxBlock {
				bound += n * (n - 1) / 2
				return
			}
			for x := range n {
				bound += min(window-1, n-1-x)
			}
		})
		if err != nil {
			return nil, 0, err
		}
	}
	pairs := newCandidatePairs(len(recs), bound)
	freshCap := max(min(bound, 1<<16), bound/16)
	var mu sync.Mutex // guards pairs
	type worker struct {
		bp        blockPairer
		fresh     []uint64
		oversized int
	}
	ws := make([]worker, workers)
	flush := func(w *worker) {
		slices.Sort(w.fresh)
		fresh := slices.Compact(w.fresh)
		mu.Lock()
		pairs.merge(fresh)
		mu.Unlock()
		w.fresh = w.fresh[:0]
	}
	for i := range ws {
		ws[i].bp = blockPairer{maxBlock: maxBlock, window: window}
	}
	for _, kind := range []byte(blockKinds) {
		ents, err := es.sorted(ctx, recs, kind)
		if err != nil {
			return nil, 0, err
		}
		cuts := blockCuts(ents, workers*64)
		var next atomic.Int64
		var wg sync.WaitGroup
		for i := range ws {
			w := &ws[i]
			wg.Go(func() {
				emit := func(a, b int32) {
					if len(w.fresh) == cap(w.fresh) {
						if cap(w.fresh) == 0 {
							w.fresh = make([]uint64, 0, freshCap)
						} else {
							flush(w)
						}
					}
					w.fresh = append(w.fresh, pairKey(a, b))
				}
				for {
					p := int(next.Add(1)) - 1
					if p+1 >= len(cuts) || ctx.Err() != nil {
						return
					}
					blocks(ctx, ents[cuts[p]:cuts[p+1]], func(members []blockEntry) {
						if w.bp.pairs(kind, recs, members, emit) {
							w.oversized++
						}
					})
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
	}
	oversized := 0
	for i := range ws {
		flush(&ws[i])
		oversized += ws[i].oversized
	}
	return pairs, oversized, nil
}

// blocks calls f with each block of two records or more of ents, sorted entries of one kind.
func blocks(ctx context.Context, ents []blockEntry, f func(members []blockEntry)) error {
	n := 0
	for lo := 0; lo < len(ents); {
		hi := lo + 1
		for hi < len(ents) && ents[hi].h == ents[lo].h {
			hi++
		}
		if hi-lo > 1 {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			f(ents[lo:hi])
		}
		lo = hi
	}
	return nil
}

// blockCuts cuts sorted entries into about pieces pieces of whole blocks: cuts[p] to cuts[p+1]
// is piece p.
func blockCuts(ents []blockEntry, pieces int) []int {
	cuts := []int{0}
	for p := 1; p < pieces; p++ {
		at := max(len(ents)*p/pieces, cuts[len(cuts)-1])
		for at > 0 && at < len(ents) && ents[at].h == ents[at-1].h {
			at++
		}
		if at > cuts[len(cuts)-1] && at < len(ents) {
			cuts = append(cuts, at)
		}
	}
	return append(cuts, len(ents))
}

// entrySorter works out the sorted entries of one kind of key, one share of the records per
// part, keeping its buffers from one kind to the next.
type entrySorter struct {
	parts [][]blockEntry // one per worker: the entries of a contiguous share of the records
	out   []blockEntry   // the parts merged
}

// sorted returns the entries of kind of every record, sorted on (hash, record). The result holds
// until the next call.
func (es *entrySorter) sorted(ctx context.Context, recs []prepared, kind byte) ([]blockEntry, error) {
	n := len(es.parts)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			lo, hi := len(recs)*w/n, len(recs)*(w+1)/n
			var hs []uint64
			var kb []byte
			ents := es.parts[w][:0]
			for i := lo; i < hi; i++ {
				if (i-lo)%4096 == 0 && ctx.Err() != nil {
					return
				}
				hs, kb = blockingKeys(&recs[i], kind, hs, kb)
				for _, h := range hs {
					ents = append(ents, blockEntry{h, int32(i)})
				}
			}
			slices.SortFunc(ents, compareEntries)
			es.parts[w] = ents
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n == 1 {
		return es.parts[0], nil
	}
	total := 0
	for _, p := range es.parts {
		total += len(p)
	}
	es.out = slices.Grow(es.out[:0], total)
	heads := make([]int, n)
	for range total {
		best := -1
		for w, p := range es.parts {
			if heads[w] < len(p) && (best < 0 || compareEntries(p[heads[w]], es.parts[best][heads[best]]) < 0) {
				best = w
			}
		}
		es.out = append(es.out, es.parts[best][heads[best]])
		heads[best]++
	}
	return es.out, nil
}

func compareEntries(a, b blockEntry) int {
	if c := cmp.Compare(a.h, b.h); c != 0 {
		return c
	}
	return cmp.Compare(a.rec, b.rec)
}

// blockPairer makes the candidate pairs of one block at a time, keeping its scratch space from
// one block to the next. Link and Relink share it, so that they find the same pairs.
type blockPairer struct {
	maxBlock, window int
	sorted           []keyed
	arena            []byte // the sort keys of one oversized block
}

// keyed is a member of an oversized block with its sort key, arena[off:end].
type keyed struct {
	off, end int
	rec      int32
}

// pairs calls emit with every pair that a block of kind generates: all pairs when it holds at
// most maxBlock records, else the pairs of a sliding window of window records over the members
// sorted on appendSortKey then ID. members index recs and must be in record ID order, as candidates
// finds them, so that the sort sees them in the same order in every run. It reports whether
// the block was oversized.
func (bp *blockPairer) pairs(kind byte, recs []prepared, members []blockEntry, emit func(a, b int32)) bool {
	if len(members) <= bp.maxBlock {
		for x := range members {
			for y := x + 1; y < len(members); y++ {
				emit(members[x].rec, members[y].rec)
			}
		}
		return false
	}
	sorted := bp.order(kind, recs, members)
	for x := range sorted {
		for y := x + 1; y < len(sorted) && y < x+bp.window; y++ {
			emit(sorted[x].rec, sorted[y].rec)
		}
	}
	return true
}

// order returns the members of an oversized block in the order of its sliding window
// (compareSpots). The result holds until the next call.
func (bp *blockPairer) order(kind byte, recs []prepared, members []blockEntry) []keyed {
	bp.sorted, bp.arena = bp.sorted[:0], bp.arena[:0]
	for _, m := range members {
		off := len(bp.arena)
		bp.arena = appendSortKey(bp.arena, kind, &recs[m.rec])
		bp.sorted = append(bp.sorted, keyed{off, len(bp.arena), m.rec})
	}
	arena := bp.arena
	slices.SortFunc(bp.sorted, func(a, b keyed) int {
		if c := bytes.Compare(arena[a.off:a.end], arena[b.off:b.end]); c != 0 {
			return c
		}
		return strings.Compare(recs[a.rec].id, recs[b.rec].id)
	})
	return bp.sorted
}

func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(uint32(b))
}

func unpair(k uint64) (int32, int32) { return int32(k >> 32), int32(uint32(k)) }

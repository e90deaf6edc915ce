package linkage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// blockingKeys returns the blocking keys of a record, each prefixed by its kind so that kinds
// never share a block:
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
func blockingKeys(p *prepared, buf []string) []string {
	keys := buf[:0]
	if p.nn != "" {
		keys = append(keys, "N"+p.nn)
	}
	sur, giv := blockTokens(&p.surname), blockTokens(&p.given)
	if p.year != 0 {
		year := strconv.Itoa(p.year)
		lo, hi := min(p.day, p.month), max(p.day, p.month)
		keys = append(keys, fmt.Sprintf("D%s-%02d-%02d", year, lo, hi))
		for _, t := range sur {
			keys = append(keys, "Y"+year+" "+t)
		}
		for _, t := range giv {
			keys = append(keys, "Y"+year+" "+t)
			keys = append(keys, fmt.Sprintf("M%02d-%02d %s", lo, hi, t))
		}
	}
	for _, s := range sur {
		for _, g := range giv {
			a, b := min(s, g), max(s, g)
			keys = append(keys, "P"+a+" "+b)
		}
	}
	if p.year == 0 || len(sur) == 0 || len(giv) == 0 {
		for _, t := range sur {
			keys = append(keys, "S"+t)
		}
		for _, t := range giv {
			keys = append(keys, "S"+t)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// blockTokens returns the phonetic keys of a name's tokens, particles left out.
func blockTokens(n *name) []string {
	var out []string
	for _, t := range n.tokens {
		if !isParticle(t) {
			out = append(out, Phonetic(t))
		}
	}
	return out
}

// sortKey orders the records of an oversized block for the sliding window so that records
// that look alike sit close together: by what the block's kind does not already share.
func sortKey(kind byte, p *prepared) string {
	lo, hi := min(p.day, p.month), max(p.day, p.month)
	names := p.surname.phonKey + "|" + p.given.phonKey
	switch kind {
	case 'D', 'N':
		return names + "|" + p.id
	case 'Y':
		return fmt.Sprintf("%02d%02d|%s|%s", lo, hi, names, p.id)
	case 'M':
		return fmt.Sprintf("%s|%04d|%s", names, p.year, p.id)
	case 'P':
		return fmt.Sprintf("%04d%02d%02d|%s|%s", p.year, lo, hi, names, p.id)
	}
	return fmt.Sprintf("%s|%04d%02d%02d|%s", names, p.year, lo, hi, p.id)
}

// candidates returns the candidate pairs as i<<32|j with i < j, sorted and unique, and how many
// blocks were too large for all-pairs comparison.
func candidates(ctx context.Context, recs []prepared, maxBlock, window int) ([]uint64, int, error) {
	blocks := make(map[string][]int32)
	var buf []string
	for i := range recs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		buf = blockingKeys(&recs[i], buf)
		for _, k := range buf {
			blocks[k] = append(blocks[k], int32(i))
		}
	}
	keys := make([]string, 0, len(blocks))
	for k, members := range blocks {
		if len(members) > 1 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var pairs []uint64
	oversized := 0
	for n, k := range keys {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		members := blocks[k]
		if len(members) <= maxBlock {
			for x := range members {
				for y := x + 1; y < len(members); y++ {
					pairs = append(pairs, pairKey(members[x], members[y]))
				}
			}
			continue
		}
		oversized++
		sorted := slices.Clone(members)
		sk := make(map[int32]string, len(sorted))
		for _, m := range sorted {
			sk[m] = sortKey(k[0], &recs[m])
		}
		slices.SortFunc(sorted, func(a, b int32) int { return strings.Compare(sk[a], sk[b]) })
		for x := range sorted {
			for y := x + 1; y < len(sorted) && y < x+window; y++ {
				pairs = append(pairs, pairKey(sorted[x], sorted[y]))
			}
		}
	}
	slices.Sort(pairs)
	return slices.Compact(pairs), oversized, nil
}

func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(uint32(b))
}

func unpair(k uint64) (int32, int32) { return int32(k >> 32), int32(uint32(k)) }

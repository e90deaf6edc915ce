package linkage

import (
	"context"
	"strings"
	"testing"
)

func TestDiag3(t *testing.T) {
	trs := generate(3000, 42)
	cfg := DefaultConfig()
	cfg.MatchThreshold = 4
	cfg.ReviewThreshold = -100
	res, err := Link(context.Background(), records(trs), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	person := map[string]int{}
	rec := map[string]Record{}
	for _, r := range trs {
		person[r.ID] = r.person
		rec[r.ID] = r.Record
	}
	cand := map[[2]string]Pair{}
	notes := map[string]int{}
	for _, p := range res.Pairs {
		cand[[2]string{p.A, p.B}] = p
		if p.Note != "" {
			k := p.Note
			if i := strings.Index(k, ":"); i > 0 {
				k = k[:i+20]
			}
			if person[p.A] == person[p.B] {
				k = "TRUE " + k
			}
			notes[k]++
		}
	}
	for k, v := range notes {
		t.Logf("note %q: %d", k, v)
	}
	byPerson := map[int][]string{}
	for _, r := range trs {
		byPerson[r.person] = append(byPerson[r.person], r.ID)
	}
	missedNotCand, missedLow, splitPersons := 0, 0, 0
	for _, ids := range byPerson {
		split := false
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				a, b := min(ids[i], ids[j]), max(ids[i], ids[j])
				if res.Cluster[a] == res.Cluster[b] {
					continue
				}
				split = true
				if p, ok := cand[[2]string{a, b}]; !ok {
					missedNotCand++
					if missedNotCand%12 == 0 {
						t.Logf("NOTCAND\n  %+v\n  %+v", rec[a], rec[b])
					}
				} else {
					missedLow++
					if missedLow%15 == 0 {
						lv := []string{}
						for _, f := range p.Comparison.Fields {
							lv = append(lv, string(f.Level))
						}
						t.Logf("LOW %.1f %v\n  %+v\n  %+v", p.Score, lv, rec[a], rec[b])
					}
				}
			}
		}
		if split {
			splitPersons++
		}
	}
	t.Logf("missed pairs not candidates %d, candidates %d; split persons %d", missedNotCand, missedLow, splitPersons)
}

package linkage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// memState is the state a run leaves, in memory: the State of package dedup without DuckDB.
type memState struct {
	recs      map[string]Record
	keys      map[string][]BlockKey // by record
	sorts     map[string][]SortKey  // by record
	cluster   map[string]string
	pairs     []Pair
	edges     []Edge
	decisions []Decision
	// indexes of keys and edges, rebuilt by index
	members map[BlockKey][]string
	ordered map[BlockKey][]Member // members in the block's order, with their ranks
	byEnd   map[string][]int      // edges by record, as indexes into edges
	calls   map[string]int        // calls per method
}

// newMemState returns the state Link left after linking recs with decisions.
func newMemState(recs []Record, decisions []Decision, res Result) *memState {
	s := &memState{recs: make(map[string]Record, len(recs)), keys: make(map[string][]BlockKey, len(recs)),
		sorts: make(map[string][]SortKey, len(recs)), cluster: res.Cluster, pairs: res.Pairs, edges: res.Edges,
		decisions: slices.Clone(decisions)}
	for _, r := range recs {
		s.recs[r.ID] = r
		s.keys[r.ID], s.sorts[r.ID] = Keys(r)
	}
	s.index()
	return s
}

func (s *memState) index() {
	s.members = make(map[BlockKey][]string)
	s.ordered = make(map[BlockKey][]Member)
	for _, id := range sortedKeys(s.keys) {
		for _, k := range s.keys[id] {
			s.members[k] = append(s.members[k], id)
			s.ordered[k] = append(s.ordered[k], Member{ID: id, Sort: sortKeyOf(s.sorts[id], k.Kind)})
		}
	}
	for _, ms := range s.ordered {
		slices.SortFunc(ms, func(a, b Member) int { return compareSpots(a.Sort, a.ID, b.Sort, b.ID) })
		for i := range ms {
			ms[i].Rank = i
		}
	}
	s.byEnd = make(map[string][]int)
	for i, e := range s.edges {
		s.byEnd[e.A] = append(s.byEnd[e.A], i)
		s.byEnd[e.B] = append(s.byEnd[e.B], i)
	}
	s.calls = make(map[string]int)
}

func (s *memState) Records(_ context.Context, ids []string) ([]Record, error) {
	s.calls["Records"]++
	var out []Record
	for _, id := range ids {
		if r, ok := s.recs[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *memState) BlockMembers(_ context.Context, keys []BlockKey) (map[BlockKey][]string, error) {
	s.calls["BlockMembers"]++
	out := make(map[BlockKey][]string, len(keys))
	for _, k := range keys {
		if m, ok := s.members[k]; ok {
			out[k] = m
		}
	}
	return out, nil
}

// sortKeyOf returns the sort key of kind among a record's sort keys.
func sortKeyOf(keys []SortKey, kind byte) string {
	for _, k := range keys {
		if k.Kind == kind {
			return k.Key
		}
	}
	return ""
}

func (s *memState) Neighbours(_ context.Context, positions []Position, n int) (map[BlockKey]Neighbourhood, error) {
	s.calls["Neighbours"]++
	near := make(map[BlockKey]map[int]bool)
	for _, p := range positions {
		ms := s.ordered[p.Block]
		at, _ := slices.BinarySearchFunc(ms, p, func(m Member, p Position) int { return compareSpots(m.Sort, m.ID, p.Sort, p.ID) })
		if near[p.Block] == nil {
			near[p.Block] = make(map[int]bool)
		}
		for i := max(at-n, 0); i <= at+n && i < len(ms); i++ {
			near[p.Block][i] = true
		}
	}
	out := make(map[BlockKey]Neighbourhood, len(near))
	for k, ranks := range near {
		if ms := s.ordered[k]; len(ms) > 0 {
			nb := Neighbourhood{Size: len(ms)}
			for _, i := range sortedKeys(ranks) {
				nb.Members = append(nb.Members, ms[i])
			}
			out[k] = nb
		}
	}
	return out, nil
}

func (s *memState) Edges(_ context.Context, ids []string) ([]Edge, error) {
	s.calls["Edges"]++
	seen := make(map[int]bool)
	var out []Edge
	for _, id := range ids {
		for _, i := range s.byEnd[id] {
			if !seen[i] {
				seen[i] = true
				out = append(out, s.edges[i])
			}
		}
	}
	return out, nil
}

func (s *memState) Decisions(context.Context) ([]Decision, error) {
	s.calls["Decisions"]++
	return s.decisions, nil
}

// apply returns the state after a Relink, as package dedup would write it.
func (s *memState) apply(d Delta, changed []Record, removed []string, decisions []Decision) *memState {
	region := make(map[string]bool, len(d.Region))
	for _, id := range d.Region {
		region[id] = true
	}
	n := &memState{recs: make(map[string]Record, len(s.recs)), keys: make(map[string][]BlockKey, len(s.keys)),
		sorts: make(map[string][]SortKey, len(s.sorts)), cluster: make(map[string]string, len(s.cluster)),
		decisions: slices.Clone(decisions)}
	for id, r := range s.recs {
		n.recs[id] = r
		n.keys[id] = s.keys[id]
		n.sorts[id] = s.sorts[id]
	}
	for _, id := range removed {
		delete(n.recs, id)
		delete(n.keys, id)
		delete(n.sorts, id)
	}
	for _, r := range changed {
		n.recs[r.ID] = r
		n.keys[r.ID] = d.Keys[r.ID]
		n.sorts[r.ID] = d.SortKeys[r.ID]
	}
	for id, c := range s.cluster {
		if !region[id] {
			n.cluster[id] = c
		}
	}
	for id, c := range d.Cluster {
		n.cluster[id] = c
	}
	for _, p := range s.pairs {
		if !region[p.A] && !region[p.B] {
			n.pairs = append(n.pairs, p)
		}
	}
	n.pairs = append(n.pairs, d.Pairs...)
	slices.SortFunc(n.pairs, func(a, b Pair) int { return cmpIDs(a.A, a.B, b.A, b.B) })
	for _, e := range s.edges {
		if !region[e.A] && !region[e.B] {
			n.edges = append(n.edges, e)
		}
	}
	n.edges = append(n.edges, d.Edges...)
	slices.SortFunc(n.edges, func(a, b Edge) int { return cmpIDs(a.A, a.B, b.A, b.B) })
	n.index()
	return n
}

func cmpIDs(a1, b1, a2, b2 string) int {
	if c := cmp.Compare(a1, a2); c != 0 {
		return c
	}
	return cmp.Compare(b1, b2)
}

// current returns the state's records in ID order.
func (s *memState) current() []Record {
	out := make([]Record, 0, len(s.recs))
	for _, id := range sortedKeys(s.recs) {
		out = append(out, s.recs[id])
	}
	return out
}

// relinkPopulation returns a synthetic population with some records lacking a birth date or a
// name field (so that every kind of blocking key is used) and some decisions.
func relinkPopulation(persons int, seed uint64) ([]Record, []Decision) {
	recs := records(generate(persons, seed))
	for i := range recs {
		switch i % 53 {
		case 3:
			recs[i].BirthDate = ""
		case 5:
			recs[i].BirthDate, recs[i].NationalNumber = "", ""
		case 7:
			recs[i].GivenNames = ""
		}
	}
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].ID
	}
	slices.Sort(ids)
	var ds []Decision
	for i := 0; i+1 < len(ids); i += 97 {
		ds = append(ds, Decision{A: ids[i+1], B: ids[i], Match: i%2 == 0})
	}
	return recs, ds
}

// changeRound makes one night of changes to the state's records: new records (variants of a
// record, joining its person; bridges taking the names of one record and the rest of another;
// copies filling a block to MaxBlockSize and past it), records removed (some emptying a block
// just past MaxBlockSize), records changed (names swapped or mistyped, national numbers given,
// taken or copied from another record, birth dates moved, a record turned into another) or
// given again unchanged, and decisions added, reversed and withdrawn.
type changeRound struct {
	rng       *rand.Rand
	s         *memState
	cfg       Config
	ids       []string // current IDs, sorted
	changed   map[string]Record
	removed   map[string]bool
	decisions []Decision
	next      *int
}

func (c *changeRound) pick() Record {
	for {
		id := c.ids[c.rng.IntN(len(c.ids))]
		if _, ch := c.changed[id]; !ch && !c.removed[id] {
			return c.s.recs[id]
		}
	}
}

// newID returns a new record ID: sorting first of all (so that it becomes the smallest ID of
// its cluster and national-number group), or right after an existing ID.
func (c *changeRound) newID(near string) string {
	*c.next++
	if c.rng.IntN(3) == 0 {
		return fmt.Sprintf("A%06d", *c.next)
	}
	return fmt.Sprintf("%s.%d", near, *c.next)
}

func (c *changeRound) tweak(r *Record) {
	switch c.rng.IntN(9) {
	case 0:
		r.Surname, r.GivenNames = r.GivenNames, r.Surname
	case 1:
		r.Surname = typo(c.rng, r.Surname)
	case 2:
		r.BirthDate = ""
	case 3:
		r.NationalNumber = ""
	case 4:
		o := c.pick()
		r.NationalNumber = o.NationalNumber // the other record's person, or none
	case 5:
		if r.BirthDate != "" {
			r.BirthDate = fmt.Sprintf("%04d%s", 1950+c.rng.IntN(56), r.BirthDate[4:])
		}
	case 6:
		r.GivenNames = ""
	case 7:
		r.Surname, r.GivenNames, r.BirthPlace = legacy(r.Surname), legacy(r.GivenNames), legacy(r.BirthPlace)
	}
}

func (c *changeRound) add(r Record) { c.changed[r.ID] = r }

func (c *changeRound) run(changes int) {
	for range changes {
		switch c.rng.IntN(11) {
		case 0, 1: // a variant of a record
			r := c.pick()
			r.ID = c.newID(r.ID)
			c.tweak(&r)
			c.add(r)
		case 2: // a bridge
			a, b := c.pick(), c.pick()
			b.ID, b.Surname, b.GivenNames = c.newID(a.ID), a.Surname, a.GivenNames
			c.add(b)
		case 3, 4: // removed
			c.removed[c.pick().ID] = true
		case 5, 6: // changed in place
			r := c.pick()
			c.tweak(&r)
			c.add(r)
		case 7: // turned into another record's copy
			r, o := c.pick(), c.pick()
			id := r.ID
			r = o
			r.ID = id
			c.add(r)
		case 8: // across MaxBlockSize
			c.crossBlockBoundary()
		case 9:
			c.decide()
		case 10: // given again as it was
			c.add(c.pick())
		}
	}
}

// crossBlockBoundary fills a block of MaxBlockSize records past it with a copy of a member, or
// empties one of MaxBlockSize+1 to it.
func (c *changeRound) crossBlockBoundary() {
	keys := sortedBlockKeys(c.s.members)
	for range 50 {
		k := keys[c.rng.IntN(len(keys))]
		m := c.s.members[k]
		switch len(m) {
		case c.cfg.MaxBlockSize:
			r := c.s.recs[m[c.rng.IntN(len(m))]]
			if _, ch := c.changed[r.ID]; ch || c.removed[r.ID] {
				continue
			}
			r.ID = c.newID(r.ID)
			c.add(r)
			return
		case c.cfg.MaxBlockSize + 1:
			id := m[c.rng.IntN(len(m))]
			if _, ch := c.changed[id]; ch {
				continue
			}
			c.removed[id] = true
			return
		}
	}
}

func sortedBlockKeys(m map[BlockKey][]string) []BlockKey {
	keys := make([]BlockKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b BlockKey) int {
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return cmp.Compare(a.Hash, b.Hash)
	})
	return keys
}

// decide adds a decision on a traced pair (a match on a review pair, a non-match on a linked
// one), reverses one, or withdraws one.
func (c *changeRound) decide() {
	switch c.rng.IntN(4) {
	case 0, 1:
		p := c.s.pairs[c.rng.IntN(len(c.s.pairs))]
		c.decisions = append(c.decisions, Decision{A: p.B, B: p.A, Match: p.Status != StatusMatch})
	case 2:
		if len(c.decisions) > 0 {
			d := c.decisions[c.rng.IntN(len(c.decisions))]
			c.decisions = append(c.decisions, Decision{A: d.A, B: d.B, Match: !d.Match})
		}
	case 3:
		if len(c.decisions) > 0 {
			i := c.rng.IntN(len(c.decisions))
			c.decisions = slices.Delete(c.decisions, i, i+1)
		}
	}
}

func (c *changeRound) result() ([]Record, []string) {
	var changed []Record
	for _, id := range sortedKeys(c.changed) {
		if !c.removed[id] {
			changed = append(changed, c.changed[id])
		}
	}
	var removed []string
	for _, id := range sortedKeys(c.removed) {
		if _, known := c.s.recs[id]; known {
			removed = append(removed, id)
		}
	}
	return changed, removed
}

// TestRelinkEqualsLink applies rounds of random changes to synthetic populations and checks
// after each that the previous state with Relink's delta applied is the state of a full Link
// with the same model over the current records: clusters, pairs (every field) and edges. The
// state of each round is the previous one with the delta applied, so that deltas compose.
func TestRelinkEqualsLink(t *testing.T) {
	small := DefaultConfig()
	small.MaxBlockSize, small.BlockWindow = 5, 3
	capped := DefaultConfig()
	capped.MaxBlockSize, capped.BlockWindow = 8, 4
	capped.MaxClusterSize, capped.MinCrossLinkFraction, capped.GuardThreshold = 3, 0.5, -1
	for _, run := range []struct {
		name    string
		persons int
		seed    uint64
		cfg     Config
		rounds  int
		changes int
	}{
		{"small blocks", 1500, 3, small, 8, 60},
		{"default", 1500, 4, DefaultConfig(), 6, 60},
		{"few changes", 800, 5, small, 6, 4},
		{"capped clusters, loose guard", 1000, 6, capped, 5, 40},
	} {
		t.Run(run.name, func(t *testing.T) {
			recs, ds := relinkPopulation(run.persons, run.seed)
			first, err := Link(t.Context(), recs, ds, run.cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg := run.cfg
			cfg.Model = first.Model
			s := newMemState(recs, ds, first)
			rng := rand.New(rand.NewPCG(run.seed, 77))
			next := 0
			for round := range run.rounds {
				c := changeRound{rng: rng, s: s, cfg: cfg, ids: sortedKeys(s.recs), changed: map[string]Record{},
					removed: map[string]bool{}, decisions: slices.Clone(s.decisions), next: &next}
				c.run(run.changes)
				changed, removed := c.result()
				d, err := Relink(t.Context(), s, changed, removed, c.decisions, cfg)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				for _, r := range changed {
					keys, sorts := Keys(r)
					if diff := gocmp.Diff(BlockKeys(r), keys); diff != "" {
						t.Fatalf("round %d: Keys and BlockKeys of record %s differ (-BlockKeys +Keys):\n%s", round, r.ID, diff)
					}
					if diff := gocmp.Diff(keys, d.Keys[r.ID]); diff != "" {
						t.Fatalf("round %d: keys of changed record %s (-want +got):\n%s", round, r.ID, diff)
					}
					if diff := gocmp.Diff(sorts, d.SortKeys[r.ID]); diff != "" {
						t.Fatalf("round %d: sort keys of changed record %s (-want +got):\n%s", round, r.ID, diff)
					}
				}
				for _, id := range append(slices.Clone(removed), changedIDs(changed)...) {
					if _, ok := slices.BinarySearch(d.Region, id); !ok {
						t.Fatalf("round %d: changed or removed record %s is not in the region", round, id)
					}
				}
				calls := s.calls
				s = s.apply(d, changed, removed, c.decisions)
				want, err := Link(t.Context(), s.current(), c.decisions, cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("round %d: %d changed, %d removed, %d decisions; region %d of %d records, %d read, %d rounds; calls %v",
					round, len(changed), len(removed), len(c.decisions), len(d.Region), len(s.recs), d.RecordsRead, d.Rounds, calls)
				compareStates(t, round, want, s)
			}
		})
	}
}

func changedIDs(recs []Record) []string {
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].ID
	}
	return ids
}

func compareStates(t *testing.T, round int, want Result, got *memState) {
	t.Helper()
	if diff := gocmp.Diff(want.Cluster, got.cluster); diff != "" {
		t.Fatalf("round %d: clusters differ from a full Link (-full +relinked):\n%s", round, diff)
	}
	if diff := gocmp.Diff(want.Pairs, got.pairs); diff != "" {
		t.Fatalf("round %d: pairs differ from a full Link (-full +relinked):\n%s", round, diff)
	}
	if diff := gocmp.Diff(want.Edges, got.edges); diff != "" {
		t.Fatalf("round %d: edges differ from a full Link (-full +relinked):\n%s", round, diff)
	}
}

// TestRelinkScenarios relinks the changes the clustering is most sensitive to, on records
// beside a background population, and checks the result against a full Link.
func TestRelinkScenarios(t *testing.T) {
	nn1 := nationalNumber(1982, 6, 14, "M", 101, false)
	nn2 := nationalNumber(1982, 6, 14, "M", 203, false)
	karim := func(id, nn string) Record {
		return Record{ID: id, NationalNumber: nn, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14", BirthPlace: "Nador", Sex: "M", Citizenship: "MA"}
	}
	zorbek := []Record{
		{ID: "XA", Surname: "Zorbek", GivenNames: "Kazimir", BirthDate: "1970-03-05", BirthPlace: "Odessa", Sex: "M", Citizenship: "UA"},
		{ID: "XC", Surname: "Zorbek", GivenNames: "Kazimir", BirthDate: "1988-12-24", BirthPlace: "Odessa", Sex: "F", Citizenship: "NG"},
	}
	bridge := Record{ID: "XB", Surname: "ZORBEK", GivenNames: "KAZIMIR", BirthPlace: "ODESSA"}
	// Six records alike but for the day of birth: the blocks of their year with each name are
	// oversized, and the window of three sorts them by day.
	var qorvath []Record
	for i, day := range []int{1, 3, 5, 7, 9, 11} {
		qorvath = append(qorvath, Record{ID: fmt.Sprintf("XQ%d", i+1), Surname: "Qorvath", GivenNames: "Ilyan",
			BirthDate: fmt.Sprintf("1970-01-%02d", day), BirthPlace: "Tirana", Sex: "M", Citizenship: "AL"})
	}
	// born between XQ2 and XQ3, sharing the surname's block only: XQ1-XQ3 leaves its window but
	// stays in the window of the given name's block, which is not affected
	boris := Record{ID: "XZ", Surname: "Qorvath", GivenNames: "Boris", BirthDate: "1970-01-04", Sex: "M"}
	small := DefaultConfig()
	small.MaxBlockSize, small.BlockWindow = 5, 3
	// Nine records alike but for the day of birth, in blocks (their year with each name, the two
	// names) oversized before and after the changes below, which Relink reads only near the
	// changes; and eight alike in all but their ID, so that ID alone orders them.
	row := family("XR", "Vardanyan", 2, 6, 10, 14, 18, 22, 26, 28, 30)
	born := func(id string, day int) Record { return family(id, "Vardanyan", day)[0] }
	var twins []Record
	for i := range 8 {
		twins = append(twins, family(fmt.Sprintf("XE%d", i+1), "Okonkwo", 9)[0])
	}
	twinsNow := []Record{family("XE45", "Okonkwo", 9)[0], twins[6]}
	twinsNow[1].Sex, twinsNow[1].BirthPlace = "F", "Enugu" // in the same spot: the sort key leaves them out
	tests := []struct {
		name            string
		before          []Record
		decisions       []Decision
		changed         []Record
		removed         []string
		decisionsNow    []Decision
		cfg             *Config
		wantSameCluster [][2]string
	}{
		{
			name:    "a removed bridge lets the chained records' clusters form anew",
			before:  append(slices.Clone(zorbek), bridge),
			removed: []string{"XB"},
		},
		{
			name:    "a new bridge, guarded",
			before:  slices.Clone(zorbek),
			changed: []Record{bridge},
		},
		{
			name:            "a new record becomes the smallest ID of a national-number group",
			before:          []Record{karim("X2", nn1), karim("X3", nn1), karim("X4", nn2)},
			changed:         []Record{karim("X0", nn1)},
			wantSameCluster: [][2]string{{"X0", "X2"}, {"X0", "X3"}},
		},
		{
			name:      "the smallest ID of a national-number group is removed, an analyst having separated another",
			before:    []Record{karim("X1", nn1), karim("X2", nn1), karim("X3", nn1), karim("X4", nn1)},
			decisions: []Decision{{A: "X1", B: "X2", Match: false}, {A: "X1", B: "X3", Match: false}},
			removed:   []string{"X1"},
		},
		{
			name:         "a withdrawn non-match lets two clusters merge",
			before:       []Record{karim("X1", ""), karim("X2", ""), karim("X3", "")},
			decisions:    []Decision{{A: "X1", B: "X2", Match: false}},
			decisionsNow: []Decision{},
		},
		{
			name:         "a new non-match splits a cluster",
			before:       []Record{karim("X1", ""), karim("X2", ""), karim("X3", "")},
			decisionsNow: []Decision{{A: "X3", B: "X1", Match: false}},
		},
		{
			name:    "a pair leaves an oversized window and stays in another's",
			before:  qorvath,
			changed: []Record{boris},
			cfg:     &small,
		},
		{
			name:    "a pair enters an oversized window it was in another's",
			before:  append(slices.Clone(qorvath), boris),
			removed: []string{"XZ"},
			cfg:     &small,
		},
		{
			name:    "blocks shrink to MaxBlockSize: all their pairs are candidates again",
			before:  qorvath,
			removed: []string{"XQ6"},
			cfg:     &small,
		},
		{
			name:    "blocks grow past MaxBlockSize: only their window's pairs stay candidates",
			before:  qorvath[:5],
			changed: qorvath[5:],
			cfg:     &small,
		},
		{
			name:    "a record joins an oversized block first in its order",
			before:  row,
			changed: []Record{born("XS1", 1)},
			cfg:     &small,
		},
		{
			name:    "a record joins an oversized block last in its order",
			before:  row,
			changed: []Record{born("XS1", 31)},
			cfg:     &small,
		},
		{
			name:    "a record joins an oversized block last in its order, the one before the last leaves",
			before:  row,
			changed: []Record{born("XS1", 31)},
			removed: []string{"XR8"},
			cfg:     &small,
		},
		{
			name:    "the first record of an oversized block leaves",
			before:  row,
			removed: []string{"XR1"},
			cfg:     &small,
		},
		{
			name:    "the last record of an oversized block leaves",
			before:  row,
			removed: []string{"XR9"},
			cfg:     &small,
		},
		{
			name:    "two records join closer than the window",
			before:  row,
			changed: []Record{born("XS1", 11), born("XS2", 12)},
			cfg:     &small,
		},
		{
			name:    "two neighbours leave: the window after them spans both",
			before:  row,
			removed: []string{"XR3", "XR4"},
			cfg:     &small,
		},
		{
			name:    "a record leaves, another joins beside it and a third moves across the block",
			before:  row,
			changed: []Record{born("XS1", 12), born("XR2", 27)},
			removed: []string{"XR3"},
			cfg:     &small,
		},
		{
			// XR3-XR5 leave the window of their surname's block, where Boris is born between
			// them, and stay in their given name's block and in the block of their two names,
			// both affected by a change far from them
			name:   "a pair leaves an affected block's window and stays in two others, changed far from it",
			before: row,
			changed: []Record{
				{ID: "XS1", Surname: "Vardanyan", GivenNames: "Boris", BirthDate: "1970-01-12", BirthPlace: "Yerevan", Sex: "M"},
				{ID: "XS2", Surname: "Marandyan", GivenNames: "Ashot", BirthDate: "1970-12-30", BirthPlace: "Gyumri", Sex: "M"},
				{ID: "XS3", Surname: "Vardanyan", GivenNames: "Ashot", BirthDate: "1985-06-06", BirthPlace: "Gyumri", Sex: "M"},
			},
			cfg: &small,
		},
		{
			name:    "an oversized block falls to MaxBlockSize: three leave, one joins",
			before:  row[:7],
			changed: []Record{born("XS1", 12)},
			removed: []string{"XR2", "XR4", "XR6"},
			cfg:     &small,
		},
		{
			name:    "a block one past MaxBlockSize stays past it: one leaves, one joins",
			before:  row[:6],
			changed: []Record{born("XS1", 12)},
			removed: []string{"XR2"},
			cfg:     &small,
		},
		{
			name:    "a block rises past MaxBlockSize: two join one of MaxBlockSize-1",
			before:  row[:4],
			changed: []Record{born("XS1", 12), born("XS2", 3)},
			cfg:     &small,
		},
		{
			name:    "equal sort keys: records join, leave and change in their spot, ordered by ID",
			before:  twins,
			changed: twinsNow,
			removed: []string{"XE2"},
			cfg:     &small,
		},
		{
			name:    "records given as changed, unchanged, beside a change in their blocks",
			before:  row,
			changed: []Record{row[2], row[3], born("XS1", 11)},
			cfg:     &small,
		},
		{
			name:    "a national number given to a record splits it from its cluster",
			before:  []Record{karim("X1", nn1), karim("X2", ""), karim("X3", "")},
			changed: []Record{karim("X2", nn2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				cfg = *tt.cfg
			}
			recs := append(background(), tt.before...)
			first, err := Link(t.Context(), recs, tt.decisions, cfg)
			if err != nil {
				t.Fatal(err)
			}
			pinned := cfg
			pinned.Model = first.Model
			s := newMemState(recs, tt.decisions, first)
			now := tt.decisions
			if tt.decisionsNow != nil {
				now = tt.decisionsNow
			}
			d, err := Relink(t.Context(), s, tt.changed, tt.removed, now, pinned)
			if err != nil {
				t.Fatal(err)
			}
			s = s.apply(d, tt.changed, tt.removed, now)
			want, err := Link(t.Context(), s.current(), now, pinned)
			if err != nil {
				t.Fatal(err)
			}
			compareStates(t, 0, want, s)
			for _, p := range tt.wantSameCluster {
				if s.cluster[p[0]] != s.cluster[p[1]] {
					t.Errorf("%s and %s in clusters %s and %s, want one", p[0], p[1], s.cluster[p[0]], s.cluster[p[1]])
				}
			}
		})
	}
}

// family returns records of one person but for the day of birth (in January 1970), one per
// day, with IDs prefix1, prefix2...; or the ID prefix alone for one day.
func family(prefix, surname string, days ...int) []Record {
	var out []Record
	for i, day := range days {
		id := prefix
		if len(days) > 1 {
			id = fmt.Sprintf("%s%d", prefix, i+1)
		}
		out = append(out, Record{ID: id, Surname: surname, GivenNames: "Ashot", BirthDate: fmt.Sprintf("1970-01-%02d", day),
			BirthPlace: "Yerevan", Sex: "M", Citizenship: "AM"})
	}
	return out
}

// failingState fails the method fail names.
type failingState struct {
	*memState
	fail string
}

var errStore = errors.New("store unavailable")

func (f failingState) Records(ctx context.Context, ids []string) ([]Record, error) {
	if f.fail == "Records" {
		return nil, errStore
	}
	return f.memState.Records(ctx, ids)
}

func (f failingState) BlockMembers(ctx context.Context, keys []BlockKey) (map[BlockKey][]string, error) {
	if f.fail == "BlockMembers" {
		return nil, errStore
	}
	return f.memState.BlockMembers(ctx, keys)
}

func (f failingState) Neighbours(ctx context.Context, positions []Position, n int) (map[BlockKey]Neighbourhood, error) {
	if f.fail == "Neighbours" {
		return nil, errStore
	}
	return f.memState.Neighbours(ctx, positions, n)
}

func (f failingState) Edges(ctx context.Context, ids []string) ([]Edge, error) {
	if f.fail == "Edges" {
		return nil, errStore
	}
	return f.memState.Edges(ctx, ids)
}

func (f failingState) Decisions(ctx context.Context) ([]Decision, error) {
	if f.fail == "Decisions" {
		return nil, errStore
	}
	return f.memState.Decisions(ctx)
}

func TestRelinkErrors(t *testing.T) {
	recs := background()
	res, err := Link(t.Context(), recs, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := newMemState(recs, nil, res)
	cfg := DefaultConfig()
	cfg.Model = res.Model
	someone := recs[0]
	someone.Surname = "Changed"
	newcomer := Record{ID: "NEW", Surname: "Vos", GivenNames: "Pieter", BirthDate: "1966-07-12"}
	badCfg := cfg
	badCfg.MaxBlockSize = 1
	inconsistent := newMemState(recs, nil, res)
	inconsistent.members[BlockKeys(newcomer)[0]] = []string{"GHOST"}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	type errorCase struct {
		name    string
		ctx     context.Context
		st      State
		changed []Record
		removed []string
		cfg     Config
		want    string
		wantErr error
	}
	tests := []errorCase{
		{name: "no model", st: s, changed: []Record{someone}, cfg: DefaultConfig(), want: "needs Config.Model"},
		{name: "invalid config", st: s, cfg: badCfg, want: "max block size"},
		{name: "empty changed ID", st: s, changed: []Record{{Surname: "Vos"}}, cfg: cfg, want: "empty ID"},
		{name: "repeated changed ID", st: s, changed: []Record{someone, someone}, cfg: cfg, want: "appears twice"},
		{name: "removed and changed", st: s, changed: []Record{someone}, removed: []string{someone.ID}, cfg: cfg, want: "both changed and removed"},
		{name: "removed twice", st: s, removed: []string{recs[1].ID, recs[1].ID}, cfg: cfg, want: "appears twice"},
		{name: "empty removed ID", st: s, removed: []string{""}, cfg: cfg, want: "removed record ID is empty"},
		{name: "removed unknown", st: s, removed: []string{"NOSUCH"}, cfg: cfg, want: `"NOSUCH" is not in the previous run`},
		{name: "inconsistent state", st: inconsistent, changed: []Record{newcomer}, cfg: cfg, want: "inconsistent"},
		{name: "cancelled", ctx: cancelled, st: s, changed: []Record{someone}, cfg: cfg, wantErr: context.Canceled},
	}
	for _, method := range []string{"Records", "BlockMembers", "Neighbours", "Edges", "Decisions"} {
		tests = append(tests, errorCase{name: "state fails in " + method, st: failingState{s, method},
			changed: []Record{someone, newcomer}, cfg: cfg, want: "linkage: relink: reading", wantErr: errStore})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			_, err := Relink(ctx, tt.st, tt.changed, tt.removed, nil, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Relink error = %v, want one containing %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Relink error = %v, want one wrapping %v", err, tt.wantErr)
			}
		})
	}
}

// TestRelinkNothingChanged: with no change, the region is empty and nothing is read.
func TestRelinkNothingChanged(t *testing.T) {
	recs, ds := relinkPopulation(300, 8)
	res, err := Link(t.Context(), recs, ds, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Model = res.Model
	s := newMemState(recs, ds, res)
	d, err := Relink(t.Context(), s, nil, nil, ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Region) != 0 || len(d.Pairs) != 0 || len(d.Edges) != 0 || d.RecordsRead != 0 {
		t.Errorf("no change gave region %d, pairs %d, edges %d, %d records read; want none", len(d.Region), len(d.Pairs), len(d.Edges), d.RecordsRead)
	}
}

// BenchmarkRelink relinks 1% of a population of 100,000 records changed (a third new, a third
// changed, a third removed) and reports it beside a full Link with the same model over the same
// records. The state is in memory, so the figure leaves out the store's queries.
//
//	go test ./dedup/linkage -run '^$' -bench Relink -benchtime 5x
func BenchmarkRelink(b *testing.B) {
	recs, ds := relinkPopulation(33_334, 1)
	cfg := DefaultConfig()
	first, err := Link(b.Context(), recs, ds, cfg)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Model = first.Model
	s := newMemState(recs, ds, first)
	next := 0
	c := changeRound{rng: rand.New(rand.NewPCG(1, 2)), s: s, cfg: cfg, ids: sortedKeys(s.recs), changed: map[string]Record{},
		removed: map[string]bool{}, decisions: slices.Clone(ds), next: &next}
	for i := range len(recs) / 100 {
		r := c.pick()
		switch i % 3 {
		case 0:
			r.ID = c.newID(r.ID)
			c.tweak(&r)
			c.add(r)
		case 1:
			c.tweak(&r)
			c.add(r)
		default:
			c.removed[r.ID] = true
		}
	}
	changed, removed := c.result()
	after := s.apply(Delta{}, changed, removed, ds).current()
	start := time.Now()
	if _, err := Link(b.Context(), after, ds, cfg); err != nil {
		b.Fatal(err)
	}
	full := time.Since(start)
	var d Delta
	for b.Loop() {
		if d, err = Relink(b.Context(), s, changed, removed, ds, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "relink-ms")
	b.ReportMetric(float64(full.Milliseconds()), "full-link-ms")
	b.ReportMetric(float64(len(d.Region)), "region-records")
	b.ReportMetric(float64(d.RecordsRead), "records-read")
	b.ReportMetric(float64(len(changed)+len(removed)), "changes")
}

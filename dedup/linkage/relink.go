package linkage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Relink recomputes what a nightly change touches, and nothing else: its result is the one Link
// would give over all current records with the same model (Config.Model). What follows is why
// the part it recomputes (the region) is enough.
//
// Scores. With the model pinned, a pair's comparison and score depend on its two records only,
// so a pair of unchanged records keeps its score.
//
// Candidate pairs. A pair is a candidate when a block generates it: all pairs of a block of at
// most MaxBlockSize records; in a larger one, the pairs less than BlockWindow (W) ranks apart
// in the block's order, by sort key (appendSortKey, of the block's kind) then record ID
// (compareSpots). A block is a hash and a kind: records whose keys share a hash share a block,
// and since a record's sort key depends on the record and the kind only, a block two keys
// merged into is ordered like any other. A block is affected when a changed or removed record
// holds its key, in its previous or its current version; every other block holds the same
// records as before, unchanged, and so generates the same pairs. So every candidate pair of a
// changed record comes from an affected block, and a pair of unchanged records can only change
// status where an affected block generates it before and not after, or the reverse. A block
// small before and after generates all pairs of its unchanged records both times. A block
// small on one side only generates all pairs there and a window on the other; Relink reads it
// whole (it holds at most MaxBlockSize records, plus those the change took out) and compares
// its pairs before and after all through.
//
// Oversized blocks. Of a block oversized before and after the change, Relink reads only the
// neighbourhood of the change. A record holds one spot in each of its blocks, its sort key and
// its ID, so the order is total, and unchanged records keep their spots. The change takes
// spots out (the previous version of every changed or removed record holding the key) and puts
// spots in (the current version of every changed record holding it; a record whose sort key
// did not change takes its spot out and puts it back). Relink asks the state (Neighbours) for
// the block's size and, around every spot taken out or put in, for the members within n = W-1
// ranks of it: with p the members ordered before the spot, ranks p-n to p+n, with their ranks
// before the change. Knowing every spot taken out and put in, Relink knows the rank after the
// change of every unchanged member read (its rank before, less the spots taken out before it,
// plus those put in before it) and of every spot put in (p, less and plus the same). That is
// enough, wherever the spots are (several within a window of each other, insertions beside
// deletions, at either end of the block, among equal sort keys), because:
//   - The distance of two unchanged members x < y, on either side, is one more than the
//     members between them; the unchanged ones are the same on both sides, so the distance
//     changes only when a spot t taken out or put in lies between them. If the pair is
//     generated before and not after, both are within n ranks of t before the change (t taken
//     out is a member between them; t put in has p-n <= rank(x) < p <= rank(y) < p+n), so
//     both were read. If it is generated after and not before, both are within n ranks of t
//     after the change, and were read by the next point.
//   - Every unchanged member y within n ranks of a spot t after the change was read. Say y
//     follows t and was not read. Let u be the last spot taken out or put in ordered between t
//     (included) and y: no spot lies between u and y, so the members between them before the
//     change are unchanged and are between them after it too. Relink read the n members after
//     u and y is not among them, so at least n unchanged members lie between u and y, hence
//     between t and y after the change: y is more than n ranks after t. Likewise before t.
// So the pairs the block generates after the change with a changed record (a spot put in and a
// member or spot within n ranks of it) and the pairs of unchanged records it generates on one
// side only are all among the members read, and their ranks before and after say which.
//
// For each pair of unchanged records an affected block generates on one side only and that
// scores at least ReviewThreshold (below it a pair is neither traced nor linked: only the
// edges matter), Relink asks every block the two records share whether it generates the pair
// before and after: an affected block read whole as its two windows (or all its pairs) say; one
// read near the change as the ranks of the two before and after say, when both were read. Any
// other block the two share generates the pair both times or neither: it is unaffected, or
// affected with the two not both read, so (above) the change did not move the pair in it. Such
// a block matters only when the others disagree; Relink then asks the state for its size and
// the neighbourhood of one of the two records in it: a small block generates the pair, an
// oversized one when the other record is within n ranks. The pair became or stopped being an
// edge when the two answers differ.
//
// Clusters. Unions are only attempted along the match graph: records sharing a national
// number, analysts' match decisions and edges scoring at least MatchThreshold. The chaining
// guard scores pairs inside the two clusters it would join, the forbidden pairs (non-match
// decisions, different national numbers) only matter inside one cluster, and the order of the
// attempts (national numbers by number, decisions by pair, edges by descending score then pair,
// pairs ordered by record ID) does not depend on other components. So the clusters of a
// connected component of the match graph depend only on that component's records, edges and
// decisions, and linking a union of whole components alone, in the same order, gives the
// clusters the full run gives them. A previous cluster is only part of its component: removing
// an edge or a record may let the rest of the component merge differently, which is why Relink
// works on components, not clusters.
//
// The region. The seeds are the changed and removed records (a record given as changed but
// equal to its previous version is a seed, but changed nothing else), the ends of every pair of
// unchanged records that became or stopped being an edge, and the ends of every decision added,
// withdrawn or reversed since the previous run. Relink closes the seeds under the union of the
// previous and the current match graphs (every edge of either scoring at least MatchThreshold,
// whether or not a decision or a national number took it out of the scored links: a larger
// graph only makes the region larger; every match decision of either run; and every record
// sharing a national number with a record of the region, in either run). The closure C is a
// union of components of both graphs. Every edge of either match graph that is not in the
// other, and every national-number group whose members or smallest ID changed, has an end in
// C, so a component that does not meet C is a component of both graphs, with the same records,
// edges, scores, decisions and national-number groups: its clusters, cluster IDs (the smallest
// record ID) and pairs are unchanged. So are the edges and traced pairs with no end in C: their
// records, scores, decisions and the clusters of their ends are unchanged. Because C is closed
// under national numbers, a national-number group is wholly inside C or outside it, and its
// smallest record ID, to which its trace pairs are drawn, is the same in the region as in the
// full run.
//
// Linking the region. Relink links the current records of C alone, as Link would (decisions,
// national numbers, then the edges in descending score), together with the records outside C
// that share an edge or a decision with one of them: those take part only as the far end of a
// pair, are never grouped by national number, and are never joined (an edge at or above the
// match threshold or a match decision would have put them in C), so that the pairs across the
// border of the region are traced as Link traces them: in different clusters.

// BlockKey is one blocking key of a record: the kind of key (one of "NDYMPS", see the package
// comment) and the 64-bit hash of the key. Records are compared when they share one.
type BlockKey struct {
	Hash uint64
	Kind byte
}

// BlockKeys returns the blocking keys of a record, exactly as Link blocks on them, by kind in
// the order "NDYMPS" then by hash. A run's state holds them for every record: [Relink] asks
// [State.BlockMembers] and [State.Neighbours] which records hold the keys of the records that
// changed (see [Keys]).
func BlockKeys(r Record) []BlockKey {
	p := prepare(r)
	keys, _ := appendKeys(nil, nil, &p)
	return keys
}

// appendKeys appends a record's block keys to keys and, when sorts is not nil, its sort key
// for every kind of which it holds a block key.
func appendKeys(keys []BlockKey, sorts []SortKey, p *prepared) ([]BlockKey, []SortKey) {
	var hs []uint64
	var kb []byte
	for _, kind := range []byte(blockKinds) {
		hs, kb = blockingKeys(p, kind, hs, kb)
		for _, h := range hs {
			keys = append(keys, BlockKey{Hash: h, Kind: kind})
		}
		if sorts != nil && len(hs) > 0 {
			sorts = append(sorts, SortKey{Kind: kind, Key: string(appendSortKey(kb[:0], kind, p))})
		}
	}
	return keys, sorts
}

// SortKey is the key that orders a record among the members of its oversized blocks of one
// kind: a block larger than MaxBlockSize generates the pairs of a sliding window over its
// members sorted by sort key, then by record ID, both compared bytewise (as Go compares
// strings). A key is valid UTF-8 and holds no NUL.
type SortKey struct {
	Kind byte
	Key  string
}

// Keys returns a record's blocking keys (as [BlockKeys]) and its sort key for every kind of
// which it holds a blocking key, in the order "NDYMPS": what a run's state holds of every
// record, for [State.BlockMembers] and [State.Neighbours].
func Keys(r Record) ([]BlockKey, []SortKey) {
	p := prepare(r)
	return appendKeys(nil, make([]SortKey, 0, len(blockKinds)), &p)
}

// Position is a place in the order of a block (see [SortKey]): where the record with this ID
// and this sort key for the block's kind sits, or would sit, among the block's members.
type Position struct {
	Block BlockKey
	Sort  string
	ID    string
}

// Member is a record holding a block key, with its sort key for the key's kind and its rank in
// the block's order, from 0.
type Member struct {
	ID   string
	Sort string
	Rank int
}

// Neighbourhood is what [State.Neighbours] returns of one block: how many records hold its key,
// and its members near the positions asked for.
type Neighbourhood struct {
	Size    int
	Members []Member
}

// State is what [Relink] reads of the previous run, full or incremental, as applying the
// [Result] of Link or the [Delta] of Relink left it: every record (as it was linked) with its
// [Keys], the run's edges, and the decisions the run was given. Package dedup implements it
// over its store. Each method is one batch query, called a few times per Relink: Records twice,
// Neighbours and BlockMembers once each as Relink compares the affected blocks, and Neighbours
// once more for the pairs that left or entered an oversized window; Records, Edges and
// BlockMembers once per round of the search of the region (a handful of rounds, as deep as the
// match graph around the changes); Records twice more at the end; Decisions once.
type State interface {
	// Records returns the previous run's records with these IDs; IDs it does not hold are left
	// out. Any order.
	Records(ctx context.Context, ids []string) ([]Record, error)
	// BlockMembers returns, for each of keys, the IDs of the previous run's records holding it
	// (a key and its kind, both), in any order. A key no record holds may be left out.
	BlockMembers(ctx context.Context, keys []BlockKey) (map[BlockKey][]string, error)
	// Neighbours returns, for the block of each position, the number of the previous run's
	// records holding its key, and its members near the positions: in the block's order (sort
	// key of the block's kind, then record ID, both bytewise), with p the number of members
	// ordered before a position (the rank of the position's record when it is a member at
	// that place), every member of rank p-n to p+n, each member once, in any order. A block no
	// record holds may be left out.
	Neighbours(ctx context.Context, positions []Position, n int) (map[BlockKey]Neighbourhood, error)
	// Edges returns the previous run's edges with at least one end in ids, each once.
	Edges(ctx context.Context, ids []string) ([]Edge, error)
	// Decisions returns the decisions the previous run was given, in the order given.
	Decisions(ctx context.Context) ([]Decision, error)
}

// Delta is what [Relink] recomputed. To bring the previous run's state to the state Link would
// leave over the current records with the same model:
//
//   - drop the cluster of every record of Region, and every pair and edge with an end in
//     Region, and add Cluster, Pairs and Edges;
//   - drop the block keys and sort keys of the removed and changed records and add Keys and
//     SortKeys;
//   - replace the changed records by their new version, delete the removed ones, and keep the
//     decisions given to Relink as the decisions of the state.
type Delta struct {
	// Region holds the IDs, sorted, of the records whose cluster, pairs and edges Relink
	// recomputed: every changed and removed record and the components of the match graph
	// around them (see the comment at the top of relink.go).
	Region []string
	// Cluster maps every current record of Region to its cluster ID (the smallest record ID of
	// its cluster, as in Result.Cluster). No cluster spans the border of the region.
	Cluster map[string]string
	// Pairs holds every traced pair with an end in Region, as Result.Pairs, sorted by A then B.
	Pairs []Pair
	// Edges holds every edge with an end in Region, as Result.Edges, sorted by A then B.
	Edges []Edge
	// Keys holds the block keys of every changed record, and SortKeys its sort keys (see [Keys]).
	Keys     map[string][]BlockKey
	SortKeys map[string][]SortKey
	// RecordsRead counts the previous run's records Relink read, and Rounds its rounds of
	// queries while it searched the region: the work it did, for progress reports.
	RecordsRead, Rounds int
}

// Relink links the records that changed since the previous run, whose state st holds, and
// returns what changed: with the Delta applied, the state is the one [Link] would leave over
// the current records with the model cfg.Model (see the comment at the top of relink.go for
// why). changed holds the new records and the new version of every record whose attributes
// changed; a record equal to its previous version may be given too: it is relinked (it is in
// Region) but its blocks are not compared, nothing of its pairs having changed. removed holds
// the IDs of the records gone; decisions every current analyst decision, as Link takes them.
// Relink finds the decisions added, withdrawn or reversed since the previous run itself,
// comparing with State.Decisions.
//
// cfg must be the configuration of the previous run (thresholds, blocks, Jaro-Winkler
// minimum), with Model set to the model the state's scores come from (the Result.Model of the
// full Link that started the state, or that model read back with [Model.UnmarshalBinary]):
// Relink estimates nothing. It returns an error for a missing model, an invalid
// configuration, a changed record with an empty or repeated ID, a removed ID that is empty,
// repeated, also changed or not in the previous run, a state that contradicts itself, or an
// error of the state.
func Relink(ctx context.Context, st State, changed []Record, removed []string, decisions []Decision, cfg Config) (Delta, error) {
	if cfg.Model == nil {
		return Delta{}, fmt.Errorf("linkage: Relink needs Config.Model, the model of the previous runs (Result.Model), so that unchanged pairs keep their scores")
	}
	if err := cfg.validate(); err != nil {
		return Delta{}, err
	}
	r := newRelinker(st, cfg)
	if err := r.addTouched(changed, removed); err != nil {
		return Delta{}, err
	}
	if err := r.loadPrevious(ctx); err != nil {
		return Delta{}, err
	}
	seeds, err := r.compareBlocks(ctx)
	if err != nil {
		return Delta{}, err
	}
	for n := range int32(len(r.recs)) {
		if r.resent[n] {
			seeds = append(seeds, n) // in the region, as the caller expects of a changed record
		}
	}
	moreSeeds, err := r.changedDecisions(ctx, decisions)
	if err != nil {
		return Delta{}, err
	}
	if err := r.closure(ctx, append(seeds, moreSeeds...)); err != nil {
		return Delta{}, err
	}
	return r.linkRegion(ctx, decisions)
}

// Node kinds: what Relink knows of a record ID it has met.
const (
	nodeUnread  uint8 = iota // named by the state or a decision, not read yet
	nodeAbsent               // not a record of the previous run nor a changed one (a decision's)
	nodeSame                 // unchanged since the previous run
	nodeChanged              // a new or changed record, in its current version
	nodeBefore               // the previous version of a changed record (not in ids)
	nodeRemoved              // a removed record, as the previous run had it
)

// relinker holds the state of one call to Relink. Records are nodes, numbered as they are met.
type relinker struct {
	st     State
	cfg    Config
	cmp    comparer
	in     *interner
	ids    map[string]int32  // node of each record ID met (the current version)
	recs   []prepared        // by node; an ID alone until read
	kind   []uint8           // by node
	before map[int32]int32   // the node of the previous version of a changed record
	given  map[string]Record // the changed records as given, until loadPrevious
	resent map[int32]bool    // records given as changed but equal to their previous version
	reads  int               // records read from the state

	// the blocks read whole: previous members by ID; affected: a changed or removed record
	// holds the key; holders: the changed records holding the key in their current version;
	// changes: the spots the change takes out of and puts in each affected block; near: the
	// members read of the affected blocks oversized before and after the change
	blocks   map[BlockKey][]string
	affected map[BlockKey]bool
	holders  map[BlockKey][]int32
	changes  map[BlockKey]*change
	near     map[BlockKey]map[int32][2]int
	windows  map[BlockKey][2]window // the windows before and after of the blocks read whole

	// the edges: oldEdges those read from the state (each has an end in the region, once it is
	// found); newEdges the current edges with a changed end, and the pairs of unchanged records
	// that became edges; dropped the edges of unchanged records that stopped being candidates
	oldEdges map[uint64]float64
	newEdges map[uint64]float64
	dropped  map[uint64]bool

	matchDecisions map[string][]string // record ID -> IDs it has a match decision with, in either run
	region         []int32             // the closure, sorted by ID once found
	rounds         int
	bp             blockPairer
	scratch        [2][]uint64 // blockPairs' pairs of one block
}

func newRelinker(st State, cfg Config) *relinker {
	return &relinker{
		st: st, cfg: cfg, cmp: comparer{jwMin: cfg.JaroWinklerMin}, in: newInterner(),
		ids: make(map[string]int32), before: make(map[int32]int32), given: make(map[string]Record), resent: make(map[int32]bool),
		blocks: make(map[BlockKey][]string), affected: make(map[BlockKey]bool), holders: make(map[BlockKey][]int32),
		changes: make(map[BlockKey]*change), near: make(map[BlockKey]map[int32][2]int),
		windows:  make(map[BlockKey][2]window),
		oldEdges: make(map[uint64]float64), newEdges: make(map[uint64]float64), dropped: make(map[uint64]bool),
		matchDecisions: make(map[string][]string),
		bp:             blockPairer{maxBlock: cfg.MaxBlockSize, window: cfg.BlockWindow},
	}
}

// node returns the node of a record ID, adding it unread when it is new.
func (r *relinker) node(id string) int32 {
	if n, ok := r.ids[id]; ok {
		return n
	}
	n := r.newNode(prepared{id: id}, nodeUnread)
	r.ids[id] = n
	return n
}

func (r *relinker) newNode(p prepared, kind uint8) int32 {
	r.recs = append(r.recs, p)
	r.kind = append(r.kind, kind)
	return int32(len(r.recs) - 1)
}

// touched reports whether a node's record changed or was removed.
func (r *relinker) touched(n int32) bool { return r.kind[n] == nodeChanged || r.kind[n] == nodeRemoved }

// current reports whether a node is a record of the current run.
func (r *relinker) current(n int32) bool { return r.kind[n] == nodeSame || r.kind[n] == nodeChanged }

// addTouched checks and adds the changed and removed records.
func (r *relinker) addTouched(changed []Record, removed []string) error {
	for i, c := range changed {
		if c.ID == "" {
			return fmt.Errorf("linkage: changed record %d has an empty ID (surname %q); every conviction person record needs its id", i, c.Surname)
		}
		if _, dup := r.ids[c.ID]; dup {
			return fmt.Errorf("linkage: changed record ID %q appears twice; pass each record once, in its current version", c.ID)
		}
		r.ids[c.ID] = r.newNode(prepareWith(c, r.in), nodeChanged)
		r.given[c.ID] = c
	}
	for _, id := range removed {
		if id == "" {
			return fmt.Errorf("linkage: a removed record ID is empty; pass the IDs of the records gone since the previous run")
		}
		if n, dup := r.ids[id]; dup {
			if r.kind[n] == nodeChanged {
				return fmt.Errorf("linkage: record %q is both changed and removed; pass a record that is gone in removed only, and a new or changed one in changed only", id)
			}
			return fmt.Errorf("linkage: removed record ID %q appears twice; pass each removed record once", id)
		}
		r.ids[id] = r.newNode(prepared{id: id}, nodeRemoved)
	}
	return nil
}

// loadPrevious reads the previous version of the changed and removed records. A changed record
// equal to its previous version is unchanged (resent): its blocks hold what they held.
func (r *relinker) loadPrevious(ctx context.Context) error {
	var ids []string
	for n := range r.recs {
		ids = append(ids, r.recs[n].id)
	}
	recs, err := r.st.Records(ctx, ids)
	if err != nil {
		return fmt.Errorf("linkage: relink: reading the previous version of the changed and removed records: %w", err)
	}
	found := make(map[int32]bool, len(recs))
	for _, rec := range recs {
		n, ok := r.ids[rec.ID]
		if !ok || found[n] {
			continue
		}
		found[n] = true
		r.reads++
		switch {
		case r.kind[n] == nodeChanged && rec == r.given[rec.ID]:
			r.kind[n], r.resent[n] = nodeSame, true
		case r.kind[n] == nodeChanged:
			r.before[n] = r.newNode(prepareWith(rec, r.in), nodeBefore)
		default:
			r.recs[n] = prepareWith(rec, r.in)
		}
	}
	r.given = nil
	for n := range r.recs {
		if r.kind[n] == nodeRemoved && !found[int32(n)] {
			return fmt.Errorf("linkage: removed record %q is not in the previous run's records; pass only records the previous run linked", r.recs[n].id)
		}
	}
	return nil
}

// load reads the records of the unread nodes among ns. Nodes the state does not hold become
// absent.
func (r *relinker) load(ctx context.Context, ns []int32) error {
	var ids []string
	asked := make(map[int32]bool)
	for _, n := range ns {
		if r.kind[n] == nodeUnread && !asked[n] {
			asked[n] = true
			ids = append(ids, r.recs[n].id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	recs, err := r.st.Records(ctx, ids)
	if err != nil {
		return fmt.Errorf("linkage: relink: reading %d records of the previous run: %w", len(ids), err)
	}
	for _, rec := range recs {
		if n, ok := r.ids[rec.ID]; ok && r.kind[n] == nodeUnread {
			r.recs[n] = prepareWith(rec, r.in)
			r.kind[n] = nodeSame
			r.reads++
		}
	}
	for _, n := range ns {
		if r.kind[n] == nodeUnread {
			r.kind[n] = nodeAbsent
		}
	}
	return nil
}

// mustLoad is load for records the state itself named: one it does not hold is an error.
func (r *relinker) mustLoad(ctx context.Context, ns []int32, namedBy string) error {
	if err := r.load(ctx, ns); err != nil {
		return err
	}
	for _, n := range ns {
		if r.kind[n] == nodeAbsent {
			return fmt.Errorf("linkage: relink: the state's %s name record %q, which its Records does not hold; the state is inconsistent", namedBy, r.recs[n].id)
		}
	}
	return nil
}

// readBlocks reads the previous members of the blocks of keys not read yet.
func (r *relinker) readBlocks(ctx context.Context, keys []BlockKey) error {
	var need []BlockKey
	for _, k := range keys {
		if _, ok := r.blocks[k]; !ok {
			need = append(need, k)
		}
	}
	if len(need) == 0 {
		return nil
	}
	got, err := r.st.BlockMembers(ctx, need)
	if err != nil {
		return fmt.Errorf("linkage: relink: reading the members of %d blocks: %w", len(need), err)
	}
	for _, k := range need {
		ids := slices.Clone(got[k])
		slices.Sort(ids)
		r.blocks[k] = slices.Compact(ids)
		for _, id := range r.blocks[k] {
			r.node(id)
		}
	}
	return nil
}

// keysOf returns the block keys of a node's record.
func (r *relinker) keysOf(n int32) []BlockKey {
	keys, _ := appendKeys(nil, nil, &r.recs[n])
	return keys
}

// score compares and scores two records with the pinned model.
func (r *relinker) score(a, b int32) float64 {
	v := r.cmp.compare(&r.recs[a], &r.recs[b])
	return r.cfg.Model.score(v, &r.recs[a], &r.recs[b])
}

// effectiveDecisions returns the decision on each pair of record IDs (smaller ID first) that
// Link would apply, the last one given counting.
func effectiveDecisions(ds []Decision) map[[2]string]bool {
	out := make(map[[2]string]bool, len(ds))
	for _, d := range ds {
		if d.A != d.B {
			out[[2]string{min(d.A, d.B), max(d.A, d.B)}] = d.Match
		}
	}
	return out
}

// changedDecisions compares the decisions with those of the previous run, notes the match
// decisions of both for the closure, and returns the ends of every decision added, withdrawn or
// reversed as seeds.
func (r *relinker) changedDecisions(ctx context.Context, decisions []Decision) ([]int32, error) {
	prev, err := r.st.Decisions(ctx)
	if err != nil {
		return nil, fmt.Errorf("linkage: relink: reading the previous run's decisions: %w", err)
	}
	before, now := effectiveDecisions(prev), effectiveDecisions(decisions)
	var seeds []int32
	for _, m := range []map[[2]string]bool{before, now} {
		for _, p := range sortedPairs(m) {
			if m[p] {
				r.matchDecisions[p[0]] = append(r.matchDecisions[p[0]], p[1])
				r.matchDecisions[p[1]] = append(r.matchDecisions[p[1]], p[0])
			}
			b, inBefore := before[p]
			n, inNow := now[p]
			if inBefore != inNow || b != n {
				seeds = append(seeds, r.node(p[0]), r.node(p[1]))
			}
		}
	}
	return seeds, nil
}

func sortedPairs(m map[[2]string]bool) [][2]string {
	out := make([][2]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	return out
}

// closure finds the region: the seeds closed under the previous and the current match graphs
// and national-number groups (see the comment at the top of relink.go). Each round reads the
// records, the previous edges and the national-number groups of the records it reached.
func (r *relinker) closure(ctx context.Context, seeds []int32) error {
	newAdj := make(map[int32][]int32) // the new edges at or above the match threshold
	for k, s := range r.newEdges {
		if s >= r.cfg.MatchThreshold {
			a, b := unpair(k)
			newAdj[a] = append(newAdj[a], b)
			newAdj[b] = append(newAdj[b], a)
		}
	}
	in := make(map[int32]bool)
	var frontier []int32
	add := func(n int32) {
		if !in[n] {
			in[n] = true
			frontier = append(frontier, n)
		}
	}
	for _, n := range seeds {
		add(n)
	}
	for len(frontier) > 0 {
		r.rounds++
		if err := r.load(ctx, frontier); err != nil {
			return err
		}
		var reached []int32
		for _, n := range frontier {
			if r.kind[n] != nodeAbsent { // else named by a decision only
				reached = append(reached, n)
			}
		}
		frontier = nil
		r.region = append(r.region, reached...)
		next, err := r.neighbours(ctx, reached, newAdj)
		if err != nil {
			return err
		}
		for _, n := range next {
			add(n)
		}
	}
	slices.SortFunc(r.region, func(a, b int32) int { return cmp.Compare(r.recs[a].id, r.recs[b].id) })
	return nil
}

// neighbours returns the records one step from ns in the previous or current match graph or
// national-number groups, reading the previous edges of ns and the members of their groups.
func (r *relinker) neighbours(ctx context.Context, ns []int32, newAdj map[int32][]int32) ([]int32, error) {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = r.recs[n].id
	}
	edges, err := r.st.Edges(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("linkage: relink: reading the previous edges of %d records: %w", len(ids), err)
	}
	var out []int32
	for _, e := range edges {
		a, b := r.node(e.A), r.node(e.B)
		r.oldEdges[pairKey(a, b)] = e.Score
		if e.Score >= r.cfg.MatchThreshold {
			out = append(out, a, b)
		}
	}
	var nnKeys []BlockKey
	for _, n := range ns {
		out = append(out, newAdj[n]...)
		for _, id := range r.matchDecisions[r.recs[n].id] {
			out = append(out, r.node(id))
		}
		versions := []int32{n}
		if b, ok := r.before[n]; ok {
			versions = append(versions, b)
		}
		for _, v := range versions {
			if nn := r.recs[v].nn; nn != "" {
				nnKeys = append(nnKeys, nnKey(nn))
			}
		}
	}
	if err := r.readBlocks(ctx, nnKeys); err != nil {
		return nil, err
	}
	for _, k := range nnKeys {
		for _, id := range r.blocks[k] {
			out = append(out, r.ids[id])
		}
		out = append(out, r.holders[k]...)
	}
	return out, nil
}

// nnKey returns the block key of kind N of a national number.
func nnKey(nn string) BlockKey {
	return BlockKey{Hash: hashKey(append([]byte{'N'}, nn...)), Kind: 'N'}
}

// linkRegion links the current records of the region, with the records outside it that share
// an edge or a decision with one of them, and returns the Delta.
func (r *relinker) linkRegion(ctx context.Context, decisions []Decision) (Delta, error) {
	inRegion := make(map[int32]bool, len(r.region))
	for _, n := range r.region {
		inRegion[n] = true
	}
	// the current edges with an end in the region, and the records across its border
	edges := make(map[uint64]float64, len(r.oldEdges)+len(r.newEdges))
	for k, s := range r.oldEdges {
		if a, b := unpair(k); !r.touched(a) && !r.touched(b) && !r.dropped[k] {
			edges[k] = s
		}
	}
	for k, s := range r.newEdges {
		edges[k] = s
	}
	var border []int32
	for k := range edges {
		a, b := unpair(k)
		for _, n := range []int32{a, b} {
			if !inRegion[n] {
				border = append(border, n)
			}
		}
	}
	if err := r.mustLoad(ctx, border, "edges"); err != nil {
		return Delta{}, err
	}
	var partners []int32
	for _, d := range decisions {
		for _, p := range [2][2]string{{d.A, d.B}, {d.B, d.A}} {
			if n, ok := r.ids[p[0]]; ok && inRegion[n] && r.current(n) {
				if m, ok := r.ids[p[1]]; !ok || !inRegion[m] {
					partners = append(partners, r.node(p[1]))
				}
			}
		}
	}
	if err := r.load(ctx, partners); err != nil {
		return Delta{}, err
	}
	l, local := r.regionLinker(inRegion, append(border, partners...))
	for _, d := range decisions {
		a, okA := local[d.A]
		b, okB := local[d.B]
		if okA && okB && a != b && !(l.outside[a] && l.outside[b]) {
			l.decisions[pairKey(a, b)] = d.Match
		}
	}
	for k, s := range edges {
		a, b := unpair(k)
		l.edges = append(l.edges, scored{pairKey(local[r.recs[a].id], local[r.recs[b].id]), s})
	}
	slices.SortFunc(l.edges, func(x, y scored) int { return cmp.Compare(x.key, y.key) })
	if err := l.cluster(ctx, l.todo()); err != nil {
		return Delta{}, err
	}
	res := l.result()
	for i, out := range l.outside {
		if out {
			delete(res.Cluster, l.recs[i].id)
		}
	}
	d := Delta{Cluster: res.Cluster, Pairs: res.Pairs, Edges: res.Edges, Keys: make(map[string][]BlockKey),
		SortKeys: make(map[string][]SortKey), RecordsRead: r.reads, Rounds: r.rounds}
	for _, n := range r.region {
		d.Region = append(d.Region, r.recs[n].id)
		if r.kind[n] == nodeChanged || r.resent[n] {
			d.Keys[r.recs[n].id], d.SortKeys[r.recs[n].id] = appendKeys(nil, make([]SortKey, 0, len(blockKinds)), &r.recs[n])
		}
	}
	return d, nil
}

// regionLinker returns a linker over the current records of the region and the records across
// its border (outside), in ID order, and the index of each by ID.
func (r *relinker) regionLinker(inRegion map[int32]bool, outside []int32) (*linker, map[string]int32) {
	var ns []int32
	for _, n := range r.region {
		if r.current(n) {
			ns = append(ns, n)
		}
	}
	for _, n := range outside {
		if r.current(n) && !inRegion[n] {
			ns = append(ns, n)
		}
	}
	slices.SortFunc(ns, func(a, b int32) int { return cmp.Compare(r.recs[a].id, r.recs[b].id) })
	ns = slices.Compact(ns)
	l := &linker{cfg: r.cfg, cmp: r.cmp, model: r.cfg.Model, decisions: make(map[uint64]bool),
		recs: make([]prepared, len(ns)), outside: make([]bool, len(ns))}
	local := make(map[string]int32, len(ns))
	for i, n := range ns {
		l.recs[i] = r.recs[n]
		l.outside[i] = !inRegion[n]
		local[r.recs[n].id] = int32(i)
	}
	return l, local
}

// sortUnique sorts keys and removes repeats.
func sortUnique(keys []uint64) []uint64 {
	slices.Sort(keys)
	return slices.Compact(keys)
}

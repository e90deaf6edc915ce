package linkage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Record is one conviction person record, the unit rule D5 links. Fields hold what the raw
// layer holds for the record; a value the loader flagged as invalid must be passed as "".
type Record struct {
	ID             string // conviction person record id, unique within one call to Link
	NationalNumber string // 11 digits, only when the check digits are valid (national register or BIS); "" otherwise
	Surname        string
	GivenNames     string
	BirthDate      string // "YYYY-MM-DD" or ""
	BirthPlace     string
	Sex            string // "M", "F" or ""
	Citizenship    string // ISO 3166-1 alpha-2 or ""
}

// Decision is an analyst's review decision on a pair of record IDs, in either order. Match true
// forces the two records into one person; false forbids them, and so their clusters, to merge.
// Decisions are stored by dedup and passed to every later run.
type Decision struct {
	A, B  string
	Match bool
}

// Config sets the thresholds and limits of [Link]. Start from [DefaultConfig].
type Config struct {
	// MatchThreshold and ReviewThreshold are pair scores: log2 odds that the two records are one
	// person under the model (0 is even odds, 6.6 is 99%). A pair scoring at least MatchThreshold
	// is linked; a pair between the two goes to the review list. The defaults (1 and -3) were set
	// on the synthetic population of TestAccuracy, where they give a pairwise precision above
	// 0.995 and recall near 0.97, and on the worlds of package synth (TestWorldAccuracy), where
	// they give a precision above 0.995 over conviction lines with about one pair in two hundred
	// records to review. Raise MatchThreshold for fewer false links, lower ReviewThreshold for a
	// longer review list.
	MatchThreshold, ReviewThreshold float64
	// MaxClusterSize caps the records of one person linked by score; national number and analyst
	// links are not capped.
	MaxClusterSize int
	// MinCrossLinkFraction guards against chaining when a scored link joins two clusters holding
	// more than two records together: at least this fraction of the pairs across the two
	// clusters must score at least GuardThreshold. The default 1 asks it of every pair.
	MinCrossLinkFraction float64
	// GuardThreshold is the score below which two records are clearly different people for the
	// chaining guard; it is at most MatchThreshold, and usually below ReviewThreshold, so that
	// records of one person that compare poorly with each other (one without a birth date,
	// another with the names swapped) may still join through a third.
	GuardThreshold float64
	// JaroWinklerMin is the similarity from which two names or places are at level "jw".
	JaroWinklerMin float64
	// MaxBlockSize is the largest block compared all pairs; a larger block is compared with a
	// sliding window of BlockWindow records.
	MaxBlockSize, BlockWindow int
	// EMMaxIterations and EMTolerance stop the estimation of m and u.
	EMMaxIterations int
	EMTolerance     float64
	// RandomPairs is how many random record pairs seed u; Seed makes the draw reproducible.
	RandomPairs int
	Seed        uint64
	// Model, when not nil, is used as it is: no estimation, no prior, no name frequencies are
	// computed, so that every pair scores as it did in the run that fitted the model (pass the
	// Result.Model of an earlier run). [Relink] requires it.
	Model *Model
	// Progress, when not nil, is called as each stage ends ("prepare", "block", "compare",
	// "estimate", "cluster") with what the stage counted: records, candidate pairs, EM
	// iterations, clusters.
	Progress func(stage string, count int)
}

func (c Config) progress(stage string, count int) {
	if c.Progress != nil {
		c.Progress(stage, count)
	}
}

// DefaultConfig returns the configuration the accuracy test in this package was measured with.
func DefaultConfig() Config {
	return Config{
		MatchThreshold:       1,
		ReviewThreshold:      -3,
		MaxClusterSize:       100,
		MinCrossLinkFraction: 1,
		GuardThreshold:       -6,
		JaroWinklerMin:       0.92,
		MaxBlockSize:         16,
		BlockWindow:          8,
		EMMaxIterations:      200,
		EMTolerance:          1e-6,
		RandomPairs:          100000,
		Seed:                 20150101,
	}
}

func (c Config) validate() error {
	switch {
	case math.IsNaN(c.MatchThreshold) || math.IsNaN(c.ReviewThreshold) || c.ReviewThreshold > c.MatchThreshold:
		return fmt.Errorf("linkage config: review threshold %v must not exceed match threshold %v", c.ReviewThreshold, c.MatchThreshold)
	case math.IsNaN(c.GuardThreshold) || c.GuardThreshold > c.MatchThreshold:
		return fmt.Errorf("linkage config: guard threshold %v must not exceed match threshold %v", c.GuardThreshold, c.MatchThreshold)
	case c.MaxClusterSize < 2:
		return fmt.Errorf("linkage config: max cluster size %d must be at least 2", c.MaxClusterSize)
	case c.MaxBlockSize < 2 || c.BlockWindow < 2:
		return fmt.Errorf("linkage config: max block size %d and block window %d must be at least 2", c.MaxBlockSize, c.BlockWindow)
	case !(c.JaroWinklerMin > 0 && c.JaroWinklerMin <= 1):
		return fmt.Errorf("linkage config: Jaro-Winkler minimum %v must be in (0, 1]", c.JaroWinklerMin)
	case c.EMMaxIterations < 1:
		return fmt.Errorf("linkage config: EM max iterations %d must be at least 1", c.EMMaxIterations)
	case !(c.MinCrossLinkFraction >= 0 && c.MinCrossLinkFraction <= 1):
		return fmt.Errorf("linkage config: min cross link fraction %v must be in [0, 1]", c.MinCrossLinkFraction)
	case c.RandomPairs < 0:
		return fmt.Errorf("linkage config: random pairs %d must not be negative", c.RandomPairs)
	}
	if c.Model != nil {
		if err := c.Model.check(); err != nil {
			return fmt.Errorf("linkage config: Model: %w; pass the Result.Model of a run, or one read by UnmarshalBinary", err)
		}
	}
	return nil
}

// Rules and statuses of a [Pair].
const (
	RuleNationalNumber = "NN"     // decided by the national numbers: equal links, different forbids
	RuleFellegiSunter  = "FS"     // decided by the score
	RuleReview         = "REVIEW" // decided by an analyst

	StatusMatch    = "match"
	StatusReview   = "review"
	StatusNonMatch = "nonmatch"
)

// Pair is the trace of one pair of records: how they compare, their score, which rule decided
// and what. A is the smaller record ID.
type Pair struct {
	A, B        string
	Score       float64
	Rule        string
	Status      string
	Comparison  Comparison
	SameCluster bool   // whether A and B ended in one cluster, through this pair or others
	Note        string // why a link the rule asked for was refused, or ""
}

// Comparison is the level and weight of each field of a pair, held compactly: a run traces a
// pair or more per record. [Comparison.Fields] lists them.
type Comparison struct {
	NamesSwapped bool // surname compared with given names and the reverse
	// Levels holds each field's level, in the order of the Field constants, as an index into
	// its [FieldLevels] (0 is "missing"), and Weights what each field adds to the score.
	Levels  [numFields]uint8
	Weights [numFields]float64
}

// Fields returns the level and weight of each field, in the order of the Field constants.
func (c Comparison) Fields() []FieldComparison {
	fs := make([]FieldComparison, numFields)
	for f := range numFields {
		fs[f] = FieldComparison{Field: fieldName(f), Level: levelTable[f][c.Levels[f]], Weight: c.Weights[f]}
	}
	return fs
}

// String lists the fields as field=level:weight, after "swapped" when the names were swapped.
func (c Comparison) String() string {
	var b strings.Builder
	b.WriteByte('{')
	if c.NamesSwapped {
		b.WriteString("swapped")
	}
	for f, fc := range c.Fields() {
		if f > 0 || c.NamesSwapped {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s:%.2f", fc.Field, fc.Level, fc.Weight)
	}
	b.WriteByte('}')
	return b.String()
}

// FieldComparison is one field of a [Comparison].
type FieldComparison struct {
	Field  string
	Level  Level
	Weight float64
}

// Result is what [Link] found.
type Result struct {
	// Cluster maps every record ID to its cluster ID: the smallest record ID of the cluster.
	Cluster map[string]string
	// Pairs holds every candidate pair scoring at least ReviewThreshold, and every pair decided
	// by rule NN or REVIEW, sorted by A then B. Records sharing a national number are traced as
	// pairs with the group's smallest record ID rather than all pairs.
	Pairs []Pair
	// Edges holds every candidate pair (found by blocking) scoring at least ReviewThreshold,
	// whatever decided it (an analyst, a national number or the score), sorted by A then B: with
	// the clusters, the pairs and each record's [BlockKeys], what [Relink] needs of this run.
	Edges  []Edge
	Params Params
	// Model is the model the run scored with: Config.Model when set, else the one it fitted.
	Model *Model
}

// Edge is a candidate pair scoring at least ReviewThreshold (see Result.Edges). A is the smaller
// record ID.
type Edge struct {
	A, B  string
	Score float64
}

// Link groups person records into persons (rule D5).
//
// Records are compared within blocks (see the package comment), the parameters are estimated
// over the candidate pairs, and then clusters are built with a union-find in this order:
//
//  1. records with the same national number are linked (rule NN), unless an analyst separated
//     them;
//  2. the analysts' match decisions are applied (rule REVIEW);
//  3. pairs scoring at least MatchThreshold are linked in descending score (rule FS).
//
// A union is refused when it would put two different national numbers in one cluster (always),
// join two records an analyst declared not a match (always), or, for scored links only, exceed
// MaxClusterSize or fail the chaining guard. The chaining guard applies when the union would
// make a cluster of three or more records: every pair across the two clusters is scored, and
// the union needs at least MinCrossLinkFraction of them (by default all) at GuardThreshold or
// above. So A~B~C does not glue A and C when A and C are clearly different people (A~C below
// the guard threshold), and two clusters joined by one good pair also need the support of the
// others. This is complete linkage at the guard threshold on top of single linkage at the match
// threshold: cheap, because clusters are small, and it only ever refuses. A refused scored
// link is reported with status "review" and a note, for an analyst to decide, unless it was
// refused because the clusters hold different national numbers: that pair is reported with rule
// NN and status "nonmatch", since two different valid national numbers are two people and
// analysts should not see it.
//
// Link returns an error for an empty or repeated record ID, an invalid configuration, or a
// cancelled context. Decisions naming unknown records are ignored (the record may have been
// cancelled since); when several decisions name one pair, the last one counts.
func Link(ctx context.Context, recs []Record, decisions []Decision, cfg Config) (Result, error) {
	l, err := newLinker(ctx, recs, decisions, cfg)
	if err != nil {
		return Result{}, err
	}
	if err := l.run(ctx); err != nil {
		return Result{}, err
	}
	res := l.result()
	clusters := 0
	for id, c := range res.Cluster {
		if id == c {
			clusters++
		}
	}
	cfg.progress("cluster", clusters)
	return res, nil
}

// newLinker checks the configuration and the records and prepares them, in ID order (which
// run's loops rely on, see comparer.compareOrdered), with the analysts' decisions as pairs.
func newLinker(ctx context.Context, recs []Record, decisions []Decision, cfg Config) (*linker, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	// records in ID order, as indexes into recs: the records themselves are not copied
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(recs[a].ID, recs[b].ID); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for i, o := range order {
		r := &recs[o]
		if r.ID == "" {
			return nil, fmt.Errorf("linkage: a record has an empty ID (surname %q); every conviction person record needs its id", r.Surname)
		}
		if i > 0 && recs[order[i-1]].ID == r.ID {
			return nil, fmt.Errorf("linkage: record ID %q appears twice; pass each conviction person record once", r.ID)
		}
	}
	l := &linker{cfg: cfg, cmp: comparer{jwMin: cfg.JaroWinklerMin}}
	l.recs = make([]prepared, len(recs))
	in := newInterner()
	for i, o := range order {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		l.recs[i] = prepareWith(recs[o], in)
	}
	cfg.progress("prepare", len(l.recs))
	l.decisions = make(map[uint64]bool)
	for _, d := range decisions {
		a, okA := l.index(d.A)
		b, okB := l.index(d.B)
		if !okA || !okB || a == b {
			continue
		}
		l.decisions[pairKey(a, b)] = d.Match
	}
	return l, nil
}

// index returns the index of the record with an ID.
func (l *linker) index(id string) (int32, bool) {
	i, ok := slices.BinarySearchFunc(l.recs, id, func(p prepared, id string) int { return cmp.Compare(p.id, id) })
	return int32(i), ok
}

// linker holds the state of one call to Link, or of the region Relink reclusters.
type linker struct {
	cfg       Config
	cmp       comparer
	recs      []prepared
	decisions map[uint64]bool
	model     *Model
	params    Params
	edges     []scored // the candidate pairs at or above the review threshold, by key
	uf        unionFind
	trace     map[uint64]int32 // index in traced
	traced    []tracePair
	// outside marks, in a Relink, the records outside the region, present only as the far end
	// of a pair of a region record: never grouped by national number (nil in Link).
	outside []bool
}

func (l *linker) run(ctx context.Context) error {
	pairs, oversized, err := candidates(ctx, l.recs, l.cfg.MaxBlockSize, l.cfg.BlockWindow)
	if err != nil {
		return err
	}
	l.cfg.progress("block", pairs.len())
	vecs := make([]packedVector, pairs.len())
	caches := sync.Pool{New: func() any { return new(compareCache) }}
	err = parallel(ctx, pairs.len(), func(lo, hi int) {
		cc := caches.Get().(*compareCache)
		cu := pairs.cursor(lo)
		for n := lo; n < hi; n++ {
			a, b := unpair(cu.next())
			vecs[n] = l.cmp.compareOrdered(&l.recs[a], &l.recs[b], cc).pack() // a < b: see pairKey
		}
		caches.Put(cc)
	})
	if err != nil {
		return err
	}
	l.cfg.progress("compare", pairs.len())
	freq, labelled, pcs, err := l.countPatterns(ctx, pairs, vecs, l.cfg.Model == nil)
	if err != nil {
		return err
	}
	iters := 0 // EM iterations run by this call
	l.model = l.cfg.Model
	if l.model == nil {
		if l.model, err = l.fit(ctx, pcs, pairs.len()); err != nil {
			return err
		}
		iters = l.model.iterations
	}
	l.cfg.progress("estimate", iters)
	l.params = l.model.params(freq)
	l.params.CandidatePairs, l.params.OversizedBlock, l.params.LabelledPairs = pairs.len(), oversized, labelled

	chunks, err := l.scoreCandidates(ctx, pairs, vecs)
	if err != nil {
		return err
	}
	pairs, vecs = nil, nil // only the pairs at or above the review threshold are needed now
	l.edges = slices.Concat(chunks...)
	return l.cluster(ctx, l.todo())
}

// countPatterns counts the candidate pairs at each level of each field and those whose label
// is known (for Params), and, when withPatterns is set, the pairs per level pattern and label,
// sorted by pattern then label: all that EM and the known matches need. The pairs are counted
// on every core, each worker into a tally of its own; the counts are whole numbers, so adding
// the tallies up in any order gives the same result.
func (l *linker) countPatterns(ctx context.Context, pairs *candidatePairs, vecs []packedVector, withPatterns bool) ([numFields][]int, int, []patternCount, error) {
	type patternLabel struct {
		pattern uint32
		label   int8
	}
	type tally struct {
		freq     [numFields][16]int // a level is 4 bits (see vector.pattern)
		labelled int
		agg      map[patternLabel]float64
	}
	var mu sync.Mutex
	var tallies []*tally
	pool := sync.Pool{New: func() any {
		t := &tally{agg: make(map[patternLabel]float64)}
		mu.Lock()
		tallies = append(tallies, t) // kept here even if the pool drops it
		mu.Unlock()
		return t
	}}
	err := parallel(ctx, pairs.len(), func(lo, hi int) {
		t := pool.Get().(*tally)
		cu := pairs.cursor(lo)
		for n := lo; n < hi; n++ {
			k := cu.next()
			v := vecs[n].unpack()
			for f := range numFields {
				t.freq[f][v.lv[f]]++
			}
			label := l.label(k)
			if label != unlabelled {
				t.labelled++
			}
			if withPatterns {
				t.agg[patternLabel{v.pattern(), label}]++
			}
		}
		pool.Put(t)
	})
	var freq [numFields][]int
	if err != nil {
		return freq, 0, nil, err
	}
	for f := range numFields {
		freq[f] = make([]int, len(levelsOf(f)))
	}
	labelled := 0
	agg := make(map[patternLabel]float64)
	for _, t := range tallies {
		for f := range numFields {
			for lv := range freq[f] {
				freq[f][lv] += t.freq[f][lv]
			}
		}
		labelled += t.labelled
		for k, c := range t.agg {
			agg[k] += c
		}
	}
	pcs := make([]patternCount, 0, len(agg))
	for k, c := range agg {
		pcs = append(pcs, patternCount{k.pattern, k.label, c})
	}
	slices.SortFunc(pcs, func(a, b patternCount) int {
		if c := cmp.Compare(a.pattern, b.pattern); c != 0 {
			return c
		}
		return cmp.Compare(a.label, b.label)
	})
	return freq, labelled, pcs, nil
}

// fit estimates the model (see the package comment) from the candidate pairs' patterns pcs.
func (l *linker) fit(ctx context.Context, pcs []patternCount, candidates int) (*Model, error) {
	md, drawn, err := newModel(ctx, l.cmp, l.recs, l.cfg.RandomPairs, l.cfg.Seed)
	if err != nil {
		return nil, err
	}
	md.fitKnown(pcs)
	md.iterations, md.converged, err = md.estimate(ctx, pcs, l.cfg.EMMaxIterations, l.cfg.EMTolerance)
	if err != nil {
		return nil, err
	}
	if !md.setPriorFromNumbers(l.recs) {
		md.setPrior(candidates, len(l.recs))
	}
	md.setFrequencies(l.recs)
	md.randomPairs = drawn
	return md, nil
}

// cluster builds the clusters from the analysts' decisions, the national numbers and the edges
// todo names (see todo), in the order Link documents, and traces every pair it decides.
func (l *linker) cluster(ctx context.Context, todo []int32) error {
	l.uf = newUnionFind(l.recs)
	l.trace = make(map[uint64]int32)
	l.forbidAnalystNonMatches()
	l.linkNationalNumbers()
	l.linkAnalystMatches()
	return l.linkScored(ctx, todo)
}

// label returns what is known of a candidate pair before estimation: an analyst's decision, or
// both valid national numbers.
func (l *linker) label(k uint64) int8 {
	if d, ok := l.decisions[k]; ok {
		if d {
			return knownMatch
		}
		return knownNonMatch
	}
	a, b := unpair(k)
	ra, rb := &l.recs[a], &l.recs[b]
	if ra.nn != "" && rb.nn != "" {
		if ra.nn == rb.nn {
			return knownMatch
		}
		return knownNonMatch
	}
	return unlabelled
}

// forbidAnalystNonMatches records every "not a match" decision before any union.
func (l *linker) forbidAnalystNonMatches() {
	for _, k := range sortedKeys(l.decisions) {
		if l.decisions[k] {
			continue
		}
		a, b := unpair(k)
		l.uf.forbid(a, b)
		p := l.pair(a, b, ruleReview)
		p.status = stNonMatch
	}
}

// linkNationalNumbers links records sharing a national number, each to the group's first record.
func (l *linker) linkNationalNumbers() {
	groups := make(map[string][]int32)
	for i := range l.recs {
		if nn := l.recs[i].nn; nn != "" && (l.outside == nil || !l.outside[i]) {
			groups[nn] = append(groups[nn], int32(i))
		}
	}
	for _, nn := range sortedKeys(groups) {
		g := groups[nn]
		for _, r := range g[1:] {
			if _, decided := l.decisions[pairKey(g[0], r)]; decided {
				continue
			}
			p := l.pair(g[0], r, ruleNN)
			p.status = stMatch
			if why := l.uf.union(g[0], r); why != "" {
				p.status = stNonMatch
				p.note = "same national number, not linked: " + why
			}
		}
	}
}

// linkAnalystMatches applies the analysts' match decisions.
func (l *linker) linkAnalystMatches() {
	for _, k := range sortedKeys(l.decisions) {
		if !l.decisions[k] {
			continue
		}
		a, b := unpair(k)
		p := l.pair(a, b, ruleReview)
		p.status = stMatch
		if why := l.uf.union(a, b); why != "" {
			p.status = stNonMatch
			p.note = "analyst match not applied: " + why
		}
	}
}

// scored is a candidate pair to link or trace, with its score.
type scored struct {
	key   uint64
	score float64
}

// scoreCandidates scores the candidate pairs and returns those at or above the review
// threshold, by key, in chunks: concatenating them is left until the candidate pairs are
// freed, and each chunk is cut to its length, so that the edges are held once meanwhile.
func (l *linker) scoreCandidates(ctx context.Context, pairs *candidatePairs, vecs []packedVector) ([][]scored, error) {
	chunks := make([][]scored, (pairs.len()+parallelChunk-1)/parallelChunk)
	err := parallel(ctx, pairs.len(), func(lo, hi int) {
		var out []scored
		cu := pairs.cursor(lo)
		for n := lo; n < hi; n++ {
			k := cu.next()
			a, b := unpair(k)
			if s := l.model.scoreOrdered(vecs[n].unpack(), &l.recs[a], &l.recs[b]); s >= l.cfg.ReviewThreshold { // a < b
				out = append(out, scored{k, s})
			}
		}
		chunks[lo/parallelChunk] = slices.Clone(out)
	})
	return chunks, err
}

// todo returns the edges (l.edges, the scored pairs at or above the review threshold) that
// linkScored must consider, as indexes into l.edges: those not decided by an analyst and not
// sharing a national number, in descending score.
func (l *linker) todo() []int32 {
	var todo []int32
	for i, e := range l.edges {
		if _, decided := l.decisions[e.key]; decided {
			continue
		}
		a, b := unpair(e.key)
		if l.recs[a].nn != "" && l.recs[a].nn == l.recs[b].nn {
			continue // traced by linkNationalNumbers or linked through the group
		}
		todo = append(todo, int32(i))
	}
	slices.SortFunc(todo, func(i, j int32) int {
		x, y := l.edges[i], l.edges[j]
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return cmp.Compare(x.key, y.key)
	})
	return todo
}

// linkScored links the edges todo names (see todo) at or above the match threshold in
// descending score and traces them all.
func (l *linker) linkScored(ctx context.Context, todo []int32) error {
	for n, i := range todo {
		t := l.edges[i]
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		a, b := unpair(t.key)
		ra, rb := &l.recs[a], &l.recs[b]
		if ra.nn != "" && rb.nn != "" {
			p := l.pair(a, b, ruleNN)
			p.status = stNonMatch
			p.note = "different national numbers"
			continue
		}
		p := l.pair(a, b, ruleFS)
		if t.score < l.cfg.MatchThreshold {
			p.status = stReview
			continue
		}
		p.status = stMatch
		if why := l.uf.unionScored(a, b, l); why != "" {
			p.status = stReview
			p.note = "score above the match threshold, not linked: " + why
			if why == whyNumbers {
				// two different valid national numbers are two people: nothing to review
				p.rule, p.status = ruleNN, stNonMatch
			}
		}
	}
	return nil
}

// pairScore compares and scores two records, for the trace and the chaining guard.
func (l *linker) pairScore(a, b int32) (vector, float64) {
	v := l.cmp.compare(&l.recs[a], &l.recs[b])
	return v, l.model.score(v, &l.recs[a], &l.recs[b])
}

// tracePair is a traced pair while Link runs; result makes a Pair of it.
type tracePair struct {
	key          uint64
	score        float64
	note         string
	rule, status uint8 // indexes in ruleNames and statusNames
	vec          packedVector
}

// Rule and status codes of a tracePair.
const (
	ruleNN uint8 = iota
	ruleFS
	ruleReview
	stMatch uint8 = iota - 3
	stReview
	stNonMatch
)

var (
	ruleNames   = [...]string{ruleNN: RuleNationalNumber, ruleFS: RuleFellegiSunter, ruleReview: RuleReview}
	statusNames = [...]string{stMatch: StatusMatch, stReview: StatusReview, stNonMatch: StatusNonMatch}
)

// pair returns the trace entry of a pair, creating it with its comparison and score. The
// pointer holds until the next call.
func (l *linker) pair(a, b int32, rule uint8) *tracePair {
	k := pairKey(a, b)
	if i, ok := l.trace[k]; ok {
		p := &l.traced[i]
		p.rule = rule
		return p
	}
	a, b = unpair(k)
	v, s := l.pairScore(a, b)
	l.trace[k] = int32(len(l.traced))
	l.traced = append(l.traced, tracePair{key: k, score: s, rule: rule, vec: v.pack()})
	return &l.traced[len(l.traced)-1]
}

// result returns what Link found. It consumes the trace.
func (l *linker) result() Result {
	smallest := make([]int32, len(l.recs)) // at the root: the cluster's smallest record
	for i := range smallest {
		smallest[i] = -1
	}
	for i := range l.recs {
		if r := l.uf.find(int32(i)); smallest[r] < 0 {
			smallest[r] = int32(i) // records are in ID order
		}
	}
	res := Result{Cluster: make(map[string]string, len(l.recs)), Params: l.params, Model: l.model}
	for i := range l.recs {
		res.Cluster[l.recs[i].id] = l.recs[smallest[l.uf.find(int32(i))]].id
	}
	smallest = nil
	l.trace = nil
	slices.SortFunc(l.traced, func(x, y tracePair) int { return cmp.Compare(x.key, y.key) })
	res.Pairs = make([]Pair, len(l.traced))
	for n := range l.traced {
		t := &l.traced[n]
		a, b := unpair(t.key)
		v := t.vec.unpack()
		c := Comparison{NamesSwapped: v.swapped, Levels: v.lv, Weights: l.model.weights(v, &l.recs[a], &l.recs[b])}
		res.Pairs[n] = Pair{A: l.recs[a].id, B: l.recs[b].id, Score: t.score, Rule: ruleNames[t.rule],
			Status: statusNames[t.status], Comparison: c,
			SameCluster: l.uf.find(a) == l.uf.find(b), Note: t.note}
	}
	l.traced = nil
	res.Edges = make([]Edge, len(l.edges))
	for n, e := range l.edges {
		a, b := unpair(e.key)
		res.Edges[n] = Edge{A: l.recs[a].id, B: l.recs[b].id, Score: e.score}
	}
	l.edges = nil
	return res
}

// parallelChunk is the size of the chunks parallel hands out: a multiple of it is where a chunk
// starts.
const parallelChunk = 16384

// parallel runs work over [0, n) in contiguous chunks, one goroutine per CPU. Each chunk writes
// only its own indexes, so the result does not depend on scheduling.
func parallel(ctx context.Context, n int, work func(lo, hi int)) error {
	const chunk = parallelChunk
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	if workers <= 1 {
		for lo := 0; lo < n; lo += chunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			work(lo, min(lo+chunk, n))
		}
		return ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				work(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

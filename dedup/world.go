package dedup

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// world holds one dedup run in memory: the lines, the person records, the notices and chains.
type world struct {
	lines        []line
	nameMatchMin float64

	records []personRecord // all, sorted by ID
	pairs   []linkage.Pair
	model   *linkage.Model      // the model the linkage scored with
	parent  map[string]string   // union-find over linkage cluster IDs (D4 merges persons)
	nns     map[string][]string // of the batch: cluster root -> valid national numbers of its records

	notices []notice // of the batch
	chains  []chain  // of the batch

	trace    []traceRow   // of the linkage, then of the batch
	traceOut []traceRow   // taken from trace, not yet written (see wholeRowGroups)
	offences []offenceRow // of the batches, not yet written
	stats    Stats

	rulesTime, writeTime time.Duration // D2-D4: applying the rules, writing the results
	dir                  string        // the run's temporary folder (Parquet files)
	stage                *stager       // while D2-D4 run: appendRows queues the INSERTs on it
}

// personRecord is one person of a source system (source_system:person_id), the unit of D5.
type personRecord struct {
	rec       linkage.Record
	lines     int
	rule      string
	score     float64
	hasScore  bool
	clusterID string
	component string // see planBatches
	exactRep  string // the representative of its EXACT group
}

// notice is one person in one judgment (D3).
type notice struct {
	id                                string // "N" and its smallest line record ID
	cluster, court, jnorm, judgmentID string
	judgmentDate, finalDate           time.Time
	instance, appealNorm, decision    string
	lines                             []int
	record                            int // person record of its first line
	reviews                           int // D4: notice it reviews, -1
	linkRule                          string
	linkScore                         float64
	chain                             int
}

// chain is a decision chain of one person (D4).
type chain struct {
	id        string
	notices   []int
	last      int
	firstFrom int // earliest FIRST notice, -1
	orphan    bool
	offences  []offenceConviction
	offDate   time.Time
	firstDate time.Time
}

// offenceConviction is an offence code within the last decision of a convicting chain (D3).
type offenceConviction struct {
	offence           string
	lines             int
	victims           int64
	hasVictims        bool
	prisonUnsuspended bool
}

// offenceRow is a row of conviction_offence: an offence conviction of a chain.
type offenceRow struct {
	chain string
	oc    offenceConviction
}

type traceRow struct {
	rule, kind, a, b string
	score            float64
	hasScore         bool
	status, detail   string
}

// instanceRank orders instances for the last decision of a chain (ties on the judgment date).
func instanceRank(s string) int {
	switch s {
	case "CASSATION":
		return 3
	case "APPEAL":
		return 2
	case "OPPOSITION":
		return 1
	}
	return 0
}

// migrationDuplicates applies D2: a LEGACY line and a MACH line for the same court, judgment
// date, normalised judgment number, offence code and person are one line; the MACH one stands.
// The person is the same when the valid national numbers are equal, or the normalised surname and
// given names are equal and the birth dates do not differ (a birth date missing on either side
// does not prevent the match; two different valid national numbers do).
func (w *world) migrationDuplicates() {
	type key struct{ court, date, jnorm, offence, person string }
	mach := map[key]int{}
	for i, l := range w.lines {
		if l.system == "LEGACY" {
			continue
		}
		for _, p := range d2Persons(&l) {
			k := key{l.court, l.judgmentDate.Format(time.DateOnly), l.jnorm, l.offence, p}
			if j, ok := mach[k]; !ok || w.lines[j].recordID > l.recordID {
				mach[k] = i
			}
		}
	}
	for i := range w.lines {
		l := &w.lines[i]
		if l.system != "LEGACY" {
			continue
		}
		for _, p := range d2Persons(l) {
			j, ok := mach[key{l.court, l.judgmentDate.Format(time.DateOnly), l.jnorm, l.offence, p}]
			if !ok {
				continue
			}
			m := &w.lines[j]
			if l.nn != "" && m.nn != "" && l.nn != m.nn {
				continue // two different valid national numbers are two people
			}
			if p[0] == 'P' && l.birthDate != "" && m.birthDate != "" && l.birthDate != m.birthDate {
				continue
			}
			l.stands, l.mergedInto = false, m.recordID
			how := "same name, birth date " + or(l.birthDate, "missing")
			if p[0] == 'N' {
				how = "same national number"
			}
			w.trace = append(w.trace, traceRow{rule: "D2", kind: "line", a: l.recordID, b: m.recordID, score: 1, hasScore: true,
				status: "merged", detail: fmt.Sprintf("court %s, judgment %s of %s, offence %s, %s", l.court, l.jnorm,
					l.judgmentDate.Format(time.DateOnly), l.offence, how)})
			w.stats.D2Merged++
			break
		}
	}
}

// d2Persons returns the person keys a line can match on in D2: its national number, and its
// normalised names (the birth date is checked after the match).
func d2Persons(l *line) []string {
	var out []string
	if l.nn != "" {
		out = append(out, "N"+l.nn)
	}
	return append(out, "P"+PersonName(l.surname)+"|"+PersonName(l.given))
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// linkPersons applies D5 to every person record (read by readRecords): package linkage links the
// representatives of the EXACT groups. It returns what the linkage saw and found, for its state.
func (w *world) linkPersons(ctx context.Context, decisions []linkage.Decision, cfg linkage.Config) (linkRun, error) {
	rep, groupNN := exactIdentities(w.records, decisions, cfg.JaroWinklerMin)
	recs, ds := linkInput(w.records, rep, groupNN, decisions, func(id string) (string, bool) { return "", false })
	res, err := linkage.Link(ctx, recs, ds, cfg)
	if err != nil {
		return linkRun{}, fmt.Errorf("linking persons (D5): %w", err)
	}
	w.pairs, w.model = res.Pairs, res.Model
	w.applyPairs(res.Pairs, func(id string) *personRecord {
		ix, _ := recordIndex(w.records, id)
		return &w.records[ix]
	})
	w.applyExact(w.records, rep)
	for i := range w.records {
		w.records[i].clusterID = res.Cluster[w.records[rep[i]].rec.ID]
		if w.records[i].clusterID == "" {
			w.records[i].clusterID = w.records[rep[i]].rec.ID
		}
	}
	w.startClusterMerges()
	w.stats.PersonRecords = len(w.records)
	return linkRun{recs: recs, decisions: ds, edges: res.Edges}, nil
}

// linkRun is what the linkage saw and found in a run, for its state (see linkstate.go).
type linkRun struct {
	recs      []linkage.Record   // full run: every record the linkage saw
	decisions []linkage.Decision // on the representatives
	edges     []linkage.Edge     // full run: every edge
	delta     *linkage.Delta     // incremental run
	touched   []string           // incremental run: records whose blocking keys changed (changed and removed)
}

// linkInput returns what the linkage sees of records grouped by rule EXACT (rep, groupNN, see
// exactIdentities): each group's representative, with the group's valid national number, and the
// decisions on person records moved onto the representatives. A decision naming a record outside
// records is moved with repOf, or dropped when repOf does not know it (a record gone).
func linkInput(records []personRecord, rep []int, groupNN map[int]string, decisions []linkage.Decision,
	repOf func(id string) (string, bool)) ([]linkage.Record, []linkage.Decision) {
	n := 0
	for i := range records {
		if rep[i] == i {
			n++
		}
	}
	recs := make([]linkage.Record, 0, n)
	for i := range records {
		if rep[i] == i {
			r := records[i].rec
			if r.NationalNumber == "" {
				r.NationalNumber = groupNN[i]
			}
			recs = append(recs, r)
		}
	}
	find := func(id string) (string, bool) {
		if ix, ok := recordIndex(records, id); ok {
			return records[rep[ix]].rec.ID, true
		}
		return repOf(id)
	}
	var ds []linkage.Decision
	for _, d := range decisions {
		a, okA := find(d.A)
		b, okB := find(d.B)
		if okA && okB && a != b {
			ds = append(ds, linkage.Decision{A: a, B: b, Match: d.Match})
		}
	}
	return recs, ds
}

// applyPairs traces the linkage's pairs and gives each representative the rule and score of its
// best match (a national number first).
func (w *world) applyPairs(pairs []linkage.Pair, get func(id string) *personRecord) {
	for _, p := range pairs {
		if p.Status == linkage.StatusNonMatch && p.Rule != linkage.RuleReview && p.Rule != linkage.RuleNationalNumber {
			continue
		}
		w.trace = append(w.trace, traceRow{rule: "D5", kind: "person_record", a: p.A, b: p.B, score: p.Score, hasScore: true,
			status: p.Status, detail: p.Rule + noteSuffix(p.Note)})
		if p.Status == linkage.StatusMatch && p.SameCluster {
			for _, id := range []string{p.A, p.B} {
				if pr := get(id); pr != nil && (!pr.hasScore || p.Score > pr.score || (p.Rule == linkage.RuleNationalNumber && pr.rule != linkage.RuleNationalNumber)) {
					pr.rule, pr.score, pr.hasScore = p.Rule, p.Score, true
				}
			}
		}
		if p.Status == linkage.StatusReview {
			w.stats.ReviewPairs++
		}
	}
}

// applyExact traces the EXACT groups of records and marks their members.
func (w *world) applyExact(records []personRecord, rep []int) {
	for i := range records {
		records[i].exactRep = records[rep[i]].rec.ID
		if r := rep[i]; r != i {
			pr := &records[i]
			pr.rule, pr.hasScore = RuleExact, false
			if !records[r].hasScore {
				records[r].rule = RuleExact
			}
			w.trace = append(w.trace, traceRow{rule: "D5", kind: "person_record", a: pr.rec.ID, b: records[r].rec.ID,
				status: "match", detail: RuleExact + ": same surname, given names and birth date"})
		}
	}
}

// startClusterMerges starts the union-find of D4's merges of clusters.
func (w *world) startClusterMerges() {
	w.parent = map[string]string{}
}

// batchNumbers notes the valid national numbers of the clusters of the batch's lines, for D4's
// merges. A batch holds whole components, so whole clusters, and no cluster of it was merged in
// an earlier batch. Noted for every cluster at once, they were a map of millions of entries that
// the garbage collector marked again in every cycle of D2-D4.
func (w *world) batchNumbers() {
	if w.nns == nil {
		w.nns = map[string][]string{}
	}
	clear(w.nns)
	for i := range w.lines {
		pr := &w.records[w.lines[i].record]
		if nn := pr.rec.NationalNumber; nn != "" && !slices.Contains(w.nns[pr.clusterID], nn) {
			w.nns[pr.clusterID] = append(w.nns[pr.clusterID], nn)
		}
	}
}

// RuleExact is the D5 rule of person records with the same normalised surname, given names and
// birth date, no two different valid national numbers and no conflicting sex, citizenship or
// birth place (linkage.Traits): they are one person before the probabilistic linkage, which sees
// one record for them (the smallest record ID). Records of the same names and birth date whose
// traits conflict are left to the linkage's weights, which count the conflict: at ten million
// lines, where the synthetic world draws millions of people from small name pools, most false
// merges were of such records.
const RuleExact = "EXACT"

// exactKey is the key of a person record's EXACT group: normalised surname, given names and birth
// date, or "" when one of them is missing (the record is alone).
func exactKey(r *linkage.Record) string {
	sn, gn := PersonName(r.Surname), PersonName(r.GivenNames)
	if sn == "" || gn == "" || r.BirthDate == "" {
		return ""
	}
	return sn + "|" + gn + "|" + r.BirthDate
}

// byExactKey returns the indexes of the records (sorted by ID) whose exact key (keys, by record)
// is not empty, those of one key together and in ID order. Sorting the indexes on the keys
// themselves read two keys per comparison (12 s at ten million lines); they are sorted on the
// keys' hashes (hash) instead, with the rare run of equal hashes sorted again on the keys.
func byExactKey(keys []string, hash func(string) uint64) []int32 {
	type hashed struct {
		h   uint64
		rec int32
	}
	var hs []hashed
	for i, k := range keys {
		if k != "" {
			hs = append(hs, hashed{hash(k), int32(i)})
		}
	}
	slices.SortFunc(hs, func(a, b hashed) int { return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.rec, b.rec)) })
	keyed := make([]int32, len(hs))
	for i, h := range hs {
		keyed[i] = h.rec
	}
	for lo := 0; lo < len(hs); {
		hi := lo + 1
		for hi < len(hs) && hs[hi].h == hs[lo].h {
			hi++
		}
		run := keyed[lo:hi]
		if slices.ContainsFunc(run, func(r int32) bool { return keys[r] != keys[run[0]] }) {
			// two keys of one hash: the stable sort keeps ID order within each key
			slices.SortStableFunc(run, func(a, b int32) int { return strings.Compare(keys[a], keys[b]) })
		}
		lo = hi
	}
	return keyed
}

// exactKeySeed seeds exactKeyHash, the hash of exact keys for byExactKey: a seed per process,
// since the groups do not depend on the order of the keys.
var exactKeySeed = maphash.MakeSeed()

func exactKeyHash(s string) uint64 { return maphash.String(exactKeySeed, s) }

// exactIdentities groups the person records (sorted by ID) of rule RuleExact, unless an analyst
// declared two of them not a match, and returns each record's representative (itself when alone)
// and the valid national number of each representative that has none but whose group has one,
// which the linkage sees so that rule NN applies. A group depends only on the records with its key
// and the decisions between them, so the records are taken key by key (sorted by key, then ID)
// rather than through a map of every key's groups (at ten million lines that map held some
// 750 MB while the linkage built its own structures).
func exactIdentities(records []personRecord, decisions []linkage.Decision, jwMin float64) ([]int, map[int]string) {
	apart := map[[2]string]bool{}
	for _, d := range decisions {
		k := [2]string{min(d.A, d.B), max(d.A, d.B)}
		apart[k] = !d.Match // the last decision on a pair counts
	}
	// the records named by a non-match decision: only they need their group's members checked
	// (a group of records sharing a common name and birth date can hold thousands)
	kept := map[string]bool{}
	for k, no := range apart {
		if no {
			kept[k[0]], kept[k[1]] = true, true
		}
	}
	rep := make([]int, len(records))
	keys := make([]string, len(records)) // each record's exact key, held while the groups are made
	for i := range records {
		rep[i] = i
		keys[i] = exactKey(&records[i].rec)
	}
	keyed := byExactKey(keys, exactKeyHash)
	type group struct {
		members []int // the first is the representative
		nn      string
		traits  linkage.Traits // of its members, the first given of each
	}
	var groups []group // of the key at hand, in the order made
	nn := map[int]string{}
	for lo := 0; lo < len(keyed); {
		hi := lo + 1
		for hi < len(keyed) && keys[keyed[hi]] == keys[keyed[lo]] {
			hi++
		}
		groups = groups[:0]
		for _, i := range keyed[lo:hi] {
			r := &records[i].rec
			var traits linkage.Traits
			if hi-lo > 1 {
				traits = linkage.TraitsOf(*r)
			}
			g := slices.IndexFunc(groups, func(g group) bool {
				if g.nn != "" && r.NationalNumber != "" && g.nn != r.NationalNumber {
					return false
				}
				if g.traits.Conflicts(traits, jwMin) {
					return false
				}
				// only a record a non-match decision names can be kept out of a group
				return !kept[r.ID] || !slices.ContainsFunc(g.members, func(m int) bool {
					return apart[[2]string{min(r.ID, records[m].rec.ID), max(r.ID, records[m].rec.ID)}]
				})
			})
			if g < 0 {
				groups = append(groups, group{})
				g = len(groups) - 1
			}
			groups[g].members = append(groups[g].members, int(i))
			if groups[g].nn == "" {
				groups[g].nn = r.NationalNumber
			}
			groups[g].traits.Join(traits)
			rep[i] = groups[g].members[0]
		}
		for _, g := range groups {
			if first := g.members[0]; g.nn != "" && records[first].rec.NationalNumber == "" {
				nn[first] = g.nn
			}
		}
		lo = hi
	}
	return rep, nn
}

func noteSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// find returns the cluster root of a linkage cluster ID.
func (w *world) find(c string) string {
	for {
		p, ok := w.parent[c]
		if !ok {
			return c
		}
		if gp, ok := w.parent[p]; ok {
			w.parent[c] = gp
		}
		c = p
	}
}

func (w *world) clusterOf(record int) string { return w.find(w.records[record].clusterID) }

// noticeID is the ID of the batch's notice n.
func (w *world) noticeID(n int) string { return w.notices[n].id }

// canMerge reports whether two clusters hold no two different valid national numbers.
func (w *world) canMerge(a, b string) bool {
	for _, x := range w.nns[a] {
		for _, y := range w.nns[b] {
			if x != y {
				return false
			}
		}
	}
	return true
}

func (w *world) merge(a, b string) {
	if a == b {
		return
	}
	if a > b {
		a, b = b, a
	}
	w.parent[b] = a
	for _, nn := range w.nns[b] {
		if !slices.Contains(w.nns[a], nn) {
			w.nns[a] = append(w.nns[a], nn)
		}
	}
	delete(w.nns, b)
}

// noticesAndChains applies D3 (notices: one person in one judgment) and D4 (decision chains).
// When an appeal joins a notice of another person record by name, the two persons merge and the
// notices are built again.
func (w *world) noticesAndChains() {
	for round := 0; ; round++ {
		w.buildNotices()
		merges, again := w.linkAppeals(round < 5)
		w.stats.D4PersonMerges += merges
		if !again {
			break
		}
		w.trace = slices.DeleteFunc(w.trace, func(t traceRow) bool { return t.rule == "D3" || (t.rule == "D4" && t.kind == "notice") })
	}
	w.buildChains()
}

func (w *world) buildNotices() {
	type key struct{ cluster, court, jnorm string }
	ix := map[key][]int{}
	w.notices = w.notices[:0]
	var order []int
	for i := range w.lines {
		if w.lines[i].stands {
			order = append(order, i)
		}
	}
	// each line's person, looked up once
	cluster := make([]string, len(w.lines))
	for _, i := range order {
		cluster[i] = w.clusterOf(w.lines[i].record)
	}
	// deterministic notice numbers: by person, judgment, then record id
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(cluster[a], cluster[b]); c != 0 {
			return c
		}
		la, lb := &w.lines[a], &w.lines[b]
		if c := la.judgmentDate.Compare(lb.judgmentDate); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(la.court, lb.court), cmp.Compare(la.jnorm, lb.jnorm), cmp.Compare(la.recordID, lb.recordID))
	})
	for _, i := range order {
		l := &w.lines[i]
		k := key{cluster[i], l.court, l.jnorm}
		// Two records of one person in one judgment are one notice when they name the person
		// alike; otherwise they are taken for co-defendants the linkage joined, and kept apart.
		n := -1
		for _, c := range ix[k] {
			if r := w.notices[c].record; r == l.record || nameMatch(&w.records[r].rec, &w.records[l.record].rec) >= sameNoticeMin {
				n = c
				break
			}
		}
		if n < 0 {
			n = len(w.notices)
			ix[k] = append(ix[k], n)
			w.notices = append(w.notices, notice{cluster: k.cluster, court: l.court, jnorm: l.jnorm, judgmentID: l.judgmentID,
				judgmentDate: l.judgmentDate, instance: l.instance, decision: l.decision, record: l.record, reviews: -1})
		}
		nt := &w.notices[n]
		nt.lines = append(nt.lines, i)
		l.notice = n
		if l.judgmentDate.Before(nt.judgmentDate) {
			nt.judgmentDate = l.judgmentDate
		}
		if l.finalDate.After(nt.finalDate) {
			nt.finalDate = l.finalDate
		}
		if instanceRank(l.instance) > instanceRank(nt.instance) {
			nt.instance = l.instance
		}
		if nt.appealNorm == "" {
			nt.appealNorm = l.appealNorm
		}
		if l.decision == "CONVICTION" {
			nt.decision = "CONVICTION"
		} else if nt.decision != "CONVICTION" && decisionRank(l.decision) > decisionRank(nt.decision) {
			nt.decision = l.decision
		}
	}
	// a notice is named after its smallest line record ID, as a chain is: the ID depends on the
	// notice's lines only, not on what else the run or the batch holds
	for n := range w.notices {
		nt := &w.notices[n]
		for _, i := range nt.lines {
			if id := w.lines[i].recordID; nt.id == "" || id < nt.id[1:] {
				nt.id = "N" + id
			}
		}
	}
	w.stats.Notices = len(w.notices)
	w.stats.D3Merged = 0
	for n := range w.notices {
		nt := &w.notices[n]
		if len(nt.lines) < 2 {
			continue
		}
		w.stats.D3Merged += len(nt.lines) - 1
		for _, i := range nt.lines {
			l := &w.lines[i]
			w.trace = append(w.trace, traceRow{rule: "D3", kind: "line", a: l.recordID, b: w.noticeID(n), score: 1, hasScore: true,
				status: "merged", detail: fmt.Sprintf("notice of %s in judgment %s %s; offence %s", w.records[l.record].rec.ID, l.court, l.jnorm, l.offence)})
		}
	}
}

// soleDefendantMin is the nameMatch score with which an appeal joins the only notice of the
// judgment it reviews when the two records share a name.
const soleDefendantMin = 0.5

// sameNoticeMin is the nameMatch score from which two records of one person key in one judgment
// are one notice.
const sameNoticeMin = 0.8

// decisionRank orders the decisions that are not convictions, for a notice whose lines differ.
func decisionRank(s string) int {
	switch s {
	case "SUSPENSION":
		return 3
	case "INTERNMENT":
		return 2
	case "ACQUITTAL":
		return 1
	}
	return 0
}

// linkAppeals finds, for every notice that reviews another decision, the notice it reviews: the
// same person's notice in the judgment named by appeal_of, else the best name match among that
// judgment's notices. It returns how many persons it merged (only when allowMerge), and whether
// the notices must be built again.
func (w *world) linkAppeals(allowMerge bool) (merges int, again bool) {
	byJnorm := map[string][]int{}
	for n := range w.notices {
		byJnorm[w.notices[n].jnorm] = append(byJnorm[w.notices[n].jnorm], n)
	}
	for n := range w.notices {
		nt := &w.notices[n]
		nt.reviews, nt.linkRule, nt.linkScore = -1, "", 0
		if nt.instance == "FIRST" {
			continue
		}
		var cands []int
		for _, c := range byJnorm[nt.appealNorm] {
			o := &w.notices[c]
			if c == n || (o.court == nt.court && o.jnorm == nt.jnorm) || o.judgmentDate.After(nt.judgmentDate) {
				continue
			}
			cands = append(cands, c)
		}
		best, bestScore, rule := -1, 0.0, ""
		for _, c := range cands {
			if w.notices[c].cluster != nt.cluster {
				continue
			}
			s := nameMatch(&w.records[nt.record].rec, &w.records[w.notices[c].record].rec)
			if best < 0 || s > bestScore || (s == bestScore && laterDecision(&w.notices[c], &w.notices[best])) {
				best, bestScore, rule = c, s, "SAME_PERSON"
			}
		}
		if best < 0 {
			for _, c := range cands {
				o := &w.notices[c]
				a, b := &w.records[nt.record].rec, &w.records[o.record].rec
				s := nameMatch(a, b)
				// the only defendant of the reviewed judgment needs less: a shared name is enough
				// when the rest does not contradict (an alias keeping the given name)
				need := w.nameMatchMin
				if len(cands) == 1 && wordShare(linkage.Normalize(a.Surname+" "+a.GivenNames), linkage.Normalize(b.Surname+" "+b.GivenNames)) > 0 {
					need = soleDefendantMin
				}
				if s >= need && (best < 0 || s > bestScore || (s == bestScore && c < best)) {
					best, bestScore, rule = c, s, "NAME_MATCH"
				}
			}
		}
		if best < 0 {
			nt.linkRule = "ORPHAN"
			detail := fmt.Sprintf("appeal_of %q: no decision with that number", nt.appealNorm)
			if nt.appealNorm == "" {
				detail = "no appeal_of"
			} else if len(cands) > 0 {
				detail = fmt.Sprintf("appeal_of %q: %d notices in that judgment, none of this person", nt.appealNorm, len(cands))
			}
			w.trace = append(w.trace, traceRow{rule: "D4", kind: "notice", a: w.noticeID(n), status: "orphan", detail: detail})
			continue
		}
		o := &w.notices[best]
		if o.cluster != nt.cluster && allowMerge && w.canMerge(w.find(o.cluster), w.find(nt.cluster)) {
			if w.find(o.cluster) == w.find(nt.cluster) { // merged earlier in this round: link next round
				again = true
				continue
			}
			a, b := w.records[nt.record].rec.ID, w.records[o.record].rec.ID
			w.trace = append(w.trace, traceRow{rule: "D4", kind: "person_record", a: min(a, b), b: max(a, b), score: bestScore, hasScore: true,
				status: "match", detail: fmt.Sprintf("appeal in %s %s names judgment %s, notice of this person by name", nt.court, nt.jnorm, o.jnorm)})
			for _, r := range []int{nt.record, o.record} {
				pr := &w.records[r]
				if !pr.hasScore {
					pr.rule, pr.score, pr.hasScore = "D4", bestScore, true
				}
			}
			w.merge(w.find(nt.cluster), w.find(o.cluster))
			merges++
			again = true
			continue
		}
		// Persons whose clusters hold different national numbers are not merged (nor after the
		// last round), but the appeal still joins the notice it names: the chain's person is its
		// last decision's.
		nt.reviews, nt.linkRule, nt.linkScore = best, rule, bestScore
		note := ""
		if o.cluster != nt.cluster {
			note = "; persons not merged: their clusters hold different national numbers"
		}
		w.trace = append(w.trace, traceRow{rule: "D4", kind: "notice", a: w.noticeID(n), b: w.noticeID(best), score: bestScore, hasScore: true,
			status: "linked", detail: fmt.Sprintf("%s %s %s reviews %s %s (%s)%s", nt.instance, nt.court, nt.jnorm, o.court, o.jnorm, rule, note)})
	}
	return merges, again
}

// laterDecision reports whether notice a is a later decision than b: later judgment date, then
// higher instance.
func laterDecision(a, b *notice) bool {
	if c := a.judgmentDate.Compare(b.judgmentDate); c != 0 {
		return c > 0
	}
	return instanceRank(a.instance) > instanceRank(b.instance)
}

// nameMatch scores (0 to 1) how well two person records agree, for an appeal that names a
// judgment where its person's notice is under another record: names weigh 0.45 (the better of
// Jaro-Winkler in either order and the share of the shorter name's words found in the other, so
// that an alias keeping the given name still scores), the birth date 0.35 (day and month swapped:
// 0.8 of it, missing: half), the birth place 0.1 and sex and citizenship 0.1. Equal valid national
// numbers score 1, different ones 0.
func nameMatch(a, b *linkage.Record) float64 {
	if a.NationalNumber != "" && b.NationalNumber != "" {
		if a.NationalNumber == b.NationalNumber {
			return 1
		}
		return 0
	}
	na := linkage.Normalize(a.Surname + " " + a.GivenNames)
	nb := linkage.Normalize(b.Surname + " " + b.GivenNames)
	sim := max(linkage.JaroWinkler(na, nb), linkage.JaroWinkler(na, linkage.Normalize(b.GivenNames+" "+b.Surname)), wordShare(na, nb))
	bd := 0.0
	switch {
	case a.BirthDate == "" || b.BirthDate == "":
		bd = 0.5
	case a.BirthDate == b.BirthDate:
		bd = 1
	case len(a.BirthDate) == 10 && len(b.BirthDate) == 10 && a.BirthDate[:4] == b.BirthDate[:4] &&
		a.BirthDate[5:7] == b.BirthDate[8:10] && a.BirthDate[8:10] == b.BirthDate[5:7]:
		bd = 0.8
	}
	place := 0.5
	if pa, pb := linkage.Normalize(a.BirthPlace), linkage.Normalize(b.BirthPlace); pa != "" && pb != "" {
		place = 0
		if pa == pb {
			place = 1
		}
	}
	other := 0.0
	if a.Sex != "" && a.Sex == b.Sex {
		other += 0.5
	}
	if a.Citizenship != "" && a.Citizenship == b.Citizenship {
		other += 0.5
	}
	return 0.45*sim + 0.35*bd + 0.1*place + 0.1*other
}

// wordShare is the share of the words of the shorter name that the other name holds.
func wordShare(a, b string) float64 {
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	if len(wa) == 0 {
		return 0
	}
	n := 0
	for _, x := range wa {
		if slices.Contains(wb, x) {
			n++
		}
	}
	return float64(n) / float64(len(wa))
}

// buildChains joins the notices linked by D4 into chains and finds each chain's last decision.
func (w *world) buildChains() {
	parent := make([]int, len(w.notices))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for n := range w.notices {
		if r := w.notices[n].reviews; r >= 0 {
			a, b := find(n), find(r)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	ix := map[int]int{}
	w.chains = w.chains[:0]
	for n := range w.notices { // notices are ordered, so chain numbers are deterministic
		root := find(n)
		c, ok := ix[root]
		if !ok {
			c = len(w.chains)
			ix[root] = c
			w.chains = append(w.chains, chain{last: n, firstFrom: -1})
		}
		ch := &w.chains[c]
		ch.notices = append(ch.notices, n)
		nt := &w.notices[n]
		nt.chain = c
		if laterDecision(nt, &w.notices[ch.last]) {
			ch.last = n
		}
		if nt.instance == "FIRST" && (ch.firstFrom < 0 || nt.judgmentDate.Before(w.notices[ch.firstFrom].judgmentDate)) {
			ch.firstFrom = n
		}
		if nt.linkRule == "ORPHAN" {
			ch.orphan = true
		}
		if ch.firstDate.IsZero() || nt.judgmentDate.Before(ch.firstDate) {
			ch.firstDate = nt.judgmentDate
		}
	}
	// a chain is named after its smallest line record ID: the same chain keeps its ID whatever
	// else the store holds
	for c := range w.chains {
		ch := &w.chains[c]
		for _, n := range ch.notices {
			for _, i := range w.notices[n].lines {
				if id := w.lines[i].recordID; ch.id == "" || id < ch.id[1:] {
					ch.id = "C" + id
				}
			}
		}
	}
	w.stats.Chains = len(w.chains)
	w.stats.D4Merged = len(w.notices) - len(w.chains)
	for _, ch := range w.chains {
		if ch.orphan {
			w.stats.OrphanAppeals++
		}
	}
}

// convictions fills each chain's last decision: its offence convictions and offence date.
func (w *world) convictions() {
	for c := range w.chains {
		ch := &w.chains[c]
		last := &w.notices[ch.last]
		byOffence := map[string]*offenceConviction{}
		for _, i := range last.lines {
			l := &w.lines[i]
			if !l.offenceDate.IsZero() && (ch.offDate.IsZero() || l.offenceDate.Before(ch.offDate)) {
				ch.offDate = l.offenceDate
			}
			if last.decision != "CONVICTION" || l.decision != "CONVICTION" {
				continue
			}
			w.stats.OffenceLines++
			oc, ok := byOffence[l.offence]
			if !ok {
				oc = &offenceConviction{offence: l.offence}
				byOffence[l.offence] = oc
			}
			oc.lines++
			if l.victims.Valid {
				oc.victims += l.victims.Int64
				oc.hasVictims = true
			}
			if l.sentenceType == "PRISON" && (l.suspended == "N" || l.suspended == "PARTIAL") {
				oc.prisonUnsuspended = true
			}
		}
		for _, k := range sortedKeys(byOffence) {
			ch.offences = append(ch.offences, *byOffence[k])
		}
		if last.decision == "CONVICTION" {
			w.stats.Convictions++
		}
	}
}

// modal returns the most frequent non-empty value (ties: the smallest, or with latestTie the
// largest).
func modal(ix []int, get func(int) string, latestTie bool) string {
	count := map[string]int{}
	for _, i := range ix {
		if v := get(i); v != "" {
			count[v]++
		}
	}
	best, bestN := "", 0
	for v, n := range count {
		if n > bestN || (n == bestN && ((!latestTie && v < best) || (latestTie && v > best))) {
			best, bestN = v, n
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

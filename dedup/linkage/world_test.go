package linkage

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestWorldAccuracy links the person records of a world of the synthetic generator (package
// synth) loaded into a store, without rerunning the pipeline, and measures pairwise precision
// and recall over conviction lines (as canvas eval does for person_link) and over person
// records. It runs only when LINKAGE_WORLD names a folder holding:
//
//   - records.csv: canvas query --restricted "SELECT person_record, national_number, surname,
//     given_names, birth_date, birth_place, sex, citizenship FROM person_record" -f csv
//   - links.csv: canvas query --restricted "SELECT record_id, person_record FROM person_link" -f csv
//   - persons.csv: the world's truth/persons.csv
//
// Several folders may be given, separated by commas. Records are first grouped as package dedup
// does with its rule EXACT (LINKAGE_WORLD_NOEXACT=1 skips that); LINKAGE_MATCH and
// LINKAGE_REVIEW override the thresholds; LINKAGE_WORLD_DETAIL=1 lists the false links and the
// missed pairs, and LINKAGE_WORLD_BAND=1 every scored pair in [-2, 10).
//
//	LINKAGE_WORLD=/tmp/w1x go test ./dedup/linkage -run WorldAccuracy -v
func TestWorldAccuracy(t *testing.T) {
	dirs := os.Getenv("LINKAGE_WORLD")
	if dirs == "" {
		t.Skip("LINKAGE_WORLD not set")
	}
	for dir := range strings.SplitSeq(dirs, ",") {
		t.Run(filepath.Base(dir), func(t *testing.T) { worldAccuracy(t, dir) })
	}
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return out[1:]
}

func worldAccuracy(t *testing.T, dir string) {
	var recs []Record
	byID := map[string]*Record{}
	for _, v := range readCSVFile(t, filepath.Join(dir, "records.csv")) {
		recs = append(recs, Record{ID: v[0], NationalNumber: v[1], Surname: v[2], GivenNames: v[3], BirthDate: v[4], BirthPlace: v[5], Sex: v[6], Citizenship: v[7]})
	}
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	truth := map[string]string{}
	for _, v := range readCSVFile(t, filepath.Join(dir, "persons.csv")) {
		if v[0] == "mach" {
			truth[v[1]] = v[2]
		}
	}
	lineRec := map[string]string{}
	for _, v := range readCSVFile(t, filepath.Join(dir, "links.csv")) {
		lineRec[v[0]] = v[1]
	}
	// the majority true person of each record, and its lines
	votes := map[string]map[string]int{}
	for line, rec := range lineRec {
		tp, ok := truth[line]
		if !ok {
			continue
		}
		if votes[rec] == nil {
			votes[rec] = map[string]int{}
		}
		votes[rec][tp]++
	}
	recTruth := map[string]string{}
	for rec, v := range votes {
		best, n := "", 0
		for tp, k := range v {
			if k > n || (k == n && tp < best) {
				best, n = tp, k
			}
		}
		recTruth[rec] = best
	}
	cfg := DefaultConfig()
	if v := os.Getenv("LINKAGE_MATCH"); v != "" {
		cfg.MatchThreshold, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("LINKAGE_REVIEW"); v != "" {
		cfg.ReviewThreshold, _ = strconv.ParseFloat(v, 64)
	}
	// As package dedup does (rule EXACT): records with the same names, written alike, and birth
	// date, and no two different national numbers, are one record for the linkage.
	rep := exactGroups(recs)
	var reps []Record
	for i := range recs {
		if rep[i] == i {
			reps = append(reps, recs[i])
		}
	}
	res, err := Link(t.Context(), reps, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		res.Cluster[recs[i].ID] = res.Cluster[recs[rep[i]].ID]
	}
	t.Logf("known matches: %d", res.Params.LabelledPairs)
	pw := func(weight func(rec string) []string) pairwise {
		// weight returns the true persons of the units (lines or the record) of a record
		byCluster, byPerson, both := map[string]int{}, map[string]int{}, map[string]int{}
		for _, r := range recs {
			c := res.Cluster[r.ID]
			for _, tp := range weight(r.ID) {
				byCluster[c]++
				byPerson[tp]++
				both[c+"|"+tp]++
			}
		}
		choose2 := func(n int) int { return n * (n - 1) / 2 }
		var m pairwise
		for _, n := range byCluster {
			m.linkedPairs += choose2(n)
		}
		for _, n := range byPerson {
			m.truePairs += choose2(n)
		}
		for _, n := range both {
			m.correct += choose2(n)
		}
		return m
	}
	recLines := map[string][]string{}
	for line, rec := range lineRec {
		if tp, ok := truth[line]; ok {
			recLines[rec] = append(recLines[rec], tp)
		}
	}
	lines := pw(func(rec string) []string { return recLines[rec] })
	records := pw(func(rec string) []string {
		if tp, ok := recTruth[rec]; ok {
			return []string{tp}
		}
		return nil
	})
	review, reviewTrue := 0, 0
	for _, p := range res.Pairs {
		if p.Status == StatusReview {
			review++
			if recTruth[p.A] == recTruth[p.B] {
				reviewTrue++
			}
		}
	}
	t.Logf("records %d, candidate pairs %d, EM iterations %d, lambda %.4f prior %.2f", len(recs), res.Params.CandidatePairs, res.Params.Iterations, res.Params.Lambda, res.Params.PriorWeight)
	t.Logf("lines:   precision %.4f recall %.4f F1 %.4f", lines.precision(), lines.recall(), lines.f1())
	t.Logf("records: precision %.4f recall %.4f F1 %.4f", records.precision(), records.recall(), records.f1())
	t.Logf("review list: %d pairs, %d of them one true person", review, reviewTrue)
	// scored pairs by score bucket: how many, how many one true person, how many on review
	type bucket struct{ n, same, review, linked int }
	buckets := map[int]*bucket{}
	notes := map[string]int{}
	for _, p := range res.Pairs {
		if p.Rule != RuleFellegiSunter {
			continue
		}
		k := int(p.Score) / 2 * 2
		if p.Score < 0 {
			k = -int(-p.Score)/2*2 - 2
		}
		b := buckets[k]
		if b == nil {
			b = &bucket{}
			buckets[k] = b
		}
		b.n++
		if recTruth[p.A] == recTruth[p.B] {
			b.same++
		}
		if p.Status == StatusReview {
			b.review++
			note := p.Note
			if i := strings.Index(note, ":"); i >= 0 {
				note = note[:i]
			}
			notes[note]++
		}
		if p.SameCluster {
			b.linked++
		}
	}
	for _, k := range sortedKeys(buckets) {
		b := buckets[k]
		t.Logf("  score [%3d,%3d): %6d pairs, %5d one person, %5d review, %5d same cluster", k, k+2, b.n, b.same, b.review, b.linked)
	}
	for _, n := range sortedKeys(notes) {
		t.Logf("  review note %q: %d", n, notes[n])
	}
	if testing.Verbose() {
		for _, f := range res.Params.Fields {
			for _, l := range f.Levels {
				t.Logf("%-12s %-10s m=%.4f u=%.6f uc=%.4f w=%6.2f n=%d", f.Field, l.Level, l.M, l.U, l.UCandidate, l.Weight, l.Frequency)
			}
		}
	}
	// The targets of canvas eval over conviction lines, and a review list analysts can work through.
	if lines.precision() < 0.995 || lines.f1() < 0.98 {
		t.Errorf("lines: precision %.4f and F1 %.4f, want at least 0.995 and 0.98", lines.precision(), lines.f1())
	}
	if review > 300 {
		t.Errorf("review list: %d pairs, want at most 300", review)
	}
	if os.Getenv("LINKAGE_WORLD_DETAIL") == "" {
		return
	}
	show := func(r *Record) string {
		return fmt.Sprintf("%s [%s] %s, %s / %s / %s / %s / %s (%s)", r.ID, r.NationalNumber, r.Surname, r.GivenNames, r.BirthDate, r.BirthPlace, r.Sex, r.Citizenship, recTruth[r.ID])
	}
	pairOf := map[[2]string]Pair{}
	for _, p := range res.Pairs {
		pairOf[[2]string{p.A, p.B}] = p
	}
	// false links: pairs linked by score whose records are different true persons
	var bad []Pair
	for _, p := range res.Pairs {
		if p.Status == StatusMatch && p.Rule == RuleFellegiSunter && recTruth[p.A] != recTruth[p.B] {
			bad = append(bad, p)
		}
	}
	slices.SortFunc(bad, func(a, b Pair) int { return cmp.Compare(b.Score, a.Score) })
	t.Logf("false FS links: %d", len(bad))
	for i, p := range bad {
		if i >= 25 {
			break
		}
		t.Logf("  %.2f %v\n     %s\n     %s", p.Score, p.Comparison, show(byID[p.A]), show(byID[p.B]))
	}
	if os.Getenv("LINKAGE_WORLD_BAND") != "" {
		for _, p := range res.Pairs {
			if p.Rule == RuleFellegiSunter && p.Score >= -2 && p.Score < 10 {
				lv := ""
				for _, f := range p.Comparison.Fields() {
					lv += fmt.Sprintf(" %s=%s(%.1f)", f.Field[:3], f.Level, f.Weight)
				}
				t.Logf("BAND %v %.2f %s%s\n     %s\n     %s", recTruth[p.A] == recTruth[p.B], p.Score, p.Status, lv, show(byID[p.A]), show(byID[p.B]))
			}
		}
	}
	// missed: records of one true person in different clusters
	byTruth := map[string][]string{}
	for _, r := range recs {
		if tp, ok := recTruth[r.ID]; ok {
			byTruth[tp] = append(byTruth[tp], r.ID)
		}
	}
	missed := 0
	for _, tp := range sortedKeys(byTruth) {
		ids := byTruth[tp]
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				if res.Cluster[ids[i]] == res.Cluster[ids[j]] {
					continue
				}
				missed++
				if missed <= 25 {
					a, b := min(ids[i], ids[j]), max(ids[i], ids[j])
					p, ok := pairOf[[2]string{a, b}]
					t.Logf("  missed (traced %v %.2f %s %s)\n     %s\n     %s", ok, p.Score, p.Status, p.Note, show(byID[a]), show(byID[b]))
				}
			}
		}
	}
	t.Logf("missed record pairs: %d", missed)
}

// exactGroups returns each record's representative, as dedup's rule EXACT groups them (sorted by
// ID, the first of a group represents it and lends it the group's national number).
func exactGroups(recs []Record) []int {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(recs[a].ID, recs[b].ID) })
	type group struct {
		first int
		nn    string
	}
	rep := make([]int, len(recs))
	groups := map[string][]*group{}
	squash := func(s string) string { return strings.ReplaceAll(Normalize(s), " ", "") }
	for _, i := range order {
		rep[i] = i
		r := &recs[i]
		sn, gn := squash(r.Surname), squash(r.GivenNames)
		if os.Getenv("LINKAGE_WORLD_NOEXACT") != "" || sn == "" || gn == "" || r.BirthDate == "" {
			continue
		}
		key := sn + "|" + gn + "|" + r.BirthDate
		var joined *group
		for _, g := range groups[key] {
			if g.nn == "" || r.NationalNumber == "" || g.nn == r.NationalNumber {
				joined = g
				break
			}
		}
		if joined == nil {
			joined = &group{first: i}
			groups[key] = append(groups[key], joined)
		}
		rep[i] = joined.first
		if joined.nn == "" {
			joined.nn = r.NationalNumber
			recs[joined.first].NationalNumber = r.NationalNumber
		}
	}
	return rep
}

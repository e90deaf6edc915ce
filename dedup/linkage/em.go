package linkage

import (
	"context"
	"math"
	"math/rand/v2"
)

// Params are the Fellegi-Sunter parameters estimated from the data by [Link].
type Params struct {
	Lambda         float64       // share of true matches among the candidate pairs
	PriorWeight    float64       // log2 odds of a match between two records drawn at random: the start of every score
	Iterations     int           // EM iterations run
	Converged      bool          // whether EM stopped on Config.EMTolerance rather than the cap
	CandidatePairs int           // pairs compared after blocking
	OversizedBlock int           // blocks compared with the sliding window instead of all pairs
	RandomPairs    int           // random record pairs drawn to seed u
	LabelledPairs  int           // candidate pairs whose label EM did not estimate (national number, analyst)
	Fields         []FieldParams // one per compared field, in the order of the Field constants
}

// FieldParams are the parameters of one field.
type FieldParams struct {
	Field  string
	Levels []LevelParams // every level but "missing", strongest first
}

// LevelParams are the parameters of one level of one field: M is the probability of the level
// for a true match (measured on the known matches, see the package comment), U for two records
// drawn at random, and Weight is log2(M/U), what the level adds to a score. UCandidate is the
// probability for a non-match among the candidate pairs, as EM estimated it.
type LevelParams struct {
	Level      Level
	M, U       float64
	UCandidate float64
	Weight     float64
	Frequency  int // candidate pairs at this level
}

// Model is a fitted Fellegi-Sunter model: what [Link] estimated (Result.Model) and what a later
// run may reuse as it is (Config.Model, [Relink]), so that a pair keeps its score from one run
// to the next. It is read-only once fitted, and safe to share between goroutines. Store it with
// [Model.MarshalBinary].
//
// The parameters are indexed [field][level index]; index 0 (missing) is unused.
//
// m is measured on the candidate pairs known to be one person (fitKnown). EM runs in the space
// of candidate pairs: uCand and lambda are estimated there. Blocking makes the non-matches among
// candidates agree on names far more often than chance, and not independently of each other,
// so weights computed with uCand would understate name agreement for a pair found by birth
// date, and the other way round. The weights therefore use u from random record pairs (the
// chance agreement in the whole population) and the prior is the share of matches among all
// record pairs: measured on the records with a valid national number when enough of them share
// one (setPriorFromNumbers), else estimated as lambda times the candidate pairs over all pairs.
//
// Name agreement is also adjusted for how common the name is (term frequency): agreeing on a
// name that one record in ten carries says less than agreeing on a name carried once. At levels
// exact, jw and phonetic, a name field's weight gets log2(u_exact / f), f being the share of
// records whose field has the same phonetic key (the larger of the two sides), bounded by
// tfBound. When both names agree, their two weights together are capped by the full name's own
// frequency (see weights): names drawn from small pools per country are not independent.
type Model struct {
	m, uCand, u, w [numFields][]float64
	lambda         float64               // share of matches among candidate pairs
	prior          float64               // log2 odds of a match for a pair of records drawn at random
	tf             [2]map[string]float64 // surname and given names: share of records per phonetic key
	tfFull         map[string]float64    // share of records per full name: surname and given names keys
	// how the model was fitted, reported in Params by every run that uses it
	iterations  int  // EM iterations
	converged   bool // whether EM converged
	randomPairs int  // random record pairs drawn for u
}

// fullName is the key of a record's full name for tfFull.
func fullName(p *prepared) string { return p.surname.phonKey + "|" + p.given.phonKey }

// fullFreq returns tfFull of a record's full name, without allocating its key.
func (md *Model) fullFreq(p *prepared) float64 {
	var buf [96]byte
	k := append(append(append(buf[:0], p.surname.phonKey...), '|'), p.given.phonKey...)
	return md.tfFull[string(k)]
}

const tfBound = 8

func (md *Model) setFrequencies(recs []prepared) {
	for f := range 2 {
		counts := make(map[string]float64)
		for i := range recs {
			n := recs[i].surname
			if f == fGiven {
				n = recs[i].given
			}
			if n.phonKey != "" {
				counts[n.phonKey]++
			}
		}
		for k := range counts {
			counts[k] /= float64(len(recs))
		}
		md.tf[f] = counts
	}
	full := make(map[string]float64)
	for i := range recs {
		if recs[i].surname.phonKey != "" && recs[i].given.phonKey != "" {
			full[fullName(&recs[i])]++
		}
	}
	for k := range full {
		full[k] /= float64(len(recs))
	}
	md.tfFull = full
}

// weights returns the weight of every field of a compared pair.
func (md *Model) weights(v vector, a, b *prepared) [numFields]float64 {
	a, b = inIDOrder(a, b) // as compare does
	return md.weightsOrdered(v, a, b)
}

// weightsOrdered is weights for a caller that knows that a's ID is the smaller (see
// comparer.compareOrdered).
func (md *Model) weightsOrdered(v vector, a, b *prepared) [numFields]float64 {
	var w [numFields]float64
	for f := range numFields {
		l := v.lv[f]
		if l == lvMissing {
			continue
		}
		w[f] = md.w[f][l]
		if (f == fSurname || f == fGiven) && l <= namePhonetic && md.tf[0] != nil {
			na, nb := a.nameField(f, false), b.nameField(f, v.swapped)
			fa, fb := md.tf[f][na.phonKey], md.tf[f][nb.phonKey]
			if v.swapped {
				fb = md.tf[1-f][nb.phonKey]
			}
			if freq := max(fa, fb); freq > 0 {
				w[f] += min(max(math.Log2(md.u[f][nameExact]/freq), -tfBound), tfBound)
			}
		}
	}
	// Surname and given names are not independent: where names come from small pools per
	// country, a full name is shared by more people than the two names' frequencies imply. When
	// both agree, together they weigh at most what the full name's own frequency allows.
	ls, lg := v.lv[fSurname], v.lv[fGiven]
	if md.tfFull != nil && ls != lvMissing && ls <= namePhonetic && lg != lvMissing && lg <= namePhonetic {
		if freq := max(md.fullFreq(a), md.fullFreq(b)); freq > 0 {
			joint := math.Log2(md.m[fSurname][ls] * md.m[fGiven][lg] / freq)
			if excess := w[fSurname] + w[fGiven] - joint; excess > 0 {
				w[fSurname] -= excess / 2
				w[fGiven] -= excess / 2
			}
		}
	}
	return w
}

func (md *Model) score(v vector, a, b *prepared) float64 {
	a, b = inIDOrder(a, b) // as compare does
	return md.scoreOrdered(v, a, b)
}

// scoreOrdered is score for a caller that knows that a's ID is the smaller (see
// comparer.compareOrdered).
func (md *Model) scoreOrdered(v vector, a, b *prepared) float64 {
	s := md.prior
	for _, w := range md.weightsOrdered(v, a, b) {
		s += w
	}
	return s
}

const probFloor = 1e-6

// priorM returns the m a field's levels are given before the known matches are counted (see
// fitKnown): what clerks' variants make of one person's records in conviction extracts. Birth
// dates differ only by a typing error, which is rarer than a name's variant spelling.
func priorM(f int) []float64 {
	switch f {
	case fSurname, fGiven:
		return []float64{0, 0.85, 0.05, 0.04, 0.03, 0.03}
	case fBirthDate:
		return []float64{0, 0.93, 0.03, 0.015, 0.01, 0.015}
	case fBirthPlace:
		return []float64{0, 0.85, 0.05, 0.10}
	case fSex:
		return []float64{0, 0.97, 0.03}
	default:
		return []float64{0, 0.9, 0.1}
	}
}

// newModel returns starting parameters: m favouring the strong levels, u from the level
// frequencies of random record pairs (Laplace-smoothed), and a 10% prior.
func newModel(ctx context.Context, cmp comparer, recs []prepared, samples int, seed uint64) (*Model, int, error) {
	md := new(Model)
	var counts [numFields][]float64
	for f := range numFields {
		k := len(levelsOf(f))
		md.m[f] = make([]float64, k)
		md.u[f] = make([]float64, k)
		md.uCand[f] = make([]float64, k)
		md.w[f] = make([]float64, k)
		counts[f] = make([]float64, k)
		copy(md.m[f], priorM(f))
	}
	n := len(recs)
	drawn := 0
	if n >= 2 {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for s := range samples {
			if s%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return md, 0, err
				}
			}
			a := rng.IntN(n)
			b := rng.IntN(n - 1)
			if b >= a {
				b++
			}
			v := cmp.compare(&recs[a], &recs[b])
			for f := range numFields {
				counts[f][v.lv[f]]++
			}
			drawn++
		}
	}
	for f := range numFields {
		k := len(levelsOf(f))
		total := 0.0
		for l := 1; l < k; l++ {
			total += counts[f][l] + 0.5
		}
		for l := 1; l < k; l++ {
			md.u[f][l] = (counts[f][l] + 0.5) / total
			md.uCand[f][l] = md.u[f][l]
		}
	}
	md.lambda = 0.1
	md.setPrior(0, n)
	md.updateWeights()
	return md, drawn, nil
}

// mFloor bounds m from below in the weights: one clerical error in a field (a wrong sex, a
// changed citizenship) must cost a pair, not veto it.
const mFloor = 1e-3

func (md *Model) updateWeights() {
	for f := range numFields {
		for l := 1; l < len(md.m[f]); l++ {
			md.w[f][l] = math.Log2(max(md.m[f][l], mFloor) / md.u[f][l])
		}
	}
}

// setPrior sets the population prior from the expected matches among the candidate pairs.
func (md *Model) setPrior(candidates, records int) {
	all := float64(records) * float64(records-1) / 2
	expected := md.lambda * float64(candidates)
	if all < 1 || expected < 1 {
		md.prior = math.Log2(md.lambda / (1 - md.lambda))
		return
	}
	p := min(expected/all, 0.5)
	md.prior = math.Log2(p / (1 - p))
}

// setPriorFromNumbers sets the prior from the records with a valid national number: the share of
// their pairs that share the number is the share of matches among record pairs, measured rather
// than estimated. It reports false, changing nothing, when fewer than minKnownMatches pairs share
// a number.
func (md *Model) setPriorFromNumbers(recs []prepared) bool {
	groups := make(map[string]int)
	withNN := 0
	for i := range recs {
		if nn := recs[i].nn; nn != "" {
			groups[nn]++
			withNN++
		}
	}
	same := 0
	for _, n := range groups {
		same += n * (n - 1) / 2
	}
	if same < minKnownMatches {
		return false
	}
	p := float64(same) / (float64(withNN) * float64(withNN-1) / 2)
	p = min(p, 0.5)
	md.prior = math.Log2(p / (1 - p))
	return true
}

// label of a candidate pair known before estimation.
const (
	unlabelled int8 = iota
	knownMatch
	knownNonMatch
)

// patternCount is how many candidate pairs show a pattern of levels with a label.
type patternCount struct {
	pattern uint32
	label   int8
	count   float64
}

// estimate runs EM over the candidate pairs' level patterns. Pairs with a known label keep it:
// their posterior is fixed at 1 or 0. It returns the iterations run and whether EM converged.
//
// pcs counts the candidate pairs per pattern and label, sorted by pattern then label.
func (md *Model) estimate(ctx context.Context, pcs []patternCount, maxIter int, tol float64) (int, bool, error) {
	if len(pcs) == 0 {
		return 0, true, nil
	}
	var uNum [numFields][]float64
	for f := range numFields {
		uNum[f] = make([]float64, len(md.uCand[f]))
	}
	for it := 1; it <= maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return it - 1, false, err
		}
		for f := range numFields {
			clear(uNum[f])
		}
		gSum, total := 0.0, 0.0
		for _, pc := range pcs {
			var g float64
			switch pc.label {
			case knownMatch:
				g = 1
			case knownNonMatch:
				g = 0
			default:
				// Posterior from the log likelihood ratio, stable for extreme ratios.
				lr := math.Log(md.lambda / (1 - md.lambda))
				for f := range numFields {
					if l := levelAt(pc.pattern, f); l != lvMissing {
						lr += math.Log(md.m[f][l] / md.uCand[f][l])
					}
				}
				g = 1 / (1 + math.Exp(-lr))
			}
			gSum += g * pc.count
			total += pc.count
			for f := range numFields {
				if l := levelAt(pc.pattern, f); l != lvMissing {
					uNum[f][l] += (1 - g) * pc.count
				}
			}
		}
		change := 0.0
		newLambda := clamp(gSum / total)
		change = max(change, math.Abs(newLambda-md.lambda))
		md.lambda = newLambda
		for f := range numFields {
			uTot := 0.0
			for l := 1; l < len(uNum[f]); l++ {
				uTot += uNum[f][l]
			}
			if uTot > 0 {
				for l := 1; l < len(uNum[f]); l++ {
					v := clamp(uNum[f][l] / uTot)
					change = max(change, math.Abs(v-md.uCand[f][l]))
					md.uCand[f][l] = v
				}
			}
		}
		if change < tol {
			md.updateWeights()
			return it, true, nil
		}
	}
	md.updateWeights()
	return maxIter, false, nil
}

// minKnownMatches is how many pairs of records sharing a valid national number are enough to
// measure the prior on them (see setPriorFromNumbers).
const minKnownMatches = 20

// mSwappedMin is the least m of a birth date with day and month swapped, a common clerical
// variant (extracts.md section 4).
const mSwappedMin = 0.02

// knownPrior is how many known matches priorM counts for.
const knownPrior = 20

// fitKnown sets m from the candidate pairs known to be one person (same valid national number,
// an analyst's match), with priorM counting for knownPrior of them, so that m leans on priorM
// when few pairs are known and on the data when many are. m is measured rather than estimated
// by EM: over candidate pairs found by blocking on names drawn from small pools, EM takes "same
// name" for the match class, since pairs that agree on names outnumber the true matches many
// times, and then weighs a birth date that differs by thirty years as nothing.
func (md *Model) fitKnown(pcs []patternCount) int {
	var counts [numFields][]float64
	for f := range numFields {
		counts[f] = make([]float64, len(md.m[f]))
	}
	known := 0
	for _, pc := range pcs {
		if pc.label != knownMatch {
			continue
		}
		known += int(pc.count)
		for f := range numFields {
			counts[f][levelAt(pc.pattern, f)] += pc.count
		}
	}
	for f := range numFields {
		total := 0.0
		for l := 1; l < len(counts[f]); l++ {
			total += counts[f][l]
		}
		prior := priorM(f)
		for l := 1; l < len(counts[f]); l++ {
			md.m[f][l] = clamp((counts[f][l] + knownPrior*prior[l]) / (total + knownPrior))
		}
	}
	// A record whose birth date contradicts its national number loses the number when it is
	// loaded, so two records of one number never show day and month swapped: the known matches
	// cannot measure that variant.
	if md.m[fBirthDate][dateSwapped] < mSwappedMin {
		md.m[fBirthDate][dateExact] -= mSwappedMin - md.m[fBirthDate][dateSwapped]
		md.m[fBirthDate][dateSwapped] = mSwappedMin
	}
	md.updateWeights()
	return known
}

func clamp(p float64) float64 {
	if math.IsNaN(p) {
		return probFloor
	}
	return min(max(p, probFloor), 1-probFloor)
}

// params reports the model in the exported form; freq counts the candidate pairs at each level.
// The counts of the run (candidate pairs, oversized blocks, labelled pairs) are left to the caller.
func (md *Model) params(freq [numFields][]int) Params {
	p := Params{Lambda: md.lambda, PriorWeight: md.prior, Iterations: md.iterations, Converged: md.converged, RandomPairs: md.randomPairs}
	for f := range numFields {
		fp := FieldParams{Field: fieldName(f)}
		levels := levelsOf(f)
		for l := 1; l < len(levels); l++ {
			fp.Levels = append(fp.Levels, LevelParams{
				Level: levels[l], M: md.m[f][l], U: md.u[f][l], UCandidate: md.uCand[f][l],
				Weight: md.w[f][l], Frequency: freq[f][l],
			})
		}
		p.Fields = append(p.Fields, fp)
	}
	return p
}

package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ciatteh/canvas/schema"
)

// warmUpYears is how many years before FromYear the world starts.
const warmUpYears = 4

// Phenomena of the simulated world.
const (
	thb = "TRAFFICKING"
	smu = "SMUGGLING"
)

// person is a true human being of the simulated world. Records show them through identities
// that may differ from these true values.
type person struct {
	key            string // true_person_id
	surname, given string
	grp            int
	birth          day
	place          string
	male           bool
	cit            string
	numKind        int
	nn             string
	policeRef      string
	prosRef        string
	machID         string
	legacyID       string
	notices        int // conviction notices written so far
}

// episode is one criminal case of the world followed from police to court.
type episode struct {
	id       int
	phen     string
	district string
	form     string // TRAFFICKING: main form of exploitation
	factDate day
	regDate  day
	aggr     bool
	suspects []*person
	victims  []*person
	nVictims int // persons smuggled or trafficked, as the court counts them
	pcase    *pcase
	pcasePV  string // the police report of the fact, if the police recorded one
	warm     bool   // a warm-up episode: only its decisions from FromYear on are delivered
}

// weighted is a discrete distribution over strings.
type weighted struct {
	vals []string
	cum  []float64
}

func newWeighted(pairs ...any) weighted {
	var w weighted
	t := 0.0
	for i := 0; i+1 < len(pairs); i += 2 {
		var f float64
		switch v := pairs[i+1].(type) {
		case int:
			f = float64(v)
		case float64:
			f = v
		}
		t += f
		w.vals = append(w.vals, pairs[i].(string))
		w.cum = append(w.cum, t)
	}
	for i := range w.cum {
		w.cum[i] /= t
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	x := r.Float64()
	for i, c := range w.cum {
		if x < c {
			return w.vals[i]
		}
	}
	return w.vals[len(w.vals)-1]
}

// dists holds the world's distributions (Belgian police and court data, rounded).
type dists struct {
	smuSuspect, smuVictim, thbSuspect, thbVictim, background weighted
	smuDistrict, thbDistrict, bgDistrict                     weighted
	form                                                     weighted
}

func newDists() dists {
	return dists{
		smuSuspect: newWeighted("IQ", 14, "AL", 9, "XK", 2, "SY", 6, "AF", 6, "ER", 3, "VN", 5, "MA", 6, "BE", 14, "NL", 5,
			"FR", 3, "RO", 3, "BG", 2, "GB", 2, "TR", 4, "IR", 4, "EG", 3, "DZ", 3, "SD", 2, "PK", 2, "IN", 2),
		smuVictim: newWeighted("ER", 16, "SY", 12, "AF", 14, "IQ", 12, "SD", 8, "VN", 6, "IR", 6, "AL", 4, "SO", 4, "MA", 3,
			"EG", 3, "ET", 3, "PK", 3, "PS", 2, "YE", 2, "TR", 2),
		thbSuspect: newWeighted("BE", 26, "RO", 12, "BG", 8, "NG", 6, "MA", 8, "AL", 5, "CN", 5, "TR", 4, "NL", 4, "FR", 3,
			"IN", 3, "PK", 3, "HU", 2, "PL", 2, "TH", 2, "BR", 1, "UA", 2, "VN", 2),
		thbVictim: newWeighted("RO", 14, "BG", 8, "BE", 8, "NG", 10, "MA", 7, "CN", 4, "VN", 5, "TH", 4, "IN", 3, "PH", 3,
			"UA", 4, "BR", 3, "AL", 3, "ER", 3, "HU", 3, "PL", 2, "MD", 2, "GH", 2, "AF", 2, "SY", 2),
		background: newWeighted("BE", 65, "MA", 6, "FR", 4, "NL", 4, "RO", 4, "TR", 3, "DZ", 2, "PL", 2, "IT", 2, "CD", 2,
			"AL", 1, "BG", 1, "IQ", 1, "AF", 1, "SY", 1, "DE", 1),
		smuDistrict: newWeighted("OVL", 22, "WVL", 22, "BRU", 15, "ANT", 12, "LIM", 5, "LIE", 6, "HAI", 6, "NAM", 3,
			"LUX", 3, "LEU", 3, "BRW", 2, "EUP", 1),
		thbDistrict: newWeighted("BRU", 22, "ANT", 18, "LIE", 10, "HAI", 10, "OVL", 10, "WVL", 8, "LIM", 7, "NAM", 4,
			"LEU", 4, "BRW", 3, "LUX", 2, "EUP", 2),
		bgDistrict: newWeighted("ANT", 16, "BRU", 18, "HAI", 12, "LIE", 10, "OVL", 12, "WVL", 9, "LIM", 7, "LEU", 4,
			"NAM", 4, "BRW", 3, "LUX", 3, "EUP", 2),
		form: newWeighted("SEX", 44, "LAB", 44, "BEG", 4, "CRIM", 6, "ORG", 0.5),
	}
}

// Agency offence codes of the synthetic extracts (codes/offence_map.csv).
func policeCode(off string) string {
	switch off {
	case "THB-433Q-SEX":
		return "42A1"
	case "THB-433Q-LAB":
		return "42A2"
	case "THB-433Q-BEG":
		return "42A3"
	case "THB-433Q-CRIM":
		return "42A4"
	case "THB-433Q-ORG":
		return "42A5"
	case "SMU-77BIS":
		return "42B0"
	case "SMU-77QUATER":
		return "42B1"
	}
	return off // canvas codes are accepted directly
}

func prosecutionCode(off string) string {
	switch off {
	case "THB-433Q-SEX":
		return "37A"
	case "THB-433Q-LAB":
		return "37B"
	case "THB-433Q-BEG":
		return "37C"
	case "THB-433Q-CRIM":
		return "37D"
	case "THB-433Q-ORG":
		return "37E"
	case "THB-433SEPTIES":
		return "37F"
	case "SMU-77BIS":
		return "38A"
	case "SMU-77QUATER":
		return "38B"
	}
	return off
}

func formOffence(form string) string { return "THB-433Q-" + form }

// world is the hidden simulated population with every record delivered about it.
type world struct {
	cfg     Config
	codes   *schema.Codes
	r       *rand.Rand
	d       dists
	names   [nGroups]nameGroup // the world's people draw from these
	bgNames [nGroups]nameGroup // the background's persons draw from these: names, then more (backgroundNames)
	vars    map[string][]string

	d0, now   day
	nights    []day // nights[0] is the initial delivery, nights[k] the k-th nightly delivery
	migration day
	from      day // the conviction extract holds decisions judged from this day: 1 January, two years before FromYear

	persons  []*person
	nns      nnSerials            // the serials of the persons' national numbers
	pool     map[string][]*person // earlier suspects per phenomenon, for repeat offenders
	episodes []*episode

	police []*rec[policeRow]
	pros   []*rec[prosRow]
	mach   []*rec[machLine]
	chains []*chain

	seq      map[string]int
	casesBy  map[string][]string // case numbers per phenomenon and office, for JOINED
	patterns map[string]*PatternCount
}

// rec is one record (record key) with the versions delivered of it, in delivery order.
type rec[T any] struct {
	vers []ver[T]
}

type ver[T any] struct {
	night int
	row   T
}

// insertVer adds a version delivered on night k, keeping versions in delivery order.
func insertVer[T any](r *rec[T], k int, row T) {
	i := len(r.vers)
	for i > 0 && r.vers[i-1].night > k {
		i--
	}
	r.vers = append(r.vers, ver[T]{})
	copy(r.vers[i+1:], r.vers[i:])
	r.vers[i] = ver[T]{k, row}
}

func (r *rec[T]) last() *T { return &r.vers[len(r.vers)-1].row }

// at returns the version standing after delivery night k, or nil.
func (r *rec[T]) at(k int) *T {
	var out *T
	for i := range r.vers {
		if r.vers[i].night <= k {
			out = &r.vers[i].row
		}
	}
	return out
}

func (w *world) pat(name string, hit bool) {
	p := w.patterns[name]
	if p == nil {
		p = &PatternCount{}
		w.patterns[name] = p
	}
	p.OutOf++
	if hit {
		p.Injected++
	}
}

func (w *world) chance(name string, p float64) bool {
	hit := w.r.Float64() < p
	w.pat(name, hit)
	return hit
}

func (w *world) next(name string) int { w.seq[name]++; return w.seq[name] }

func (w *world) between(a, b day) day {
	if b <= a {
		return a
	}
	return a + day(w.r.IntN(int(b-a)+1))
}

func newWorld(cfg Config, codes *schema.Codes) *world {
	w := &world{cfg: cfg, codes: codes, d: newDists(), names: nameGroups(), bgNames: backgroundNames(), vars: nameVariants(),
		pool: map[string][]*person{}, seq: map[string]int{}, casesBy: map[string][]string{}, patterns: map[string]*PatternCount{}}
	w.r = rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15))
	w.d0 = dayOf(cfg.FirstDelivery)
	for k := 0; k <= cfg.Nights; k++ {
		w.nights = append(w.nights, w.d0+day(k))
	}
	w.now = w.nights[len(w.nights)-1]
	w.migration = dayOf(cfg.Migration)
	w.from = mkday(cfg.FromYear-2, 1, 1)
	return w
}

// newPerson draws a true person of citizenship cit, aged age on date at.
func (w *world) newPerson(prefix, cit string, male bool, age int, at day) *person {
	r := w.r
	g := groupOf(cit)
	ng := &w.names[g]
	p := &person{key: fmt.Sprintf("%s%07d", prefix, w.next("person"+prefix)), grp: g, cit: cit, male: male}
	if male {
		p.given = ng.male[r.IntN(len(ng.male))]
	} else {
		p.given = ng.female[r.IntN(len(ng.female))]
	}
	if r.IntN(6) == 0 && g != grpVietnamese && g != grpChinese { // a second given name
		if male {
			p.given += " " + ng.male[r.IntN(len(ng.male))]
		} else {
			p.given += " " + ng.female[r.IntN(len(ng.female))]
		}
	}
	p.surname = ng.surnames[r.IntN(len(ng.surnames))]
	p.place = ng.places[r.IntN(len(ng.places))]
	p.birth = at - day(age*365+r.IntN(365))
	switch {
	case cit == "BE":
		p.numKind = numNN
		if r.Float64() < 0.03 {
			p.numKind = numNone
		}
	default:
		x := r.Float64()
		switch {
		case x < w.cfg.Rates.NoNumber:
			p.numKind = numNone
		case x < w.cfg.Rates.NoNumber+w.cfg.Rates.BIS:
			p.numKind = numBIS
		default:
			p.numKind = numNN
		}
	}
	if p.numKind != numNone {
		p.nn = nationalNumber(p.birth, male, w.nns.take(p.birth, male, p.numKind, r.IntN(1000)), p.numKind)
	}
	if cit != "BE" && prefix == "P" {
		w.pat("world.foreign_offender_bis", p.numKind == numBIS)
		w.pat("world.foreign_offender_no_number", p.numKind == numNone)
	}
	w.persons = append(w.persons, p)
	return p
}

func (w *world) ageSuspect() int { return 19 + int(math.Min(41, w.r.ExpFloat64()*12)) }

func (w *world) geometric(mean float64) int {
	if mean <= 0 {
		return 0
	}
	p := 1 / (1 + mean)
	n := 0
	for w.r.Float64() > p && n < 1000 {
		n++
	}
	return n
}

// build simulates every year: episodes, police facts, prosecution cases and court decisions.
func (w *world) build() {
	// Warm-up years feed the courts, so that the first years of the extracts hold the appeals
	// and late judgments of older cases as real extracts do; their police and prosecution
	// records, and decisions judged before w.from, are not delivered.
	for y := w.cfg.FromYear - warmUpYears; y <= w.cfg.ToYear; y++ {
		nSMU := 380 + w.r.IntN(50)
		nTHB := 330 + w.r.IntN(50)
		for i := 0; i < nSMU+nTHB; i++ {
			phen := smu
			if i >= nSMU {
				phen = thb
			}
			w.episode(y, phen, y < w.cfg.FromYear)
		}
	}
}

func (w *world) episode(y int, phen string, warm bool) {
	r := w.r
	ep := &episode{id: len(w.episodes) + 1, phen: phen, warm: warm}
	w.episodes = append(w.episodes, ep)
	ep.regDate = w.between(mkday(y, 1, 1), mkday(y, 12, 31))
	ep.factDate = ep.regDate - day(r.IntN(90))
	if phen == smu {
		ep.district = w.d.smuDistrict.pick(r)
		ep.aggr = r.Float64() < 0.3
	} else {
		ep.district = w.d.thbDistrict.pick(r)
		ep.form = w.d.form.pick(r)
	}
	// Suspects.
	nS := 1 + w.geometric(0.5)
	if r.Float64() < 0.06 {
		nS = 0 // unknown authors
	}
	for i := 0; i < nS; i++ {
		pool := w.pool[phen]
		if r.Float64() < 0.15 { // some offenders turn up in both phenomena
			pool = w.pool[otherPhen(phen)]
		}
		if len(pool) > 20 && w.chance("world.repeat_offender", w.cfg.Rates.Repeat) {
			p := pool[r.IntN(len(pool))]
			dup := false
			for _, q := range ep.suspects {
				dup = dup || q == p
			}
			if !dup {
				ep.suspects = append(ep.suspects, p)
			}
			continue
		}
		var cit string
		male := true
		if phen == smu {
			cit = w.d.smuSuspect.pick(r)
			male = r.Float64() < 0.9
		} else {
			cit = w.d.thbSuspect.pick(r)
			male = r.Float64() < 0.75
		}
		age := w.ageSuspect()
		if r.Float64() < 0.02 {
			age = 15 + r.IntN(3)
		}
		p := w.newPerson("P", cit, male, age, ep.factDate)
		ep.suspects = append(ep.suspects, p)
		w.pool[phen] = append(w.pool[phen], p)
	}
	// Victims recorded by the police.
	var nV int
	if phen == smu {
		nV = w.geometric(3)
		ep.nVictims = 1 + w.geometric(w.cfg.Rates.VictimsMean-1)
		if ep.nVictims > w.cfg.Rates.VictimsMax {
			ep.nVictims = w.cfg.Rates.VictimsMax
		}
	} else {
		nV = 1 + w.geometric(0.6)
		ep.nVictims = nV
	}
	for i := 0; i < nV; i++ {
		var cit string
		var male bool
		age := 18 + int(math.Min(30, r.ExpFloat64()*9))
		if phen == smu {
			cit = w.d.smuVictim.pick(r)
			male = r.Float64() < 0.75
			if r.Float64() < 0.15 {
				age = 12 + r.IntN(6)
			}
		} else {
			cit = w.d.thbVictim.pick(r)
			switch ep.form {
			case "SEX":
				male = r.Float64() < 0.1
			case "LAB":
				male = r.Float64() < 0.75
			case "CRIM":
				male = r.Float64() < 0.7
			default:
				male = r.Float64() < 0.5
			}
			if r.Float64() < 0.12 {
				age = 13 + r.IntN(5)
			}
		}
		ep.victims = append(ep.victims, w.newPerson("V", cit, male, age, ep.factDate))
	}
	if r.Float64() < 0.87 {
		w.policeFact(ep)
	}
	w.prosecution(ep)
}

// Helpers shared by the sources.

func (w *world) mainOffence(ep *episode) string {
	if ep.phen == smu {
		return "SMU-77BIS"
	}
	return formOffence(ep.form)
}

func otherPhen(phen string) string {
	if phen == smu {
		return thb
	}
	return smu
}

func (w *world) otherPhenOffence(phen string) string {
	if phen == smu {
		return formOffence(w.d.form.pick(w.r))
	}
	return "SMU-77BIS"
}

func (w *world) sexCode(p *person) string {
	if p.male {
		return "M"
	}
	return "F"
}

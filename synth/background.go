package synth

import (
	"fmt"
	"math/rand/v2"
)

// Background volume per year and source at Scale 1: police rows, prosecution rows and
// conviction lines of OTHER offences, streamed to disk and never held in memory.
const (
	bgPoliceRows      = 3000
	bgProsecutionRows = 2500
	bgMachLines       = 3000
)

// background generates rows of OTHER offences (theft, drugs, road traffic) on the fly. They
// never count under a phenomenon: they carry volume, and they give the linkage stage many
// persons to keep apart from the ones that matter.
type background struct {
	w     *world
	r     *rand.Rand
	off   weighted
	seq   int
	pseq  int
	jseq  map[int]int
	onBad func(name string, hit bool)
}

func newBackground(w *world, stream uint64) *background {
	return &background{w: w, r: rand.New(rand.NewPCG(uint64(w.cfg.Seed), stream)),
		off: newWeighted("OTH-THEFT", 50, "OTH-DRUG", 30, "OTH-ROAD", 20), jseq: map[int]int{}}
}

func (b *background) perYear(base int) int { return int(float64(base)*b.w.cfg.Scale + 0.5) }

func (b *background) person(male bool, at day) (p person) {
	r := b.r
	p.cit = b.w.d.background.pick(r)
	p.grp = groupOf(p.cit)
	ng := &b.w.names[p.grp]
	p.male = male
	if male {
		p.given = ng.male[r.IntN(len(ng.male))]
	} else {
		p.given = ng.female[r.IntN(len(ng.female))]
	}
	p.surname = ng.surnames[r.IntN(len(ng.surnames))]
	p.place = ng.places[r.IntN(len(ng.places))]
	p.birth = at - day((18+r.IntN(50))*365+r.IntN(365))
	b.pseq++
	p.key = fmt.Sprintf("B%09d", b.pseq)
	if p.cit == "BE" || r.IntN(2) == 0 {
		p.nn = nationalNumber(p.birth, male, r.IntN(1000), numNN)
	}
	return p
}

func (b *background) attrs(source string, p *person) (sex string, by int, cit string) {
	sex, by, cit = "F", p.birth.year(), p.cit
	if p.male {
		sex = "M"
	}
	if b.r.Float64() < b.w.cfg.Rates.BadOptional {
		by = 2091
		b.onBad(source+".bad_optional.birth_year_future", true)
	} else {
		b.onBad(source+".bad_optional.birth_year_future", false)
	}
	if b.r.Float64() < b.w.cfg.Rates.BadOptional {
		cit = "XX"
		b.onBad(source+".bad_optional.unknown_citizenship", true)
	} else {
		b.onBad(source+".bad_optional.unknown_citizenship", false)
	}
	return
}

// police streams the background police rows of year y.
func (b *background) police(y int, emit func(*policeRow) error) error {
	r, w := b.r, b.w
	n := b.perYear(bgPoliceRows)
	for done := 0; done < n; {
		reg := w.between(mkday(y, 1, 1), mkday(y, 12, 31))
		b.seq++
		district := w.d.bgDistrict.pick(r)
		zone := fmt.Sprintf("%d", 5200+r.IntN(250))
		row := policeRow{factID: fmt.Sprintf("F%d%07d", y, 5_000_000+b.seq), reg: reg, factDate: reg - day(r.IntN(30)),
			district: district, zone: zone, offence: b.off.pick(r)}
		row.pv = fmt.Sprintf("%s.%s.%07d/%d", district, zone, 5_000_000+b.seq, y)
		k := 1 + r.IntN(3)
		for i := 0; i < k && done < n; i++ {
			row.role = "SUSPECT"
			if i > 0 && r.IntN(2) == 0 {
				row.role = "VICTIM"
			}
			p := b.person(r.Float64() < 0.8, reg)
			row.ref = fmt.Sprintf("PR%09d", 500_000_000+b.pseq)
			row.sex, row.birthYear, row.cit = b.attrs("police", &p)
			if err := emit(&row); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}

// prosecution streams the background prosecution rows of year y.
func (b *background) prosecution(y int, emit func(*prosRow) error) error {
	r, w := b.r, b.w
	n := b.perYear(bgProsecutionRows)
	statuses := newWeighted("DISMISSED", 55, "SETTLED", 15, "REFERRED", 15, "OPEN", 5, "INVESTIGATION", 10)
	for done := 0; done < n; {
		b.seq++
		entry := w.between(mkday(y, 1, 1), mkday(y, 12, 31))
		office := w.officeOf(w.d.bgDistrict.pick(r))
		row := prosRow{caseNo: fmt.Sprintf("%s.%02d.L%d.%07d/%02d", office, 40+r.IntN(10), 1+r.IntN(9), 5_000_000+b.seq, y%100),
			office: office, entry: entry, offence: b.off.pick(r)}
		k := 1 + r.IntN(2)
		st := statuses.pick(r)
		for i := 0; i < k && done < n; i++ {
			p := b.person(r.Float64() < 0.8, entry)
			row.ref = fmt.Sprintf("S%09d", 500_000_000+b.pseq)
			row.sex, row.birthYear, row.cit = b.attrs("prosecution", &p)
			row.status, row.statusDate, row.reason = st, entry+day(r.IntN(200)), ""
			if st == "OPEN" {
				row.statusDate = entry
			}
			if st == "DISMISSED" {
				row.reason = "POLICY"
			}
			if row.statusDate > w.now {
				row.status, row.statusDate, row.reason = "OPEN", entry, ""
			}
			if err := emit(&row); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}

// mach streams the background conviction lines of year y; each line comes with its true
// person and chain for the truth files.
func (b *background) mach(y int, emit func(l *machLine, person, chainKey, outcome string) error) error {
	r, w := b.r, b.w
	n := b.perYear(bgMachLines)
	var id ident
	for done := 0; done < n; {
		jd := w.between(mkday(y, 1, 1), mkday(y, 12, 31))
		if jd > w.now {
			jd = w.now
		}
		b.jseq[y] += 1 + r.IntN(3)
		j := judgment{num: 500_000 + b.jseq[y], year: y, court: "TPI-" + w.d.bgDistrict.pick(r), date: jd, instance: "FIRST"}
		p := b.person(r.Float64() < 0.85, jd)
		legacy := jd < w.migration
		id = ident{surname: p.surname, given: p.given, birth: p.birth, place: p.place, sex: "F", cit: p.cit, nn: p.nn,
			personID: fmt.Sprintf("P%09d", 500_000_000+b.pseq)}
		if p.male {
			id.sex = "M"
		}
		if r.Float64() < w.cfg.Rates.MissingNN {
			id.nn = ""
		}
		system, jid := "MACH", j.machID()
		if legacy {
			system, jid = "LEGACY", j.legacyID(r.IntN(4))
			id.surname, id.given, id.place = legacyName(id.surname), legacyName(id.given), legacyName(id.place)
			id.personID = fmt.Sprintf("LP%08d", 50_000_000+b.pseq)
		}
		dec := "CONVICTION"
		if x := r.Float64(); x < 0.05 {
			dec = "ACQUITTAL"
		} else if x < 0.1 {
			dec = "SUSPENSION"
		}
		var s sentence
		switch {
		case dec != "CONVICTION":
			s = sentence{typ: "NONE"}
		case r.IntN(3) == 0:
			s = sentence{typ: "PRISON", months: 1 + r.IntN(24), susp: "Y"}
		default:
			s = sentence{typ: "FINE", susp: "N", fine: int64(26+r.IntN(200)) * 800}
		}
		final := jd + day(30+r.IntN(45))
		if final > w.now {
			final = 0
		}
		outcome := chainOutcome(dec, final)
		ck := fmt.Sprintf("BC%09d", b.pseq)
		k := 1 + r.IntN(3)
		for i := 0; i < k && done < n; i++ {
			b.seq++
			l := machLine{version: 1, system: system, judgmentID: jid, court: j.court, jdate: jd, instance: "FIRST",
				decision: dec, final: final, id: &id, offence: b.off.pick(r), odate: jd - day(30+r.IntN(300)), sent: s, fine: s.fine}
			if system == "LEGACY" {
				l.recordID = fmt.Sprintf("L%010d", 5_000_000_000+int64(b.seq))
			} else {
				l.recordID = fmt.Sprintf("M%011d", 50_000_000_000+int64(b.seq))
				if final != 0 {
					l.version = 2
				}
			}
			if err := emit(&l, p.key, ck, outcome); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}

// chainOutcome is the true outcome of a decision chain as truth/chains.csv writes it.
func chainOutcome(decision string, final day) string {
	if decision == "CONVICTION" {
		if final != 0 {
			return "CONVICTION_FINAL"
		}
		return "CONVICTION_PENDING"
	}
	return decision
}

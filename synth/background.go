package synth

import (
	"math/rand/v2"
)

// Background volume per year and source at Scale 1: police rows, prosecution rows and
// conviction lines of OTHER offences, streamed to disk and never held in memory.
const (
	bgPoliceRows      = 3000
	bgProsecutionRows = 2500
	bgMachLines       = 3000
)

// background generates rows of OTHER offences (theft, drugs, road traffic) on the fly, straight
// into a row buffer: they are most of the volume at large scales, so they allocate nothing per
// row. They never count under a phenomenon: they carry volume, and they give the linkage stage
// many persons to keep apart from the ones that matter.
type background struct {
	w        *world
	r        *rand.Rand
	off      weighted
	statuses weighted
	upper    [nGroups]nameGroup // the background's name lists (world.bgNames) in legacy capitals
	seq      int
	pseq     int
	jseq     int
	badBY    PatternCount
	badCit   PatternCount
	nns      nnSerials // the serials of the background persons' national numbers, beside the world's
}

func newBackground(w *world, stream uint64) *background {
	b := &background{w: w, r: rand.New(rand.NewPCG(uint64(w.cfg.Seed), stream)),
		off:      newWeighted("OTH-THEFT", 50, "OTH-DRUG", 30, "OTH-ROAD", 20),
		statuses: newWeighted("DISMISSED", 55, "SETTLED", 15, "REFERRED", 15, "OPEN", 5, "INVESTIGATION", 10),
		nns:      nnSerials{base: &w.nns}}
	up := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = legacyName(s)
		}
		return out
	}
	for i, g := range w.bgNames {
		b.upper[i] = nameGroup{male: up(g.male), female: up(g.female), surnames: up(g.surnames), places: up(g.places)}
	}
	return b
}

func (b *background) perYear(base int) int { return int(float64(base)*b.w.cfg.Scale + 0.5) }

// patterns adds the background's flagged values to the pattern counts of a source's run.
func (b *background) patterns(r *run, source string) {
	for _, x := range []struct {
		name string
		pc   PatternCount
	}{{".bad_optional.birth_year_future", b.badBY}, {".bad_optional.unknown_citizenship", b.badCit}} {
		if x.pc.OutOf == 0 {
			continue
		}
		p := r.patterns[source+x.name]
		if p == nil {
			p = &PatternCount{}
			r.patterns[source+x.name] = p
		}
		p.Injected += x.pc.Injected
		p.OutOf += x.pc.OutOf
	}
}

func (b *background) between(from, to day) day { return from + day(b.r.IntN(int(to-from)+1)) }

func (b *background) office(district string) string {
	switch district {
	case "BRU":
		if b.r.IntN(4) == 0 {
			return "HAL"
		}
	case "HAI":
		if b.r.IntN(2) == 0 {
			return "CHA"
		}
		return "MOT"
	}
	return district
}

// bgPerson is a background person, drawn fresh for every record.
type bgPerson struct {
	key                   int
	male                  bool
	cit                   string
	grp                   int
	given, surname, place int
	birth                 day
	nnSeq                 int
	hasNN                 bool
}

func (b *background) person(male bool, at day) bgPerson {
	r := b.r
	p := bgPerson{male: male, cit: b.w.d.background.pick(r)}
	p.grp = groupOf(p.cit)
	ng := &b.w.bgNames[p.grp]
	if male {
		p.given = r.IntN(len(ng.male))
	} else {
		p.given = r.IntN(len(ng.female))
	}
	p.surname = r.IntN(len(ng.surnames))
	p.place = r.IntN(len(ng.places))
	p.birth = at - day((18+r.IntN(50))*365+r.IntN(365))
	b.pseq++
	p.key = b.pseq
	p.hasNN = p.cit == "BE" || r.IntN(2) == 0
	p.nnSeq = r.IntN(1000)
	return p
}

func (b *background) names(p *bgPerson, legacy bool) (given, surname, place string) {
	ng := &b.w.bgNames[p.grp]
	if legacy {
		ng = &b.upper[p.grp]
	}
	if p.male {
		given = ng.male[p.given]
	} else {
		given = ng.female[p.given]
	}
	return given, ng.surnames[p.surname], ng.places[p.place]
}

// attrs writes sex, birth year and citizenship cells, now and then a flagged bad value.
func (b *background) attrs(rb *rowBuf, p *bgPerson) {
	if p.male {
		rb.s("M")
	} else {
		rb.s("F")
	}
	b.badBY.OutOf++
	b.badCit.OutOf++
	if b.r.Float64() < b.w.cfg.Rates.BadOptional {
		b.badBY.Injected++
		rb.i(2091)
	} else {
		rb.i(p.birth.year())
	}
	if b.r.Float64() < b.w.cfg.Rates.BadOptional {
		b.badCit.Injected++
		rb.s("XX")
	} else {
		rb.s(p.cit)
	}
}

func appendPad(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || len(tmp)-i < width {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[i:]...)
}

// police streams the background police rows of year y (columns as renderPolice).
func (b *background) police(y int, rb *rowBuf, ex day, emit func() error) error {
	r, w := b.r, b.w
	n := b.perYear(bgPoliceRows)
	for done := 0; done < n; {
		reg := b.between(mkday(y, 1, 1), mkday(y, 12, 31))
		b.seq++
		fact := 5_000_000 + b.seq
		district := w.d.bgDistrict.pick(r)
		zone := 5200 + r.IntN(250)
		off := b.off.pick(r)
		k := 1 + r.IntN(3)
		for i := 0; i < k && done < n; i++ {
			role := "SUSPECT"
			if i > 0 && r.IntN(2) == 0 {
				role = "VICTIM"
			}
			p := b.person(r.Float64() < 0.8, reg)
			rb.reset()
			rb.b = append(rb.b, 'F')
			rb.b = appendInt(rb.b, y)
			rb.b = appendPad(rb.b, fact, 7)
			rb.end()
			rb.b = append(rb.b, district...)
			rb.b = append(rb.b, '.')
			rb.b = appendInt(rb.b, zone)
			rb.b = append(rb.b, '.')
			rb.b = appendPad(rb.b, fact, 7)
			rb.b = append(rb.b, '/')
			rb.b = appendInt(rb.b, y)
			rb.end()
			rb.d(reg)
			rb.d(reg - day(fact%30))
			rb.s(district)
			rb.i(zone)
			rb.s(off)
			rb.s(role)
			rb.b = append(rb.b, "PR"...)
			rb.b = appendPad(rb.b, 500_000_000+p.key, 9)
			rb.end()
			b.attrs(rb, &p)
			rb.s("")
			rb.d(ex)
			rb.s("N")
			if err := emit(); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}

// prosecution streams the background prosecution rows of year y (columns as renderProsecution).
func (b *background) prosecution(y int, rb *rowBuf, ex day, emit func() error) error {
	r, w := b.r, b.w
	n := b.perYear(bgProsecutionRows)
	for done := 0; done < n; {
		b.seq++
		entry := b.between(mkday(y, 1, 1), mkday(y, 12, 31))
		office := b.office(w.d.bgDistrict.pick(r))
		code, l := 40+r.IntN(10), 1+r.IntN(9)
		off := b.off.pick(r)
		k := 1 + r.IntN(2)
		st := b.statuses.pick(r)
		for i := 0; i < k && done < n; i++ {
			p := b.person(r.Float64() < 0.8, entry)
			status, reason, sd := st, "", entry+day(r.IntN(200))
			if st == "OPEN" {
				sd = entry
			}
			if st == "DISMISSED" {
				reason = "POLICY"
			}
			if sd > w.now {
				status, reason, sd = "OPEN", "", entry
			}
			rb.reset()
			rb.b = append(rb.b, office...)
			rb.b = append(rb.b, '.')
			rb.b = appendInt(rb.b, code)
			rb.b = append(rb.b, ".L"...)
			rb.b = appendInt(rb.b, l)
			rb.b = append(rb.b, '.')
			rb.b = appendPad(rb.b, 5_000_000+b.seq, 7)
			rb.b = append(rb.b, '/')
			rb.b = appendPad(rb.b, y%100, 2)
			rb.end()
			rb.s(office)
			rb.d(entry)
			rb.s(off)
			rb.s("")
			rb.b = append(rb.b, 'S')
			rb.b = appendPad(rb.b, 500_000_000+p.key, 9)
			rb.end()
			b.attrs(rb, &p)
			rb.s(status)
			rb.s(reason)
			rb.d(sd)
			rb.s("")
			rb.d(ex)
			rb.s("N")
			if err := emit(); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}

// bgLine is what the truth files need of a background conviction line.
type bgLine struct {
	recordID []byte
	person   []byte
	chain    []byte
	outcome  string
	final    day
}

// mach streams the background conviction lines of year y (columns as renderMach); each line
// comes with its true person and chain for the truth files.
func (b *background) mach(y int, rb *rowBuf, ex day, emit func(*bgLine) error) error {
	r, w := b.r, b.w
	n := b.perYear(bgMachLines)
	b.jseq = 0 // judgment numbers restart every year, above the world's
	var tl bgLine
	var jid, pid []byte
	nn := make([]byte, 0, 11)
	for done := 0; done < n; {
		jd := b.between(mkday(y, 1, 1), mkday(y, 12, 31))
		if jd > w.now {
			jd = w.now
		}
		b.jseq += 1 + r.IntN(3)
		court := w.d.bgDistrict.pick(r)
		p := b.person(r.Float64() < 0.85, jd)
		legacy := jd < w.migration
		system := "MACH"
		jid = jid[:0]
		num := 500_000 + b.jseq
		if legacy {
			system = "LEGACY"
			jid = appendInt(jid, y)
			jid = append(jid, '-')
			jid = appendInt(jid, num)
		} else {
			jid = appendInt(jid, y)
			jid = append(jid, '/')
			jid = appendPad(jid, num, 6)
		}
		pid = pid[:0]
		if legacy {
			pid = append(pid, "LP"...)
			pid = appendPad(pid, 50_000_000+p.key, 8)
		} else {
			pid = append(pid, 'P')
			pid = appendPad(pid, 500_000_000+p.key, 9)
		}
		nn = nn[:0]
		if p.hasNN && r.Float64() >= w.cfg.Rates.MissingNN {
			nn = append(nn, nationalNumber(p.birth, p.male, b.nns.take(p.birth, p.male, numNN, p.nnSeq), numNN)...)
		}
		given, surname, place := b.names(&p, legacy)
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
		tl.outcome, tl.final = chainOutcome(dec, final), final
		tl.person = append(tl.person[:0], 'B')
		tl.person = appendPad(tl.person, p.key, 9)
		tl.chain = append(tl.chain[:0], "BC"...)
		tl.chain = appendPad(tl.chain, p.key, 9)
		k := 1 + r.IntN(3)
		for i := 0; i < k && done < n; i++ {
			b.seq++
			version := 1
			tl.recordID = tl.recordID[:0]
			if legacy {
				tl.recordID = append(tl.recordID, 'L')
				tl.recordID = appendPad(tl.recordID, 5_000_000_000+b.seq, 10)
			} else {
				tl.recordID = append(tl.recordID, 'M')
				tl.recordID = appendPad(tl.recordID, 50_000_000_000+b.seq, 11)
				if final != 0 {
					version = 2
				}
			}
			rb.reset()
			rb.b = append(rb.b, tl.recordID...)
			rb.end()
			rb.i(version)
			rb.s("ACTIVE")
			rb.s(system)
			rb.b = append(rb.b, jid...)
			rb.end()
			rb.s("TPI-" + court)
			rb.d(jd)
			rb.s("FIRST")
			rb.s("")
			rb.s(dec)
			rb.dz(final)
			rb.s("")
			rb.b = append(rb.b, pid...)
			rb.end()
			rb.b = append(rb.b, nn...)
			rb.end()
			rb.s(surname)
			rb.s(given)
			rb.d(p.birth)
			rb.s(place)
			if p.male {
				rb.s("M")
			} else {
				rb.s("F")
			}
			rb.s(p.cit)
			rb.s(b.off.pick(r))
			rb.d(jd - day(30+r.IntN(300)))
			rb.s("")
			rb.s(s.typ)
			rb.iz(s.months)
			if s.typ == "NONE" {
				rb.s("")
			} else {
				rb.s(s.susp)
			}
			rb.money(s.fine)
			rb.d(ex)
			if err := emit(&tl); err != nil {
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

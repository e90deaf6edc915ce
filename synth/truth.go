package synth

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// truthFile is a small CSV writer for the truth files (values never need quoting).
type truthFile struct {
	f  *os.File
	bw *bufio.Writer
}

func createTruth(path string, header ...string) (*truthFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	t := &truthFile{f: f, bw: bufio.NewWriterSize(f, 1<<16)}
	return t, t.line(header...)
}

func (t *truthFile) line(vals ...string) error {
	for i, v := range vals {
		if i > 0 {
			t.bw.WriteByte(',')
		}
		t.bw.WriteString(v)
	}
	return t.bw.WriteByte('\n')
}

// bytes writes a line source,key,person without allocating.
func (t *truthFile) bytes(source string, key, person []byte) error {
	t.bw.WriteString(source)
	t.bw.WriteByte(',')
	t.bw.Write(key)
	t.bw.WriteByte(',')
	t.bw.Write(person)
	return t.bw.WriteByte('\n')
}

// bytes2 writes a chains.csv line of a counted background line without allocating.
func (t *truthFile) bytes2(record, chain []byte, outcome string, final day) error {
	t.bw.Write(record)
	t.bw.WriteByte(',')
	t.bw.Write(chain)
	t.bw.WriteByte(',')
	t.bw.WriteString(outcome)
	t.bw.WriteByte(',')
	if final != 0 {
		var b [10]byte
		t.bw.Write(appendISO(b[:0], final))
	}
	_, err := t.bw.WriteString(",Y\n")
	return err
}

func (t *truthFile) close() error {
	if t == nil || t.f == nil {
		return nil
	}
	err := t.bw.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	t.f = nil
	return err
}

// openTruth opens persons.csv and chains.csv and writes the world's records into them; the
// background conviction lines are appended while they stream.
func (g *gen) openTruth() error {
	var err error
	dir := filepath.Join(g.out, "truth")
	if g.truthP, err = createTruth(filepath.Join(dir, "persons.csv"), "source", "record_key", "true_person_id"); err != nil {
		return err
	}
	if g.truthC, err = createTruth(filepath.Join(dir, "chains.csv"), "record_id", "true_chain_id", "chain_outcome", "final_date", "counted"); err != nil {
		return err
	}
	w := g.w
	for _, rc := range w.police {
		r := rc.last()
		if err := g.truthP.line("police", r.factID+"|"+r.role+"|"+r.ref, r.person.key); err != nil {
			return err
		}
	}
	for _, rc := range w.pros {
		r := rc.last()
		pk := ""
		if r.person != nil {
			pk = r.person.key
		}
		if err := g.truthP.line("prosecution", r.caseNo+"|"+r.ref, pk); err != nil {
			return err
		}
	}
	for _, ch := range w.chains {
		last := ch.last()
		if last == nil {
			continue
		}
		outcome := chainOutcome(last.decision, last.final)
		for _, n := range ch.notices {
			for _, rc := range n.lines {
				l := rc.last()
				counted := "Y"
				if l.cancelled {
					counted = "N"
				}
				if err := g.truthP.line("mach", l.recordID, ch.p.key); err != nil {
					return err
				}
				if err := g.truthC.line(l.recordID, ch.key, outcome, last.final.isoOrEmpty(), counted); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *gen) closeTruth() error {
	err := g.truthP.close()
	if cerr := g.truthC.close(); err == nil {
		err = cerr
	}
	return err
}

// last is the chain's last delivered decision (latest judgment date; the world never gives two
// decisions of a chain the same date).
func (ch *chain) last() *notice {
	var out *notice
	for _, n := range ch.notices {
		if !n.absent {
			out = n
		}
	}
	return out
}

// dim is one dimension of the indicator cube: its values in sorted order, so that packed cell
// keys sort as the values do.
type dim struct {
	vals []string
	idx  map[string]uint64
}

func newDim(vals ...string) dim {
	slices.Sort(vals)
	d := dim{vals: vals, idx: map[string]uint64{}}
	for i, v := range vals {
		d.idx[v] = uint64(i)
	}
	return d
}

func (d *dim) of(v string) uint64 {
	i, ok := d.idx[v]
	if !ok {
		panic(fmt.Sprintf("synth: breakdown value %q not in %v", v, d.vals)) // a defect of this package
	}
	return i
}

// Dimensions of a packed cell key, after the year: phenomenon, stage, measure, sex, age group,
// citizenship, district, exploitation; five bits each.
const (
	dPhen = iota
	dStage
	dMeasure
	dSex
	dAge
	dCit
	dDist
	dExpl
	nDims
)

// cube counts units per cell of the indicator cube, keyed by packed cell keys.
type cube struct {
	m    map[uint64]int64
	dims [nDims]dim
}

func newCube(w *world) *cube {
	var dists, expls []string
	for code := range w.codes.Districts {
		dists = append(dists, code)
	}
	for code := range w.codes.Exploitation {
		expls = append(expls, code)
	}
	return &cube{m: map[uint64]int64{}, dims: [nDims]dim{
		dPhen:    newDim(thb, smu),
		dStage:   newDim("POLICE", "PROSECUTION", "CONVICTION"),
		dMeasure: newDim("OFFENCES_RECORDED", "SUSPECTS", "VICTIMS", "CASES_ENTERED", "CASES_DISMISSED", "PERSONS_PROSECUTED", "OFFENCE_CONVICTIONS", "CONVICTIONS", "PERSONS_CONVICTED", "PERSONS_CONVICTED_PRINCIPAL", "PERSONS_PRISON_UNSUSPENDED", "CONVICTIONS_PENDING"),
		dSex:     newDim("M", "F", "_U", "_T"),
		dAge:     newDim("Y_LT18", "Y_GE18", "_U", "_T"),
		dCit:     newDim("NAT", "EU_OTH", "NEU", "_U", "_T"),
		dDist:    newDim(append(dists, "FED", "_U", "_T")...),
		dExpl:    newDim(append(expls, "_U", "_Z", "_T")...),
	}}
}

// add counts a unit once in every combination of its breakdown values and the totals. An empty
// person attribute means the dimension does not apply (facts, cases): the unit counts under _T only.
func (c *cube) add(year int, phen, stage, measure, sex, age, cit string, dists, expls []string) {
	base := uint64(year)<<40 | c.dims[dPhen].of(phen)<<35 | c.dims[dStage].of(stage)<<30 | c.dims[dMeasure].of(measure)<<25
	opts := func(d int, v string) []uint64 {
		t := c.dims[d].of("_T")
		if v == "" {
			return []uint64{t}
		}
		return []uint64{c.dims[d].of(v), t}
	}
	set := func(d int, vs []string) []uint64 {
		out := []uint64{c.dims[d].of("_T")}
		for _, v := range vs {
			i := c.dims[d].of(v)
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
		return out
	}
	ds, es := set(dDist, dists), set(dExpl, expls)
	for _, s := range opts(dSex, sex) {
		for _, a := range opts(dAge, age) {
			for _, ct := range opts(dCit, cit) {
				k := base | s<<20 | a<<15 | ct<<10
				for _, d := range ds {
					for _, e := range es {
						c.m[k|d<<5|e]++
					}
				}
			}
		}
	}
}

func sexGroup(s string) string {
	if s == "M" || s == "F" {
		return s
	}
	return "_U"
}

// citGroup is the citizenship breakdown of a country on a date.
func (w *world) citGroup(c string, at time.Time) string {
	a2, ok := w.codes.Country(c)
	switch {
	case c == "" || !ok:
		return "_U"
	case a2 == "BE":
		return "NAT"
	case w.codes.InEU(a2, at):
		return "EU_OTH"
	}
	return "NEU"
}

func ageGroupYears(a int) string {
	if a < 18 {
		return "Y_LT18"
	}
	return "Y_GE18"
}

// yearAge is the police and prosecution age group: ref_year - birth_year.
func yearAge(refYear, birthYear, extractYear int) string {
	if birthYear == 0 || birthYear > extractYear {
		return "_U"
	}
	return ageGroupYears(refYear - birthYear)
}

func dec31(y int) time.Time { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }

func (w *world) phenOf(off string) string { return w.codes.Offences[off].Phenomenon }

func (w *world) formOf(off string) string { return w.codes.Offences[off].Exploitation }

func exploitation(phen string, forms []string) []string {
	if phen == smu {
		return []string{"_Z"}
	}
	if len(forms) == 0 {
		return []string{"_U"}
	}
	return forms
}

func phenomena() [2]string { return [...]string{thb, smu} }

// indicator computes the true value of every measure from the hidden world, per docs/counting.md.
func (w *world) indicator() *cube {
	c := newCube(w)
	w.policeTruth(c)
	w.prosecutionTruth(c)
	w.convictionTruth(c)
	return c
}

func (w *world) policeTruth(c *cube) {
	var rows []*policeRow
	byFact := map[string][]*policeRow{}
	var facts []string
	for _, rc := range w.police {
		r := rc.last()
		if r.deleted {
			continue
		}
		rows = append(rows, r)
		if _, ok := byFact[r.factID]; !ok {
			facts = append(facts, r.factID)
		}
		byFact[r.factID] = append(byFact[r.factID], r)
	}
	exYear := w.now.year()
	// Facts.
	for _, f := range facts {
		rs := byFact[f]
		reg := rs[0].reg
		var dists, forms []string
		has := map[string]bool{}
		for _, r := range rs {
			reg = min(reg, r.reg)
			dists = append(dists, r.district)
			has[w.phenOf(r.offence)] = true
			if fm := w.formOf(r.offence); fm != "" {
				forms = append(forms, fm)
			}
			if r.role == "VICTIM" && r.expl != "" {
				forms = append(forms, r.expl)
			}
		}
		for _, p := range phenomena() {
			if has[p] {
				c.add(reg.year(), p, "POLICE", "OFFENCES_RECORDED", "", "", "", dists, exploitation(p, forms))
			}
		}
	}
	// Persons: (person_ref, role, year, phenomenon).
	type pk struct {
		ref, role string
		year      int
		phen      string
	}
	groups := map[pk][]*policeRow{}
	var keys []pk
	for _, r := range rows {
		p := w.phenOf(r.offence)
		if p != thb && p != smu {
			continue
		}
		k := pk{r.ref, r.role, r.reg.year(), p}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range keys {
		rs := groups[k]
		rep := rs[0]
		var dists, forms []string
		seenFact := map[string]bool{}
		for _, r := range rs {
			if r.reg > rep.reg || (r.reg == rep.reg && r.factID > rep.factID) {
				rep = r
			}
			dists = append(dists, r.district)
			if fm := w.formOf(r.offence); fm != "" {
				forms = append(forms, fm)
			}
			if seenFact[r.factID] {
				continue
			}
			seenFact[r.factID] = true
			for _, v := range byFact[r.factID] {
				if v.role != "VICTIM" {
					continue
				}
				if fm := w.formOf(v.offence); fm != "" {
					forms = append(forms, fm)
				}
				if v.expl != "" {
					forms = append(forms, v.expl)
				}
			}
		}
		measure := "SUSPECTS"
		if k.role == "VICTIM" {
			measure = "VICTIMS"
		}
		c.add(k.year, k.phen, "POLICE", measure, sexGroup(rep.sex), yearAge(k.year, rep.birthYear, exYear),
			w.citGroup(rep.cit, dec31(k.year)), dists, exploitation(k.phen, forms))
	}
}

func (w *world) officeDistrict(office string) string {
	if office == "FED" {
		return "FED"
	}
	return w.codes.Offices[office]
}

func (w *world) prosecutionTruth(c *cube) {
	byCase := map[string][]*prosRow{}
	var cases []string
	var rows []*prosRow
	for _, rc := range w.pros {
		r := rc.last()
		if r.deleted {
			continue
		}
		rows = append(rows, r)
		if _, ok := byCase[r.caseNo]; !ok {
			cases = append(cases, r.caseNo)
		}
		byCase[r.caseNo] = append(byCase[r.caseNo], r)
	}
	exYear := w.now.year()
	for _, cn := range cases {
		rs := byCase[cn]
		entry, last := rs[0].entry, rs[0].statusDate
		all := true
		has := map[string]bool{}
		var dists, forms []string
		for _, r := range rs {
			entry = min(entry, r.entry)
			last = max(last, r.statusDate)
			all = all && r.status == "DISMISSED"
			has[w.phenOf(r.offence)] = true
			dists = append(dists, w.officeDistrict(r.office))
			if fm := w.formOf(r.offence); fm != "" {
				forms = append(forms, fm)
			}
		}
		for _, p := range phenomena() {
			if !has[p] {
				continue
			}
			c.add(entry.year(), p, "PROSECUTION", "CASES_ENTERED", "", "", "", dists, exploitation(p, forms))
			if all {
				c.add(last.year(), p, "PROSECUTION", "CASES_DISMISSED", "", "", "", dists, exploitation(p, forms))
			}
		}
	}
	type pk struct {
		ref  string
		year int
		phen string
	}
	groups := map[pk][]*prosRow{}
	var keys []pk
	for _, r := range rows {
		p := w.phenOf(r.offence)
		if r.status != "REFERRED" || (p != thb && p != smu) {
			continue
		}
		k := pk{r.ref, r.statusDate.year(), p}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range keys {
		rs := groups[k]
		rep := rs[0]
		var dists, forms []string
		for _, r := range rs {
			if r.statusDate > rep.statusDate || (r.statusDate == rep.statusDate && r.caseNo > rep.caseNo) {
				rep = r
			}
			dists = append(dists, w.officeDistrict(r.office))
			if fm := w.formOf(r.offence); fm != "" {
				forms = append(forms, fm)
			}
		}
		c.add(k.year, k.phen, "PROSECUTION", "PERSONS_PROSECUTED", sexGroup(rep.sex), yearAge(k.year, rep.birthYear, exYear),
			w.citGroup(rep.cit, dec31(k.year)), dists, exploitation(k.phen, forms))
	}
}

// personAttrs are a convicted person's attributes: the most frequent valid value over their
// conviction notices (docs/counting.md).
type personAttrs struct {
	sex, cit string
	birth    day
}

func (w *world) convictedAttrs() map[*person]personAttrs {
	type tally struct {
		sex, cit map[string]int
		birth    map[day]int
	}
	tallies := map[*person]*tally{}
	var order []*person
	for _, ch := range w.chains {
		for _, n := range ch.notices {
			if n.absent {
				continue
			}
			t := tallies[ch.p]
			if t == nil {
				t = &tally{map[string]int{}, map[string]int{}, map[day]int{}}
				tallies[ch.p] = t
				order = append(order, ch.p)
			}
			if s := n.id.sex; s == "M" || s == "F" {
				t.sex[s]++
			}
			if a2, ok := w.codes.Country(n.id.cit); ok {
				t.cit[a2]++
			}
			if n.id.birth != noDay && n.id.birth <= w.nights[0] {
				t.birth[n.id.birth]++
			}
		}
	}
	best := func(m map[string]int) string {
		out, n := "", 0
		for v, k := range m {
			if k > n || (k == n && v < out) {
				out, n = v, k
			}
		}
		return out
	}
	out := map[*person]personAttrs{}
	for _, p := range order {
		t := tallies[p]
		a := personAttrs{sex: best(t.sex), cit: best(t.cit), birth: noDay}
		n := 0
		for b, k := range t.birth {
			if k > n || (k == n && b < a.birth) {
				a.birth, n = b, k
			}
		}
		out[p] = a
	}
	return out
}

// conviction is a decision chain whose last decision is a conviction.
type conviction struct {
	ch      *chain
	last    *notice
	refDate day
	phens   map[string]bool
	dist    string
	age     string
	prison  bool
}

func (w *world) convictionTruth(c *cube) {
	attrs := w.convictedAttrs()
	type pk struct {
		p    *person
		year int
	}
	final := map[pk][]*conviction{}
	var keys []pk
	for _, ch := range w.chains {
		last := ch.last()
		if last == nil || last.decision != "CONVICTION" {
			continue
		}
		a := attrs[ch.p]
		cv := &conviction{ch: ch, last: last, phens: map[string]bool{}, dist: "_U"}
		for _, n := range ch.notices {
			if !n.absent && n.j.instance == "FIRST" {
				cv.dist = w.codes.Courts[n.j.court].Area
			}
		}
		for _, o := range last.offs {
			cv.phens[w.phenOf(o.code)] = true
		}
		cv.prison = last.sent.typ == "PRISON" && (last.sent.susp == "N" || last.sent.susp == "PARTIAL")
		cv.age = "_U"
		if a.birth != noDay {
			ref := last.odate
			if ref == noDay {
				for _, n := range ch.notices {
					if !n.absent {
						ref = n.j.date
						break
					}
				}
			}
			cv.age = ageGroupYears(yearsBetween(a.birth, ref))
		}
		pending := last.final == 0
		cv.refDate = last.final
		measure := "CONVICTIONS"
		if pending {
			cv.refDate, measure = last.j.date, "CONVICTIONS_PENDING"
		}
		y := cv.refDate.year()
		cit := w.citGroup(a.cit, cv.refDate.time())
		for _, p := range phenomena() {
			if !cv.phens[p] {
				continue
			}
			var forms []string
			for _, o := range last.offs {
				if w.phenOf(o.code) != p {
					continue
				}
				if fm := w.formOf(o.code); fm != "" {
					forms = append(forms, fm)
				}
				if !pending {
					c.add(y, p, "CONVICTION", "OFFENCE_CONVICTIONS", sexGroup(a.sex), cv.age, cit, []string{cv.dist},
						exploitation(p, nonEmpty(w.formOf(o.code))))
				}
			}
			c.add(y, p, "CONVICTION", measure, sexGroup(a.sex), cv.age, cit, []string{cv.dist}, exploitation(p, forms))
		}
		if !pending {
			k := pk{ch.p, y}
			if _, ok := final[k]; !ok {
				keys = append(keys, k)
			}
			final[k] = append(final[k], cv)
		}
	}
	for _, k := range keys {
		cvs := final[k]
		a := attrs[k.p]
		// Principal offence over all convictions final that year.
		bestCode, bestRank := "", -1
		for _, cv := range cvs {
			for _, o := range cv.last.offs {
				rk := w.codes.Offences[o.code].Rank
				if rk > bestRank || (rk == bestRank && o.code < bestCode) {
					bestCode, bestRank = o.code, rk
				}
			}
		}
		principal := w.phenOf(bestCode)
		for _, p := range phenomena() {
			var of []*conviction
			for _, cv := range cvs {
				if cv.phens[p] {
					of = append(of, cv)
				}
			}
			if len(of) == 0 {
				continue
			}
			first := slices.MinFunc(of, func(x, y *conviction) int {
				return cmp.Or(cmp.Compare(x.refDate, y.refDate), strings.Compare(x.ch.key, y.ch.key))
			})
			var dists, forms []string
			prison := false
			for _, cv := range of {
				dists = append(dists, cv.dist)
				prison = prison || cv.prison
				for _, o := range cv.last.offs {
					if w.phenOf(o.code) == p {
						if fm := w.formOf(o.code); fm != "" {
							forms = append(forms, fm)
						}
					}
				}
			}
			cit := w.citGroup(a.cit, first.refDate.time())
			ex := exploitation(p, forms)
			c.add(k.year, p, "CONVICTION", "PERSONS_CONVICTED", sexGroup(a.sex), first.age, cit, dists, ex)
			if prison {
				c.add(k.year, p, "CONVICTION", "PERSONS_PRISON_UNSUSPENDED", sexGroup(a.sex), first.age, cit, dists, ex)
			}
			if principal == p {
				c.add(k.year, p, "CONVICTION", "PERSONS_CONVICTED_PRINCIPAL", sexGroup(a.sex), first.age, cit, dists, ex)
			}
		}
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// writeIndicator writes truth/indicator.csv, sorted, non-zero cells only.
func writeIndicator(path string, w *world) (int64, error) {
	c := w.indicator()
	keys := make([]uint64, 0, len(c.m))
	for k := range c.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t, err := createTruth(path, "ref_year", "phenomenon", "stage", "measure", "sex", "age_group", "citizenship", "district", "exploitation", "value")
	if err != nil {
		return 0, err
	}
	vals := make([]string, 0, 10)
	for _, k := range keys {
		vals = append(vals[:0], strconv.Itoa(int(k>>40)))
		for d := 0; d < nDims; d++ {
			vals = append(vals, c.dims[d].vals[k>>(35-5*d)&31])
		}
		vals = append(vals, strconv.FormatInt(c.m[k], 10))
		if err := t.line(vals...); err != nil {
			t.close()
			return 0, err
		}
	}
	return int64(len(keys)), t.close()
}

const truthReadme = `# Truth of a synthetic delivery

Written by package synth beside the extracts it generated (see synth/README.md).

- indicator.csv: ref_year,phenomenon,stage,measure,sex,age_group,citizenship,district,exploitation,value.
  The true value of every measure (canvas.md section 3) for every year and phenomenon and every
  combination of breakdowns (section 5) including _T, non-zero cells only, computed per
  docs/counting.md from the hidden world (true persons, true decision chains, true current versions).
  Years after the last year of facts may appear, partial: decisions that became final in the
  delivery window.
- persons.csv: source,record_key,true_person_id. Every conviction line (record_key = record_id),
  and every police (fact_id|role|person_ref) and prosecution (case_number|suspect_ref) record of the
  trafficking and smuggling world. Background police and prosecution rows are not listed.
- chains.csv: record_id,true_chain_id,chain_outcome,final_date,counted. chain_outcome is the chain's
  last decision: CONVICTION_FINAL, CONVICTION_PENDING, ACQUITTAL, SUSPENSION or INTERNMENT;
  final_date that decision's; counted N for lines that end CANCELLED.
- manifest.json: the configuration, every file written, rows per source, junk rows per kind, and
  every injected pattern as {injected, out_of}.
Junk rows (to be quarantined) are in no truth file.
`

package synth

import "fmt"

// policeRow is one row of the police extract: one person in one recorded fact.
type policeRow struct {
	factID, pv     string
	reg, factDate  day
	district, zone string
	offence        string // canvas code; the file writes the police code
	role           string // SUSPECT, VICTIM
	ref            string
	sex            string
	birthYear      int // 0: null
	cit            string
	expl           string
	deleted        bool
	person         *person
}

func (w *world) policeRef(p *person) string {
	if p.policeRef == "" {
		p.policeRef = fmt.Sprintf("PR%08d", w.next("policeRef"))
	}
	return p.policeRef
}

// personAttrs draws how a record shows a person's sex, birth year and citizenship: mostly the
// true values, sometimes null, rarely a flagged bad value.
func (w *world) personAttrs(source string, p *person) (sex string, by int, cit string) {
	r := w.r
	sex, by, cit = w.sexCode(p), p.birth.year(), p.cit
	if r.Float64() < 0.03 {
		sex = [...]string{"", "U", "X"}[r.IntN(3)]
	}
	if r.Float64() < 0.04 {
		by = 0
	}
	if r.Float64() < 0.03 {
		cit = ""
	}
	if w.chance(source+".bad_optional.birth_year_future", w.cfg.Rates.BadOptional) {
		by = 2091
	}
	if w.chance(source+".bad_optional.unknown_citizenship", w.cfg.Rates.BadOptional) {
		cit = "XX"
	}
	return
}

func (w *world) policeFact(ep *episode) {
	r := w.r
	y := ep.regDate.year()
	off := w.mainOffence(ep)
	if ep.phen == smu && ep.aggr {
		off = "SMU-77QUATER"
	}
	zone := fmt.Sprintf("%d", 5200+r.IntN(250))
	base := policeRow{
		factID: fmt.Sprintf("F%d%06d", y, w.next(fmt.Sprint("fact", y))),
		reg:    ep.regDate, factDate: ep.factDate, district: ep.district, zone: zone, offence: off,
	}
	base.pv = fmt.Sprintf("%s.%s.%06d/%d", ep.district, zone, w.next(fmt.Sprint("pv", y)), y)
	if r.Float64() < 0.05 {
		base.factDate = noDay
	}
	if ep.warm {
		ep.pcasePV = base.pv
		return
	}
	var rows []policeRow
	add := func(p *person, role string) {
		row := base
		row.role, row.person, row.ref = role, p, w.policeRef(p)
		row.sex, row.birthYear, row.cit = w.personAttrs("police", p)
		if role == "VICTIM" && ep.phen == thb {
			x := r.Float64()
			switch {
			case x < 0.85:
				row.expl = ep.form
			case x < 0.95:
				row.expl = ""
			default:
				row.expl = "OTH"
			}
		}
		rows = append(rows, row)
	}
	for _, p := range ep.suspects {
		add(p, "SUSPECT")
	}
	for _, p := range ep.victims {
		add(p, "VICTIM")
	}
	if len(rows) == 0 {
		return
	}
	ep.pcasePV = base.pv
	nights := w.cfg.Nights
	for _, row := range rows {
		rc := &rec[policeRow]{}
		if nights > 0 && w.chance("police.corrected", w.cfg.Rates.Correction) {
			wrong := row
			wrong.offence = w.otherPhenOffence(ep.phen)
			rc.vers = append(rc.vers, ver[policeRow]{0, wrong}, ver[policeRow]{1 + r.IntN(nights), row})
		} else {
			rc.vers = append(rc.vers, ver[policeRow]{0, row})
		}
		w.police = append(w.police, rc)
	}
	// A duplicate registration of the same fact, deleted in a later delivery.
	if nights > 0 && w.chance("police.deleted_fact", w.cfg.Rates.Cancellation) {
		dupID := fmt.Sprintf("F%d%06d", y, w.next(fmt.Sprint("fact", y)))
		k := 1 + r.IntN(nights)
		for _, row := range rows {
			row.factID = dupID
			del := row
			del.deleted = true
			w.police = append(w.police, &rec[policeRow]{vers: []ver[policeRow]{{0, row}, {k, del}}})
		}
	}
}

package synth

import (
	"fmt"
	"strings"
)

// prosRow is one row of the prosecution extract: one suspect in one case.
type prosRow struct {
	caseNo, office string
	entry          day
	offence        string // canvas code; the file writes the prosecution code
	pvs            string
	ref            string
	sex            string
	birthYear      int
	cit            string
	status, reason string
	statusDate     day
	joinedTo       string
	deleted        bool
	person         *person
}

// pcase is a prosecution case of the world.
type pcase struct {
	no, office string
	entry      day
	kind       string // the outcome the case is heading to
	final      day    // when it reaches it
	inv        day    // when an investigation opens (0: none)
	referred   []*person
}

// suspectPlan is one suspect's path in a case.
type suspectPlan struct {
	status, reason string
	final          day
}

// asOf is a suspect row's status on date d.
func (c *pcase) asOf(sp suspectPlan, d day) (status, reason string, at day) {
	if d >= sp.final {
		return sp.status, sp.reason, sp.final
	}
	if c.inv != 0 && d >= c.inv {
		return "INVESTIGATION", "", c.inv
	}
	return "OPEN", "", c.entry
}

func (w *world) prosRef(p *person) string {
	if p.prosRef == "" {
		p.prosRef = fmt.Sprintf("S%08d", w.next("prosRef"))
	}
	return p.prosRef
}

func (w *world) officeOf(district string) string {
	switch district {
	case "BRU":
		if w.r.Float64() < 0.25 {
			return "HAL"
		}
	case "HAI":
		if w.r.Float64() < 0.5 {
			return "CHA"
		}
		return "MOT"
	}
	return district
}

func (w *world) prosecution(ep *episode) {
	r := w.r
	c := &pcase{}
	ep.pcase = c
	c.office = w.officeOf(ep.district)
	fedShare := 0.04
	if ep.phen == smu {
		fedShare = 0.05
	}
	if r.Float64() < fedShare {
		c.office = "FED"
	}
	if ep.pcasePV != "" {
		c.entry = ep.regDate + day(3+r.IntN(50))
	} else {
		c.entry = ep.regDate
	}
	if c.entry > w.now {
		return
	}
	y := c.entry.year()
	code := 55
	if ep.phen == thb {
		code = 56
	}
	c.no = fmt.Sprintf("%s.%02d.L%d.%06d/%02d", c.office, code, 1+r.IntN(9), w.next(fmt.Sprint("case", c.office, y)), y%100)
	var pvs []string
	if ep.pcasePV != "" {
		pvs = append(pvs, ep.pcasePV)
	} else if ep.phen == thb && r.Float64() < 0.6 {
		pvs = append(pvs, fmt.Sprintf("INSP/%d/%05d", y, w.next(fmt.Sprint("insp", y))))
	}
	// Where the case is heading.
	x := r.Float64()
	referral := 0.40
	if ep.phen == smu {
		referral = 0.35 // smuggling cases have more suspects
	}
	switch {
	case len(ep.suspects) == 0:
		c.kind = "DISMISSED"
	case x < referral:
		c.kind = "REFERRED"
	case x < 0.74:
		c.kind = "DISMISSED"
	case x < 0.82:
		c.kind = "INVESTIGATION"
	case x < 0.85:
		c.kind = "OPEN"
	case x < 0.90:
		c.kind = "SETTLED"
	default:
		c.kind = "JOINED"
	}
	joinedTo := ""
	key := ep.phen + c.office
	if c.kind == "JOINED" {
		if prev := w.casesBy[key]; len(prev) > 0 {
			joinedTo = prev[r.IntN(len(prev))]
		} else {
			c.kind = "DISMISSED"
		}
	}
	if !ep.warm {
		w.casesBy[key] = append(w.casesBy[key], c.no)
	}
	switch c.kind {
	case "REFERRED":
		c.inv = c.entry + day(10+r.IntN(50))
		c.final = c.entry + day(120+r.IntN(780))
	case "DISMISSED":
		c.final = c.entry + day(30+r.IntN(370))
	case "SETTLED":
		c.final = c.entry + day(60+r.IntN(340))
	case "JOINED":
		c.final = c.entry + day(5+r.IntN(115))
	case "INVESTIGATION":
		c.final = c.entry + day(20+r.IntN(180))
	case "OPEN":
		c.final = c.entry
	}
	reason := func() string {
		if len(ep.suspects) == 0 {
			return "UNKNOWN_AUTHOR"
		}
		x := r.Float64()
		switch {
		case x < 0.45:
			return "TECHNICAL"
		case x < 0.8:
			return "POLICY"
		case x < 0.9:
			return "UNKNOWN_AUTHOR"
		}
		return "OTHER"
	}
	type planned struct {
		row  prosRow
		plan suspectPlan
	}
	var rows []planned
	base := prosRow{caseNo: c.no, office: c.office, entry: c.entry, pvs: strings.Join(pvs, "|")}
	main := w.mainOffence(ep)
	for _, p := range ep.suspects {
		row := base
		row.person, row.ref = p, w.prosRef(p)
		if !ep.warm {
			row.sex, row.birthYear, row.cit = w.personAttrs("prosecution", p)
		}
		row.offence = main
		if r.Float64() < 0.15 {
			if ep.phen == smu {
				row.offence = "SMU-77QUATER"
			} else {
				row.offence = "THB-433SEPTIES"
			}
		}
		sp := suspectPlan{status: c.kind, final: c.final}
		switch c.kind {
		case "REFERRED":
			if r.Float64() < 0.12 {
				sp.status, sp.reason = "DISMISSED", reason()
			} else {
				c.referred = append(c.referred, p)
			}
		case "DISMISSED":
			sp.reason = reason()
		case "JOINED":
			row.joinedTo = joinedTo
		}
		rows = append(rows, planned{row, sp})
	}
	if len(ep.suspects) == 0 {
		row := base
		row.ref = fmt.Sprintf("S%08d", w.next("prosRef"))
		row.offence = main
		rows = append(rows, planned{row, suspectPlan{status: "DISMISSED", reason: "UNKNOWN_AUTHOR", final: c.final}})
	}
	if ep.warm {
		rows = nil
	}
	nights := w.cfg.Nights
	for _, pl := range rows {
		rc := &rec[prosRow]{}
		var prev *prosRow
		for k, d := range w.nights {
			if c.entry > d {
				continue
			}
			row := pl.row
			row.status, row.reason, row.statusDate = c.asOf(pl.plan, d)
			if row.status != "DISMISSED" {
				row.reason = ""
			}
			if row.status != "JOINED" {
				row.joinedTo = ""
			}
			if prev == nil || prev.status != row.status || prev.statusDate != row.statusDate {
				rc.vers = append(rc.vers, ver[prosRow]{k, row})
				prev = rc.last()
			}
		}
		if len(rc.vers) == 0 {
			continue
		}
		w.pat("prosecution.status_changed", len(rc.vers) > 1)
		if nights > 0 && rc.vers[0].night == 0 && w.chance("prosecution.corrected", w.cfg.Rates.Correction) {
			// The first delivery carried a wrong offence code; night k corrects it.
			k := 1 + r.IntN(nights)
			good := *rc.at(k)
			rc.vers[0].row.offence = w.otherPhenOffence(ep.phen)
			if rc.at(k) == &rc.vers[0].row {
				insertVer(rc, k, good)
			}
		}
		w.pros = append(w.pros, rc)
	}
	// An extra suspect entered by mistake as referred, deleted in a later delivery.
	if nights > 0 && !ep.warm && c.entry <= w.d0 && w.chance("prosecution.deleted_row", w.cfg.Rates.Cancellation) {
		row := base
		row.ref = fmt.Sprintf("S%08d", w.next("prosRef"))
		row.offence = main
		row.status, row.statusDate = "REFERRED", min(c.entry+60, w.d0)
		row.sex = "M"
		del := row
		del.deleted = true
		w.pros = append(w.pros, &rec[prosRow]{vers: []ver[prosRow]{{0, row}, {1 + r.IntN(nights), del}}})
	}
	if len(c.referred) > 0 && c.final <= w.now {
		w.court(ep, c)
	}
}

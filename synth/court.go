package synth

import (
	"fmt"
	"math"
	"strings"
)

// noDay marks an optional date left empty.
const noDay day = math.MinInt32

// judgment is one court decision; co-defendants share it.
type judgment struct {
	num, year int
	court     string
	date      day
	instance  string
	reviewed  *judgment
	caseNo    string
}

// machID is the judgment number as MACH writes it.
func (j *judgment) machID() string { return fmt.Sprintf("%d/%06d", j.year, j.num) }

// legacyID is the judgment number as the legacy record wrote it, in one of its styles.
func (j *judgment) legacyID(style int) string {
	switch style % 4 {
	case 0:
		return fmt.Sprintf("%d-%d", j.year, j.num)
	case 1:
		return fmt.Sprintf("%d / %d", j.year, j.num)
	case 2:
		return fmt.Sprintf("%d/%d", j.year, j.num)
	}
	return fmt.Sprintf("%d - %05d", j.year, j.num)
}

// offLine is an offence of a conviction notice before it is coded into lines.
type offLine struct {
	code      string
	victims   int // 0: not given
	perVictim bool
}

type sentence struct {
	typ    string
	months int // 0: not given
	susp   string
	fine   int64 // cents; 0: not given
}

// ident is how one notice shows its person.
type ident struct {
	surname, given string
	birth          day
	place          string
	sex, cit, nn   string
	personID       string
	legacyPID      string
}

// notice is one person's conviction notice in one judgment.
type notice struct {
	j         *judgment
	p         *person
	ch        *chain
	decision  string
	offs      []offLine
	sent      sentence
	final     day
	odate     day
	id        ident
	absent    bool // never delivered (first decision missing from the extract)
	legacy    bool
	reencoded bool
	lines     []*rec[machLine]
}

// chain is one person's decision chain on one case.
type chain struct {
	key     string
	p       *person
	ep      *episode
	notices []*notice // in date order, absent ones included
}

// machLine is one offence line of the conviction extract.
type machLine struct {
	recordID   string
	version    int
	cancelled  bool
	system     string
	judgmentID string
	court      string
	jdate      day
	instance   string
	appealOf   string
	decision   string
	final      day
	caseNo     string
	id         *ident
	offence    string
	odate      day
	victims    int // 0: empty
	sent       sentence
	fine       int64 // cents; 0: empty
	spurious   bool
	n          *notice
}

func (w *world) newJudgment(court string, date day, inst string, reviewed *judgment, caseNo string) *judgment {
	y := date.year()
	w.seq[fmt.Sprint("judgment", y)] += 1 + w.r.IntN(40)
	return &judgment{num: 1000 + w.seq[fmt.Sprint("judgment", y)], year: y, court: court, date: date,
		instance: inst, reviewed: reviewed, caseNo: caseNo}
}

func (w *world) appealArea(district string) string {
	switch district {
	case "ANT", "LIM":
		return "CA-ANT"
	case "BRU", "LEU", "BRW":
		return "CA-BRU"
	case "OVL", "WVL":
		return "CA-GEN"
	case "HAI":
		return "CA-MON"
	}
	return "CA-LIE"
}

func (w *world) offences(ep *episode) []offLine {
	r := w.r
	v := ep.nVictims
	var offs []offLine
	if ep.phen == smu {
		offs = append(offs, offLine{code: "SMU-77BIS", victims: v, perVictim: w.chance("mach.per_victim_notice", w.cfg.Rates.PerVictimLines)})
		if w.chance("mach.aggravation", w.cfg.Rates.Aggravation) {
			offs = append(offs, offLine{code: "SMU-77QUATER", victims: v})
			if r.Float64() < 0.5 {
				offs = append(offs, offLine{code: "SMU-77QUINQUIES", victims: v})
			}
		}
		if w.chance("mach.co_offence", w.cfg.Rates.CoOffence) {
			if r.Float64() < 0.6 {
				offs = append(offs, offLine{code: "ORG-324TER"})
			} else {
				offs = append(offs, offLine{code: "FOR-196"})
			}
		}
		return offs
	}
	offs = append(offs, offLine{code: formOffence(ep.form), victims: v})
	if r.Float64() < 0.1 {
		other := "LAB"
		if ep.form == "LAB" {
			other = "SEX"
		}
		offs = append(offs, offLine{code: formOffence(other), victims: 1})
	}
	if w.chance("mach.mixed_phenomena", 0.05) {
		// Trafficking that began as smuggling: the judgment convicts of both.
		offs = append(offs, offLine{code: "SMU-77BIS", victims: v})
		if r.Float64() < 0.4 {
			offs = append(offs, offLine{code: "SMU-77QUINQUIES", victims: v})
		}
	}
	if w.chance("mach.aggravation", w.cfg.Rates.Aggravation) {
		offs = append(offs, offLine{code: "THB-433SEPTIES", victims: v})
		if r.Float64() < 0.4 {
			offs = append(offs, offLine{code: "THB-433OCTIES", victims: v})
		}
	}
	if w.chance("mach.co_offence", w.cfg.Rates.CoOffence) {
		x := r.Float64()
		switch {
		case ep.form == "SEX" && x < 0.5:
			offs = append(offs, offLine{code: "PIM-433QUATER"})
		case x < 0.75:
			offs = append(offs, offLine{code: "ORG-324TER"})
		default:
			offs = append(offs, offLine{code: "FOR-196"})
		}
	}
	return offs
}

func (w *world) drawSentence(phen string) sentence {
	r := w.r
	x := r.Float64()
	fine := int64(500+r.IntN(56)*100) * 100
	if r.IntN(10) == 0 {
		fine += int64(r.IntN(100))
	}
	switch {
	case x < 0.85:
		m := 12 + r.IntN(37)
		if phen == thb {
			m = 12 + r.IntN(61)
		}
		s := sentence{typ: "PRISON", months: m, fine: fine}
		y := r.Float64()
		switch {
		case y < 0.5:
			s.susp = "N"
		case y < 0.75:
			s.susp = "PARTIAL"
		default:
			s.susp = "Y"
		}
		return s
	case x < 0.9:
		return sentence{typ: "WORK", susp: "N", fine: fine}
	}
	return sentence{typ: "FINE", susp: "N", fine: fine}
}

func (w *world) firstDecision() string {
	x := w.r.Float64()
	switch {
	case x < 0.82:
		return "CONVICTION"
	case x < 0.91:
		return "ACQUITTAL"
	case x < 0.99:
		return "SUSPENSION"
	}
	return "INTERNMENT"
}

// changed is what a court of appeal (or the judge on opposition) makes of a conviction it
// changes: aggravations and co-offences not proven, fewer victims, a lighter sentence.
func changed(offs []offLine, s sentence) ([]offLine, sentence) {
	var out []offLine
	for _, o := range offs {
		if o.code == "SMU-77BIS" || strings.HasPrefix(o.code, "THB-433Q-") {
			out = append(out, o)
		}
	}
	if len(out) == len(offs) {
		out = nil
		for _, o := range offs {
			if o.victims > 1 {
				o.victims = (o.victims + 1) / 2
			}
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = offs
	}
	if s.typ == "PRISON" {
		s.months = max(6, s.months*2/3)
		if s.susp == "N" {
			s.susp = "PARTIAL"
		} else {
			s.susp = "Y"
		}
	}
	return out, s
}

// court follows the referred suspects of a case to judgment, appeal and cassation.
func (w *world) court(ep *episode, c *pcase) {
	r := w.r
	j1 := w.newJudgment("TPI-"+ep.district, c.final+day(60+r.IntN(240)), "FIRST", nil, c.no)
	if j1.date > w.now {
		return
	}
	var appealJ, cassJ *judgment
	for _, p := range c.referred {
		ch := &chain{key: fmt.Sprintf("C%07d", len(w.chains)+1), p: p, ep: ep}
		offs := w.offences(ep)
		d1 := w.firstDecision()
		n1 := &notice{j: j1, p: p, ch: ch, decision: d1, offs: offs}
		if d1 == "CONVICTION" {
			n1.sent = w.drawSentence(ep.phen)
		} else {
			n1.sent = sentence{typ: "NONE"}
		}
		plan := []*notice{n1}
		if d1 == "CONVICTION" {
			review := func(j *judgment, prefix string) *notice {
				n := &notice{j: j, p: p, ch: ch, decision: "CONVICTION", offs: offs, sent: n1.sent}
				x := r.Float64()
				switch {
				case x < w.cfg.Rates.AppealConfirm:
					w.pat(prefix+"_outcome.confirm", true)
				case x < w.cfg.Rates.AppealConfirm+w.cfg.Rates.AppealChange:
					w.pat(prefix+"_outcome.change", true)
					n.offs, n.sent = changed(offs, n1.sent)
				default:
					w.pat(prefix+"_outcome.acquit", true)
					n.decision, n.sent = "ACQUITTAL", sentence{typ: "NONE"}
				}
				return n
			}
			if w.chance("mach.opposition", w.cfg.Rates.Opposition) {
				jo := w.newJudgment(j1.court, j1.date+day(60+r.IntN(90)), "OPPOSITION", j1, c.no)
				plan = append(plan, review(jo, "mach.opposition"))
			} else if w.chance("mach.appeal", w.cfg.Rates.Appeal) {
				if appealJ == nil {
					appealJ = w.newJudgment(w.appealArea(ep.district), j1.date+day(180+r.IntN(240)), "APPEAL", j1, c.no)
				}
				na := review(appealJ, "mach.appeal")
				plan = append(plan, na)
				if na.decision == "CONVICTION" && w.chance("mach.cassation", w.cfg.Rates.Cassation) {
					if cassJ == nil {
						cassJ = w.newJudgment("CASS", appealJ.date+day(120+r.IntN(120)), "CASSATION", appealJ, c.no)
					}
					plan = append(plan, &notice{j: cassJ, p: p, ch: ch, decision: "CONVICTION", offs: na.offs, sent: na.sent})
				}
			}
		}
		// What exists on the last delivery day.
		n := 0
		for n < len(plan) && plan[n].j.date <= w.now {
			n++
		}
		last := plan[n-1]
		if n == len(plan) {
			if last.j.instance == "CASSATION" {
				last.final = last.j.date
			} else {
				last.final = last.j.date + day(30+r.IntN(45))
			}
			if last.final > w.now {
				last.final = 0
			}
		}
		ch.notices = plan[:n]
		if n > 1 && ch.notices[1].j.instance == "APPEAL" && w.chance("mach.missing_first", w.cfg.Rates.MissingFirst) {
			n1.absent = true
		}
		odate := ep.factDate
		if r.Float64() < 0.03 {
			odate = noDay
		}
		for _, nt := range ch.notices {
			nt.odate = odate
			if nt.j.date < w.from {
				nt.absent = true // before the period the extract covers
			}
			if !nt.absent {
				w.emitNotice(nt)
			}
		}
		w.chains = append(w.chains, ch)
	}
}

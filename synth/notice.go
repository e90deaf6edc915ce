package synth

import (
	"fmt"
	"github.com/ciatteh/canvas/schema"
	"strings"
)

// identity draws how notice n shows its person: the true identity for the person's first
// notice, and from the second on the variants of extracts.md section 4 at their rates.
func (w *world) identity(n *notice) ident {
	r, rt, p := w.r, w.cfg.Rates, n.p
	id := ident{surname: p.surname, given: p.given, birth: p.birth, place: p.place, sex: w.sexCode(p), cit: p.cit, nn: p.nn}
	if p.machID == "" {
		p.machID = fmt.Sprintf("P%09d", w.next("machPerson"))
		p.legacyID = fmt.Sprintf("LP%07d", w.next("legacyPerson"))
	}
	varied := false
	if p.notices > 0 {
		sub := func(s string) (string, bool) {
			toks := strings.Split(s, " ")
			for i, t := range toks {
				if v := w.vars[t]; len(v) > 0 {
					toks[i] = v[r.IntN(len(v))]
					return strings.Join(toks, " "), true
				}
			}
			if v := w.vars[s]; len(v) > 0 {
				return v[r.IntN(len(v))], true
			}
			return s, false
		}
		_, okG := sub(id.given)
		_, okS := sub(id.surname)
		if okG || okS {
			if w.chance("mach.variant.name_variant", rt.NameVariant) {
				varied = true
				if okG && (!okS || r.IntN(2) == 0) {
					id.given, _ = sub(id.given)
				} else {
					id.surname, _ = sub(id.surname)
				}
			}
		}
		if w.chance("mach.variant.alias", rt.Alias) {
			ng := &w.names[p.grp]
			for tries := 0; tries < 5 && id.surname == p.surname; tries++ {
				id.surname = ng.surnames[r.IntN(len(ng.surnames))]
			}
			varied = true
		}
		if w.chance("mach.variant.swapped_names", rt.SwappedNames) {
			id.surname, id.given = id.given, id.surname
			varied = true
		}
		if y, m, d := id.birth.ymd(); m <= 12 && d <= 12 && m != d {
			if w.chance("mach.variant.swapped_day_month", rt.SwappedDayMonth) {
				id.birth = mkday(y, d, m)
				varied = true
			}
		}
		if schema.StripAccents(id.surname+id.given+id.place) != id.surname+id.given+id.place {
			if w.chance("mach.variant.accents_dropped", rt.AccentsDropped) {
				id.surname, id.given, id.place = schema.StripAccents(id.surname), schema.StripAccents(id.given), schema.StripAccents(id.place)
				varied = true
			}
		}
		if w.chance("mach.variant.typo", rt.Typo) {
			id.surname = typo(r, id.surname)
			varied = true
		}
		if v := w.vars[id.place]; len(v) > 0 && r.IntN(3) == 0 {
			id.place = v[r.IntN(len(v))]
		}
	}
	p.notices++
	if r.Float64() < 0.08 {
		id.place = ""
	}
	if r.Float64() < 0.03 {
		id.birth = noDay
	}
	if r.Float64() < 0.02 {
		id.sex = [...]string{"", "U", "X"}[r.IntN(3)]
	}
	if r.Float64() < 0.03 {
		id.cit = ""
	}
	if id.nn != "" && w.chance("mach.missing_nn", rt.MissingNN) {
		id.nn = ""
	}
	if id.nn != "" && w.chance("mach.bad_optional.invalid_nn", rt.BadOptional) {
		id.nn = breakNN(id.nn)
	}
	if id.birth != noDay && w.chance("mach.bad_optional.birth_year_future", rt.BadOptional) {
		_, m, d := id.birth.ymd()
		id.birth = mkday(2091, m, min(d, 28))
	}
	if id.cit != "" && w.chance("mach.bad_optional.unknown_citizenship", rt.BadOptional) {
		id.cit = "XX"
	}
	w.pat("mach.variant.any", varied)
	id.personID, id.legacyPID = p.machID, p.legacyID
	if varied && r.Float64() < 0.8 {
		id.personID = fmt.Sprintf("P%09d", w.next("machPerson"))
		id.legacyPID = fmt.Sprintf("LP%07d", w.next("legacyPerson"))
	}
	return id
}

// codedLines turns a notice's offences into the lines the record codes: one line per smuggled
// person when the notice is coded that way, the fine on each of them.
func codedLines(n *notice) []machLine {
	var out []machLine
	paid := n.decision == "CONVICTION" && n.sent.fine > 0
	for _, o := range n.offs {
		base := machLine{offence: o.code, sent: n.sent}
		switch {
		case o.code == "SMU-77BIS" && o.perVictim:
			for i := 0; i < max(1, o.victims); i++ {
				l := base
				l.victims = 1
				if paid {
					l.fine = n.sent.fine
				}
				out = append(out, l)
			}
			continue
		case o.code == "SMU-77BIS":
			base.victims = o.victims
			if paid {
				base.fine = n.sent.fine * int64(max(1, o.victims))
			}
		case strings.HasPrefix(o.code, "THB-433Q-"):
			base.victims = o.victims
			if paid {
				base.fine = n.sent.fine
			}
		default:
			base.victims = o.victims
		}
		out = append(out, base)
	}
	return out
}

// emitNotice writes a notice's lines into the conviction records: LEGACY before the
// migration (some also re-encoded in MACH), MACH after; with the delivery history of each line.
func (w *world) emitNotice(n *notice) {
	r, rt := w.r, w.cfg.Rates
	n.id = w.identity(n)
	n.legacy = n.j.date < w.migration
	w.pat("mach.notices_legacy", n.legacy)
	if n.legacy {
		n.reencoded = w.chance("mach.migration_duplicate", rt.MigrationDuplicate)
	}
	w.pat("mach.smuggling_per_victim", n.ch.ep.phen == smu && len(n.offs) > 0 && n.offs[0].perVictim)
	lines := codedLines(n)
	style := r.IntN(4)
	type copyOf struct {
		system string
		id     *ident
	}
	var copies []copyOf
	if n.legacy {
		li := n.id
		li.surname, li.given, li.place = legacyName(li.surname), legacyName(li.given), legacyName(li.place)
		li.personID = li.legacyPID
		copies = append(copies, copyOf{"LEGACY", &li})
		if n.reencoded {
			mi := n.id
			if mi.nn != "" && w.chance("mach.migration_missing_nn", rt.MigrationMissingNN) {
				mi.nn = ""
			}
			copies = append(copies, copyOf{"MACH", &mi})
		}
	} else {
		mi := n.id
		copies = append(copies, copyOf{"MACH", &mi})
	}
	// First night the notice exists, and the night its final date is known.
	first := 0
	for first < len(w.nights) && w.nights[first] < n.j.date {
		first++
	}
	finalNight := -1
	if n.final != 0 {
		finalNight = 0
		for finalNight < len(w.nights) && w.nights[finalNight] < n.final {
			finalNight++
		}
	}
	nights := w.cfg.Nights
	for ci, cp := range copies {
		jid, appealOf := n.j.machID(), ""
		if n.j.reviewed != nil {
			appealOf = n.j.reviewed.machID()
		}
		if cp.system == "LEGACY" {
			jid = n.j.legacyID(style)
			if n.j.reviewed != nil {
				appealOf = n.j.reviewed.legacyID(style)
			}
		}
		mk := func(l machLine) machLine {
			l.system, l.judgmentID, l.court, l.jdate, l.instance, l.appealOf = cp.system, jid, n.j.court, n.j.date, n.j.instance, appealOf
			l.decision, l.final, l.caseNo, l.id, l.odate, l.n = n.decision, n.final, n.j.caseNo, cp.id, n.odate, n
			if l.caseNo != "" && r.IntN(20) == 0 {
				l.caseNo = ""
			}
			if cp.system == "LEGACY" {
				l.recordID = fmt.Sprintf("L%09d", w.next("legacyRecord"))
			} else {
				l.recordID = fmt.Sprintf("M%010d", w.next("machRecord"))
			}
			return l
		}
		for _, l := range lines {
			l = mk(l)
			rc := &rec[machLine]{}
			v := 1
			if cp.system == "MACH" && finalNight >= 0 && finalNight <= first {
				v = 2 // the final date was added before this line was first delivered
			}
			switch {
			case finalNight > first:
				early := l
				early.final, early.version = 0, v
				l.version = v + 1
				rc.vers = []ver[machLine]{{first, early}, {finalNight, l}}
				w.pat("mach.final_date_added", true)
			default:
				l.version = v
				rc.vers = []ver[machLine]{{first, l}}
			}
			if nights > 0 && first == 0 && len(rc.vers) == 1 && w.chance("mach.corrected", rt.Correction) {
				wrong := l
				if l.final != 0 {
					wrong.final = 0
				} else if l.odate != noDay {
					wrong.odate = l.odate - 365
				} else {
					wrong.offence = w.otherPhenOffence(n.ch.ep.phen)
				}
				rc.vers[0].row = wrong
				good := l
				good.version++
				insertVer(rc, 1+r.IntN(nights), good)
			}
			n.lines = append(n.lines, rc)
			w.mach = append(w.mach, rc)
		}
		// A line entered by mistake, cancelled in a later delivery.
		if ci == 0 && nights > 0 && first == 0 && w.chance("mach.cancelled", rt.Cancellation) {
			l := mk(machLine{offence: w.otherPhenOffence(n.ch.ep.phen), sent: n.sent, version: 1, spurious: true})
			c := l
			c.version, c.cancelled = 2, true
			rc := &rec[machLine]{vers: []ver[machLine]{{0, l}, {1 + r.IntN(nights), c}}}
			n.lines = append(n.lines, rc)
			w.mach = append(w.mach, rc)
		}
	}
}

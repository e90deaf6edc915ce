package synth

// The render functions write a record in the canonical column order of its source (schema
// package), as the agency's extract holds it on extract date ex.

func renderPolice(rb *rowBuf, r *policeRow, ex day) {
	rb.reset()
	rb.s(r.factID)
	rb.s(r.pv)
	rb.d(r.reg)
	rb.d(r.factDate)
	rb.s(r.district)
	rb.s(r.zone)
	rb.s(policeCode(r.offence))
	rb.s(r.role)
	rb.s(r.ref)
	rb.s(r.sex)
	rb.iz(r.birthYear)
	rb.s(r.cit)
	rb.s(r.expl)
	rb.d(ex)
	if r.deleted {
		rb.s("Y")
	} else {
		rb.s("N")
	}
}

func renderProsecution(rb *rowBuf, r *prosRow, ex day) {
	rb.reset()
	rb.s(r.caseNo)
	rb.s(r.office)
	rb.d(r.entry)
	rb.s(prosecutionCode(r.offence))
	rb.s(r.pvs)
	rb.s(r.ref)
	rb.s(r.sex)
	rb.iz(r.birthYear)
	rb.s(r.cit)
	rb.s(r.status)
	rb.s(r.reason)
	rb.d(r.statusDate)
	rb.s(r.joinedTo)
	rb.d(ex)
	if r.deleted {
		rb.s("Y")
	} else {
		rb.s("N")
	}
}

func renderMach(rb *rowBuf, l *machLine, ex day) {
	rb.reset()
	rb.s(l.recordID)
	rb.i(l.version)
	if l.cancelled {
		rb.s("CANCELLED")
	} else {
		rb.s("ACTIVE")
	}
	rb.s(l.system)
	rb.s(l.judgmentID)
	rb.s(l.court)
	rb.d(l.jdate)
	rb.s(l.instance)
	rb.s(l.appealOf)
	rb.s(l.decision)
	rb.dz(l.final)
	rb.s(l.caseNo)
	id := l.id
	rb.s(id.personID)
	rb.s(id.nn)
	rb.s(id.surname)
	rb.s(id.given)
	rb.d(id.birth)
	rb.s(id.place)
	rb.s(id.sex)
	rb.s(id.cit)
	rb.s(l.offence)
	rb.d(l.odate)
	rb.iz(l.victims)
	rb.s(l.sent.typ)
	rb.iz(l.sent.months)
	if l.sent.typ == "NONE" || l.sent.typ == "" {
		rb.s("")
	} else {
		rb.s(l.sent.susp)
	}
	rb.money(l.fine)
	rb.d(ex)
}

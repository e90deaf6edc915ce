// Package mach is the adapter of the conviction extract (criminal record, MACH and migrated
// LEGACY notices, extracts.md section 4): one row per offence line of a conviction notice.
// Package sources does the reading and the generic checks; this package adds the checks that
// only make sense for conviction lines. See README.md.
package mach

import (
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
)

// adapter holds the source and its columns' indexes, resolved once: CheckRow runs a million
// times per delivery.
type adapter struct {
	src                                              *schema.Source
	instance, appealOf, judgmentDate, finalDate      int
	birthDate, nationalNumber, victims, prison, fine int
}

// New returns the conviction (MACH) adapter.
func New() sources.Adapter {
	src := schema.Mach()
	col := func(n string) int { return sources.ColumnIndex(src, n) }
	return &adapter{src: src, instance: col("instance"), appealOf: col("appeal_of"), judgmentDate: col("judgment_date"),
		finalDate: col("final_date"), birthDate: col("birth_date"), nationalNumber: col("national_number"),
		victims: col("victims"), prison: col("prison_months"), fine: col("fine_eur")}
}

// Source is the conviction contract (schema.Mach()).
func (a *adapter) Source() *schema.Source { return a.src }

// CheckRow flags what the contract forbids but a count can survive (README.md, "Source checks").
func (a *adapter) CheckRow(r *sources.CheckedRow) {
	inst, appealOf := r.At(a.instance), r.At(a.appealOf)
	switch inst.Text {
	case "APPEAL", "OPPOSITION", "CASSATION":
		if appealOf.Null {
			r.Flag("appeal_of", inst.Text+" without the judgment it reviews")
		}
	case "FIRST":
		if !appealOf.Null {
			r.Flag("appeal_of", "a FIRST instance judgment reviews no judgment")
		}
	}
	jd := r.At(a.judgmentDate)
	if fd := r.At(a.finalDate); !fd.Null && fd.Date < jd.Date {
		r.Flag("final_date", "final before the judgment date")
	}
	bd := r.At(a.birthDate)
	if !bd.Null && bd.Date > jd.Date {
		r.Reject("birth_date", "birth date after the judgment date")
	}
	if nn := r.At(a.nationalNumber); !nn.Null && !bd.Null && !sources.NatNumMatchesBirth(nn.Text, nn.Century, bd.Date) {
		r.Reject("national_number", "national number inconsistent with the birth date, not used")
	}
	if v := r.At(a.victims); !v.Null && v.Int < 0 {
		r.Reject("victims", "negative")
	}
	if v := r.At(a.prison); !v.Null && v.Int < 0 {
		r.Reject("prison_months", "negative")
	}
	if v := r.At(a.fine); !v.Null && v.Float < 0 {
		r.Reject("fine_eur", "negative")
	}
}

// Package mach is the adapter of the conviction extract (criminal record, MACH and migrated
// LEGACY notices, extracts.md section 4): one row per offence line of a conviction notice.
// Package sources does the reading and the generic checks; this package adds the checks that
// only make sense for conviction lines. See README.md.
package mach

import (
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
)

type adapter struct{ src *schema.Source }

// New returns the conviction (MACH) adapter.
func New() sources.Adapter { return adapter{src: schema.Mach()} }

func (a adapter) Source() *schema.Source { return a.src }

// CheckRow flags what the contract forbids but a count can survive (README.md, "Source checks").
func (a adapter) CheckRow(r *sources.CheckedRow) {
	switch inst := r.Text("instance"); inst {
	case "APPEAL", "OPPOSITION", "CASSATION":
		if !r.Has("appeal_of") {
			r.Flag("appeal_of", inst+" without the judgment it reviews")
		}
	case "FIRST":
		if r.Has("appeal_of") {
			r.Flag("appeal_of", "a FIRST instance judgment reviews no judgment")
		}
	}
	jd := r.Value("judgment_date")
	if fd := r.Value("final_date"); !fd.Null && fd.Date < jd.Date {
		r.Flag("final_date", "final before the judgment date")
	}
	if bd := r.Value("birth_date"); !bd.Null && bd.Date > jd.Date {
		r.Reject("birth_date", "birth date after the judgment date")
	}
	if nn, bd := r.Value("national_number"), r.Value("birth_date"); !nn.Null && !bd.Null &&
		!sources.NatNumMatchesBirth(nn.Text, nn.Century, bd.Date) {
		r.Reject("national_number", "national number inconsistent with the birth date, not used")
	}
	for _, c := range []string{"victims", "prison_months"} {
		if v := r.Value(c); !v.Null && v.Int < 0 {
			r.Reject(c, "negative")
		}
	}
	if v := r.Value("fine_eur"); !v.Null && v.Float < 0 {
		r.Reject("fine_eur", "negative")
	}
}

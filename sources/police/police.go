// Package police is the adapter of the police extract (ANG/BNG, extracts.md section 2): one row per
// person involved in a recorded fact. Package sources does the reading and the generic checks;
// this package adds the checks that only make sense for police rows. See README.md.
package police

import (
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
)

type adapter struct{ src *schema.Source }

// New returns the police adapter.
func New() sources.Adapter { return adapter{src: schema.Police()} }

// Source is the police contract (schema.Police()).
func (a adapter) Source() *schema.Source { return a.src }

// CheckRow flags what the contract forbids but a count can survive (README.md, "Source checks").
func (a adapter) CheckRow(r *sources.CheckedRow) {
	if r.Text("role") == "SUSPECT" && r.Has("exploitation_form") {
		r.Flag("exploitation_form", "exploitation form on a SUSPECT row (trafficking victims only)")
	}
	reg := r.Value("registration_date")
	if fact := r.Value("fact_date"); !fact.Null && !reg.Null && fact.Date > reg.Date {
		r.Flag("fact_date", "facts after their registration date")
	}
	if ext := r.Value("extract_date"); !ext.Null && !reg.Null && reg.Date > ext.Date {
		r.Flag("registration_date", "registered after the extract date")
	}
}

// Package prosecution is the adapter of the prosecution extract (Collège des procureurs généraux,
// extracts.md section 3): one row per suspect in a case. Package sources does the reading and the
// generic checks; this package adds the checks that only make sense for prosecution rows. See
// README.md.
package prosecution

import (
	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
)

type adapter struct{ src *schema.Source }

// New returns the prosecution adapter.
func New() sources.Adapter { return adapter{src: schema.Prosecution()} }

// Source is the prosecution contract (schema.Prosecution()).
func (a adapter) Source() *schema.Source { return a.src }

// CheckRow flags what the contract forbids but a count can survive (README.md, "Source checks").
func (a adapter) CheckRow(r *sources.CheckedRow) {
	status := r.Text("status")
	if r.Has("dismissal_reason") && status != "DISMISSED" {
		r.Flag("dismissal_reason", "dismissal reason on a case that is "+status+", not DISMISSED")
	}
	if status == "JOINED" && !r.Has("joined_to") {
		r.Flag("joined_to", "JOINED without the case it was joined to")
	}
	if r.Has("joined_to") && r.Text("joined_to") == r.Text("case_number") {
		r.Flag("joined_to", "case joined to itself")
	}
	if entry, st := r.Value("entry_date"), r.Value("status_date"); !entry.Null && !st.Null && st.Date < entry.Date {
		r.Flag("status_date", "status date before the entry date")
	}
}

package sources

import "github.com/ciatteh/canvas/schema"

// Adapter is one partner's extract: its contract (schema) and the checks that only make sense
// for that source. The shared reading (formats, header, value conversion, quarantine) is done
// once in this package; adapters live in sources/police, sources/prosecution and sources/mach.
type Adapter interface {
	// Source is the contract of the extract.
	Source() *schema.Source
	// CheckRow runs the source's own row checks after generic conversion: it may add data-quality
	// flags or quarantine the row. It is only called for rows the generic checks accepted.
	CheckRow(r *CheckedRow)
}

// Package dedup removes the double counting of the conviction extract: rules D2 to D5 of
// canvas.md section 4, on top of rule D1 (package pipeline's mach_current table).
//
// It sits between the raw layer and the canvas build: [Run] reads mach_current from the
// restricted store, drops the LEGACY lines that MACH re-encoded (D2), links the person records
// into persons with package linkage (D5), groups lines into conviction notices and offence
// convictions (D3), joins the notices into decision chains through appeal_of (D4), and writes
// the resolved tables (conviction_chain, conviction_offence, conviction_person, person_link)
// and a trace of every merge (dedup_trace) to the restricted store. Package build reads only
// those tables. The analysts' review decisions on uncertain person pairs are stored here too
// ([ListReview], [RecordDecisions]) and applied in every later run.
package dedup

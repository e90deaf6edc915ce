// Package dedup removes the double counting of the conviction extract: rules D2 to D5 of
// canvas.md section 4, on top of rule D1 (package pipeline's mach_current table).
//
// It sits between the raw layer and the canvas build. [Run] reads mach_current from the
// restricted store and, in memory:
//
//   - D2 drops the LEGACY lines that MACH re-encoded (same court, judgment date, normalised
//     judgment number, offence and person), the MACH line standing;
//   - D5 builds one person record per source system and person id, joins the records with the
//     same normalised names and birth date (rule EXACT), and links the rest with package linkage
//     (national numbers, then Fellegi-Sunter), applying every analyst review decision; person
//     keys stay stable across runs ([linkage.AssignKeys]);
//   - D3 groups the standing lines into notices (one person in one judgment) and offence
//     convictions (one offence in a notice, victims adding up);
//   - D4 joins the notices into decision chains through appeal_of, the appeal finding its
//     person's notice in the judgment it reviews by person key or by name (which merges the
//     two persons), and takes each chain's last decision.
//
// It then rewrites the resolved tables (conviction_line, conviction_notice, conviction_chain,
// conviction_offence, conviction_person, person_record, person_link) and the trace of every
// merge (dedup_trace) in one transaction. Package build reads only those tables. The analysts'
// decisions on uncertain pairs are stored here too ([ListReview], [RecordDecisions]).
package dedup

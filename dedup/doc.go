// Package dedup removes the double counting of the conviction extract: rules D2 to D5 of
// canvas.md section 4, on top of rule D1 (package pipeline's mach_current table).
//
// It sits between the raw layer and the canvas build. [Run] reads mach_current from the
// restricted store (through temporary Parquet files in the store folder, not row by row) and:
//
//   - D2 drops the LEGACY lines that MACH re-encoded (same court, judgment date, normalised
//     judgment number, offence and person), the MACH line standing;
//   - D5 builds one person record per source system and person id, joins the records with the
//     same normalised names and birth date whose sex, citizenship and birth place do not conflict
//     (rule EXACT), and links the rest with package linkage
//     (national numbers, then Fellegi-Sunter), applying every analyst review decision; person
//     keys stay stable across runs (the rule of [linkage.AssignKeys], applied in SQL);
//   - D3 groups the standing lines into notices (one person in one judgment) and offence
//     convictions (one offence in a notice, victims adding up);
//   - D4 joins the notices into decision chains through appeal_of, the appeal finding its
//     person's notice in the judgment it reviews by person key or by name (which merges the
//     two persons), and takes each chain's last decision.
//
// Memory holds the person records, not the lines: the records are read streaming in record
// order and linked first; then the lines are read back in batches of whole components (the
// records of one linkage cluster, joined with every record whose lines name the same normalised
// judgment number, as their own or as the decision they appeal), about Options.BatchLines lines
// each, so that D2 to D4 see in each batch everything they compare. Person keys are given at the
// end, in SQL, from the clusters and the previous run's keys. TestBatchesDoNotChangeTheResult
// proves that the result does not depend on the batch size (except for the numbering of
// notices); a chain is named after the smallest record ID of its lines.
//
// It then rewrites the resolved tables (conviction_line, conviction_notice, conviction_chain,
// conviction_offence, conviction_person, person_record, person_link) and the trace of every
// merge (dedup_trace) in one transaction. Package build reads only those tables. The analysts'
// decisions on uncertain pairs are stored here too ([ListReview], [RecordDecisions]).
package dedup

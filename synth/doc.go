// Package synth generates synthetic extracts of the three sources (police, prosecution, MACH
// conviction record) with the ground truth beside them.
//
// Real extracts are confidential, so the canvas is built and measured on a simulated world: one
// population of trafficking and smuggling cases followed from police to prosecution to court at
// Belgian scale, written as deliveries that follow the contract of extracts.md (an initial full
// delivery and nightly deltas, CSV and XLSX, French, Dutch and English headers and values,
// several encodings, delimiters and date styles) with every double-counting pattern of
// extracts.md section 4 at configured rates, junk rows to quarantine, and background offences to
// scale volume up. Beside the files it writes the truth (truth/indicator.csv, persons.csv,
// chains.csv, manifest.json) computed from the hidden world per docs/counting.md.
//
// It sits before the pipeline: its files are what `canvas load` reads (package sources parses
// them), and tests and benchmarks compare the canvas's indicator table with the truth. Nothing
// in the pipeline imports it except the CLI commands that call Generate.
package synth

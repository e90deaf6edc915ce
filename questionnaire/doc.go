// Package questionnaire answers the international questionnaires (Eurostat crim_thb and
// crim_smu, UNODC GLOTIP and UN-CTS) and fills an institution's own XLSX forms from the shared
// canvas.
//
// It sits at the very end of the flow: it reads only the `indicator` table and its metadata
// (`measure_definition`, `series_note`, `coverage`, the run table) from canvas.duckdb, and writes
// files (XLSX workbooks, SDMX-CSV 2.0, UNODC's long layout as CSV). It never reads the restricted
// store, never writes the canvas, and never computes a figure the canvas does not hold: a cell is
// a sum of `indicator` rows named by a selector, or it is reported missing with the reason.
//
// Every questionnaire is data, not code: a YAML spec (specs/*.yaml, embedded; an analyst may pass
// an edited copy) names its tables, rows and columns, the selector of each cell, the codes each
// output layout needs (SDMX dimensions, UNODC columns) and the suppression policy. Template
// filling uses a mapping file of the same selector language (see README.md).
package questionnaire

// Package linkage decides which conviction person records are the same human being: rule D5 of
// the dedup stage (canvas.md section 4). Package dedup calls [Link] after the decision chains of
// D4 are built, with one [Record] per conviction person record read from the raw layer and the
// analysts' stored review [Decision]s, and then [AssignKeys] to turn the clusters into person keys
// that stay stable across nightly runs. The result, with every pair's score and rule, is the trace
// that dedup writes to the restricted store; pairs with status "review" feed the analysts' review
// list. This package reads and writes nothing itself.
//
// The method, in the order Link applies it:
//
//  1. Normalisation: names and places are upper-cased, stripped of accents, punctuation,
//     hyphens and apostrophes, and spaces are collapsed ([Normalize]). Each name token also gets
//     a phonetic key ([Phonetic]), a consonant skeleton tuned for the transliteration variants of
//     Arabic, Turkish and North-African names written by French and Dutch clerks.
//  2. Blocking: each record gets a handful of blocking keys (national number; each name token's
//     phonetic key with the birth year, which also covers swapped surname and given names; the
//     birth date with day and month in either order; the surname and first given name keys
//     without the year). Only records sharing a key are compared. A block larger than
//     Config.MaxBlockSize is not compared all-pairs but with a sliding window over its records
//     sorted by name and birth date, so the work grows near linearly with the number of records.
//  3. Comparison: each candidate pair gets a level per field (Fellegi-Sunter): surname and given
//     names (exact, Jaro-Winkler, phonetic, token subset, differ; in the better of the straight
//     and swapped order, tokens in any order), birth date (exact, day and month swapped, same
//     year and day or month, same day and month, differ), birth place, sex and citizenship. A
//     value missing on either side is level "missing" and weighs nothing.
//  4. Estimation: the m and u probabilities of every level and the share of matches among the
//     candidate pairs are estimated by expectation-maximisation over the candidate pairs, with u
//     seeded from random record pairs drawn with a fixed seed. Pairs whose label is known (same
//     or different valid national number, an analyst's decision) keep that label during EM.
//  5. Scoring: a pair's score is its log2 posterior odds of being the same person: the prior log
//     odds plus the sum of the field weights log2(m/u).
//  6. Clustering: see [Link] for the order of unions and the guards that keep two different
//     national numbers, or two records an analyst separated, out of one cluster, and that stop
//     chains of near matches from gluing different people together.
//
// Everything is deterministic: no map is iterated unsorted, and the random sample uses
// Config.Seed.
package linkage

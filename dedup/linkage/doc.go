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
//  1. Preparation: names and places are upper-cased, stripped of accents, punctuation,
//     hyphens and apostrophes, and spaces are collapsed ([Normalize]). Each name token also gets
//     a phonetic key ([Phonetic]), a consonant skeleton tuned for the transliteration variants of
//     Arabic, Turkish and North-African names written by French and Dutch clerks. A missing
//     birth date or sex is read from the national number, which encodes both.
//  2. Blocking: each record gets a handful of blocking keys (see blockingKeys: national number;
//     birth date with day and month in either order; each name token's phonetic key with the
//     birth year, which also covers swapped surname and given names; day and month with each
//     given name; surname and given name token pairs without the year; name tokens alone for
//     records without a birth date). Only records sharing a key are compared. A block larger
//     than Config.MaxBlockSize is not compared all pairs but with a sliding window of
//     Config.BlockWindow records, sorted on what the block's records do not already share, so
//     the pairs per record are bounded and the work grows near linearly with the records.
//  3. Comparison: each candidate pair gets a level per field (Fellegi-Sunter): surname and given
//     names (exact, Jaro-Winkler, phonetic, token subset, differ; in the better of the straight
//     and swapped order, tokens in any order), birth date (exact, day and month swapped, same
//     year and day or month, same day and month, differ), birth place (exact, Jaro-Winkler,
//     differ), sex and citizenship. A value missing on either side is level "missing" and
//     weighs nothing.
//  4. Estimation: m (the probability of each level for a true match) is measured on the
//     candidate pairs known to be one person (same valid national number, an analyst's match),
//     with a prior of what clerks' variants do that counts for a few such pairs (so that m leans
//     on the prior when few pairs are known); u is measured on random record pairs drawn with a
//     fixed seed. m is not left to EM: over candidates found by blocking on names drawn from
//     small pools, EM takes "same name" for the match class and then weighs a birth date thirty
//     years apart as nothing. EM estimates the u of non-matches among candidates and the share
//     of matches, for the report; pairs whose label is known keep it.
//  5. Scoring: a pair's score is the log2 odds that it is one person: the prior odds of a random
//     pair of records (the share of the records with a valid national number that share it with
//     another, else from EM) plus the field weights log2(m/u), u being the chance agreement of
//     random records, and name weights adjusted for how common the name is, alone and as a full
//     name ([Params]).
//  6. Clustering: see [Link] for the order of unions and the guards that keep two different
//     national numbers, or two records an analyst separated, out of one cluster, and that stop
//     chains of near matches from gluing different people together.
//
// Incremental runs: a nightly run changes a small share of the records. With the model of an
// earlier run pinned (Config.Model, stored with [Model.MarshalBinary]), pairs keep their scores
// from run to run, and [Relink] recomputes only what the changes touch, from the state the
// previous run left ([State]: the records with their [BlockKeys], the edges, the decisions),
// with the result a full Link with that model would give. See relink.go for why.
//
// Everything is deterministic: no map is iterated unsorted where its order could change a
// result (Relink's result depends neither on map order nor on the order of the state's
// answers), and the random sample uses Config.Seed.
package linkage

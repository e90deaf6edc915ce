-- The restricted store's tables of the dedup stage (rules D2-D5). Every run replaces the tables
-- of the resolved layer; review_decision keeps the analysts' decisions across runs, and the next
-- run reads person_record's keys back, so that keys stay stable. The resolved tables declare no
-- PRIMARY KEY (DuckDB's indexes make bulk rewrites slow); the key of each is named in a comment.

-- One row per line of mach_current (after D1): what D2 to D5 made of it.
CREATE TABLE IF NOT EXISTS conviction_line (
  record_id VARCHAR NOT NULL,         -- key
  source_system VARCHAR NOT NULL,      -- MACH or LEGACY
  judgment_norm VARCHAR NOT NULL,      -- normalised judgment number
  appeal_norm VARCHAR,                 -- normalised appeal_of: the judgment this line's decision reviews
  stands BOOLEAN NOT NULL,             -- false: a LEGACY line merged by D2 into merged_into
  merged_into VARCHAR,                 -- D2: the MACH line that stands for it
  person_record VARCHAR NOT NULL,      -- D5: the person record (source_system:person_id)
  person_key VARCHAR NOT NULL,         -- D5: the person
  notice_id VARCHAR,                   -- D3: the notice (person, judgment) of a standing line
  chain_id VARCHAR                     -- D4: the decision chain of the notice
);

-- One row per conviction notice: one person in one judgment (D3), with its place in its chain (D4).
CREATE TABLE IF NOT EXISTS conviction_notice (
  notice_id VARCHAR NOT NULL,          -- key: N and the smallest record_id of its lines
  person_key VARCHAR NOT NULL,
  court VARCHAR NOT NULL,
  judgment_norm VARCHAR NOT NULL,
  judgment_id VARCHAR NOT NULL,        -- as written on the notice's first line
  judgment_date DATE NOT NULL,
  instance VARCHAR NOT NULL,
  appeal_of_norm VARCHAR,
  decision VARCHAR NOT NULL,           -- CONVICTION when any line convicts
  final_date DATE,
  lines BIGINT NOT NULL,
  chain_id VARCHAR NOT NULL,
  reviews_notice VARCHAR,              -- D4: the notice this one reviews
  link_rule VARCHAR,                   -- D4: SAME_PERSON, NAME_MATCH, ORPHAN (appeal without its first decision) or NULL
  link_score DOUBLE
);

-- One row per decision chain of one person (D4); its last decision decides.
CREATE TABLE IF NOT EXISTS conviction_chain (
  chain_id VARCHAR NOT NULL,           -- key
  person_key VARCHAR NOT NULL,
  notices BIGINT NOT NULL,
  first_court VARCHAR,                 -- court of the chain's FIRST decision (NULL: none)
  district VARCHAR NOT NULL,           -- area of first_court, _U when the chain has no FIRST decision
  last_notice VARCHAR NOT NULL,
  last_court VARCHAR NOT NULL,
  last_instance VARCHAR NOT NULL,
  decision VARCHAR NOT NULL,           -- the last decision's
  judgment_date DATE NOT NULL,         -- the last decision's
  final_date DATE,                     -- the last decision's; NULL: not final yet
  first_judgment_date DATE NOT NULL,   -- earliest judgment date of the chain
  offence_date DATE,                   -- earliest offence date of the last decision's lines
  orphan_appeal BOOLEAN NOT NULL,      -- holds an appeal whose first decision is absent
  convicted BOOLEAN NOT NULL           -- last decision is CONVICTION
);

-- One row per offence conviction (D3): an offence code within the last decision of a chain
-- whose last decision is CONVICTION; lines of the same offence are one, victims add up.
CREATE TABLE IF NOT EXISTS conviction_offence (
  chain_id VARCHAR NOT NULL,
  offence VARCHAR NOT NULL,
  lines BIGINT NOT NULL,
  victims BIGINT,
  prison_unsuspended BOOLEAN NOT NULL  -- a line with PRISON and suspended N or PARTIAL
);                                     -- key: chain_id, offence

-- One row per person (D5): the attributes the breakdowns use, the most frequent valid value over
-- the person's conviction notices (ties: smallest; birth date ties: earliest). Sex: M or F only.
CREATE TABLE IF NOT EXISTS conviction_person (
  person_key VARCHAR NOT NULL,         -- key
  sex VARCHAR,
  birth_date DATE,
  citizenship VARCHAR,
  person_records BIGINT NOT NULL,
  lines BIGINT NOT NULL
);

-- One row per person record (source_system:person_id) given to the linkage: its identity as
-- linked and its person key. The next run reads the keys back so that they stay stable.
CREATE TABLE IF NOT EXISTS person_record (
  person_record VARCHAR NOT NULL,      -- key
  person_key VARCHAR NOT NULL,
  national_number VARCHAR,
  surname VARCHAR,
  given_names VARCHAR,
  birth_date VARCHAR,
  birth_place VARCHAR,
  sex VARCHAR,
  citizenship VARCHAR,
  lines BIGINT NOT NULL,
  rule VARCHAR NOT NULL,               -- how it joined its person: SINGLE, NN, FS, REVIEW, D4
  score DOUBLE,
  cluster VARCHAR NOT NULL,            -- D5: its linkage cluster (smallest person record ID), before D4's merges
  component VARCHAR NOT NULL,          -- the smallest person record ID of what D2-D4 may join it with (see Run)
  exact_key VARCHAR,                   -- D5: normalised surname|given names|birth date (rule EXACT); NULL: incomplete
  exact_rep VARCHAR NOT NULL           -- D5: the record of its EXACT group the linkage sees (itself when alone)
);

-- A store made before the incremental runs: the columns they added (the first run is full and
-- makes the tables again).
ALTER TABLE person_record ADD COLUMN IF NOT EXISTS cluster VARCHAR;
ALTER TABLE person_record ADD COLUMN IF NOT EXISTS component VARCHAR;
ALTER TABLE person_record ADD COLUMN IF NOT EXISTS exact_key VARCHAR;
ALTER TABLE person_record ADD COLUMN IF NOT EXISTS exact_rep VARCHAR;
ALTER TABLE conviction_line ADD COLUMN IF NOT EXISTS appeal_norm VARCHAR;

-- The mapping of every conviction record (line of mach_current) to its person.
CREATE TABLE IF NOT EXISTS person_link (
  record_id VARCHAR NOT NULL,          -- key
  person_key VARCHAR NOT NULL,
  person_record VARCHAR NOT NULL,
  rule VARCHAR NOT NULL,
  score DOUBLE
);

-- The trace of every merge: which lines, notices or records, by which rule, with what score.
CREATE TABLE IF NOT EXISTS dedup_trace (
  rule VARCHAR NOT NULL,               -- D2, D3, D4, D5
  kind VARCHAR NOT NULL,               -- line, notice, person_record
  a VARCHAR NOT NULL,                  -- what was merged
  b VARCHAR,                           -- into what (NULL: flagged alone)
  score DOUBLE,
  status VARCHAR,                      -- D5: match, review, nonmatch; D4: linked, orphan
  detail VARCHAR
);

-- Person record pairs between the review and match thresholds, for an analyst to decide.
CREATE TABLE IF NOT EXISTS review_pair (
  a VARCHAR NOT NULL,
  b VARCHAR NOT NULL,
  score DOUBLE NOT NULL,
  note VARCHAR,
  decided BOOLEAN NOT NULL             -- an analyst's decision on the pair is stored
);                                     -- key: a, b

-- The analysts' decisions on pairs of person records, applied in every later run (the last one
-- on a pair counts). Never rewritten by a run.
CREATE TABLE IF NOT EXISTS review_decision (
  a VARCHAR NOT NULL,
  b VARCHAR NOT NULL,
  match BOOLEAN NOT NULL,
  decided_by VARCHAR,
  decided_at TIMESTAMPTZ NOT NULL,
  note VARCHAR
);

-- What an incremental run builds on (key: key): "through", the resolved_through mark of rule
-- D1 whose changes the resolved tables hold (see d1_changed in the pipeline's store).
CREATE TABLE IF NOT EXISTS dedup_state (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

-- The linkage model (rule D5) every run scores with: estimated by the first run, and again only
-- when asked (canvas build --retrain-linkage), so that a nightly run and a full recomputation
-- score every pair alike. One row.
CREATE TABLE IF NOT EXISTS linkage_model (
  model BLOB NOT NULL,
  estimated_at TIMESTAMPTZ NOT NULL,
  person_records BIGINT NOT NULL       -- the records it was estimated on
);

-- The state the linkage (rule D5) leaves for the next incremental run (see linkage.Relink): the
-- blocking keys of every record the linkage saw (the EXACT groups' representatives), each with the
-- record's sort key for the key's kind, the scored candidate pairs at or above the review
-- threshold, and the decisions it was given, on the representatives. The sort key depends on the
-- record and the kind only, but a record holds one key of most kinds: a table of its own would
-- hold four rows for every five here (at 1M lines) and cost a join in every neighbourhood query,
-- while on the key rows, written in block order, link_key takes less room than it did without it.
CREATE TABLE IF NOT EXISTS link_key (
  hash BIGINT NOT NULL,                -- the key's 64-bit hash, as a signed integer
  kind INTEGER NOT NULL,               -- the kind of key, a character of NDYMPS
  record VARCHAR NOT NULL,
  sort_key VARCHAR NOT NULL            -- linkage.SortKey: an oversized block is ordered by sort_key
);                                     -- then record, both bytewise (VARCHAR compares UTF-8 bytes)
CREATE TABLE IF NOT EXISTS link_edge (
  a VARCHAR NOT NULL,
  b VARCHAR NOT NULL,
  score DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS link_decision (
  seq BIGINT NOT NULL,
  a VARCHAR NOT NULL,
  b VARCHAR NOT NULL,
  match BOOLEAN NOT NULL
);

-- The analysts' decisions (the last one on each pair, a < b) the previous run applied: a run
-- compares them with review_decision to find the EXACT groups a new decision may split.
CREATE TABLE IF NOT EXISTS dedup_decision (
  a VARCHAR NOT NULL,
  b VARCHAR NOT NULL,
  match BOOLEAN NOT NULL
);

-- The records as the linkage saw them: each EXACT group's representative, with the group's valid
-- national number when its own is missing. (storeState.Records repeats this definition for the
-- records it reads.)
CREATE OR REPLACE VIEW link_record AS
SELECT r.person_record AS id, coalesce(r.national_number, g.nn) AS national_number, r.surname, r.given_names,
       r.birth_date, r.birth_place, r.sex, r.citizenship
FROM person_record r
LEFT JOIN (SELECT exact_rep, max(national_number) AS nn FROM person_record GROUP BY exact_rep) g ON g.exact_rep = r.person_record
WHERE r.exact_rep = r.person_record;

-- Counts of the last dedup run: what each rule removed.
CREATE TABLE IF NOT EXISTS dedup_stats (
  step VARCHAR NOT NULL,               -- key
  value BIGINT NOT NULL
);

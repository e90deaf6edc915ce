-- The restricted store's tables of the dedup stage (rules D2-D5). Every run replaces the tables
-- of the resolved layer; review_decision keeps the analysts' decisions across runs, and the next
-- run reads person_record's keys back, so that keys stay stable. The resolved tables declare no
-- PRIMARY KEY (DuckDB's indexes make bulk rewrites slow); the key of each is named in a comment.

-- One row per line of mach_current (after D1): what D2 to D5 made of it.
CREATE TABLE IF NOT EXISTS conviction_line (
  record_id VARCHAR NOT NULL,         -- key
  source_system VARCHAR NOT NULL,      -- MACH or LEGACY
  judgment_norm VARCHAR NOT NULL,      -- normalised judgment number
  stands BOOLEAN NOT NULL,             -- false: a LEGACY line merged by D2 into merged_into
  merged_into VARCHAR,                 -- D2: the MACH line that stands for it
  person_record VARCHAR NOT NULL,      -- D5: the person record (source_system:person_id)
  person_key VARCHAR NOT NULL,         -- D5: the person
  notice_id BIGINT,                    -- D3: the notice (person, judgment) of a standing line
  chain_id VARCHAR                     -- D4: the decision chain of the notice
);

-- One row per conviction notice: one person in one judgment (D3), with its place in its chain (D4).
CREATE TABLE IF NOT EXISTS conviction_notice (
  notice_id BIGINT NOT NULL,          -- key
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
  reviews_notice BIGINT,               -- D4: the notice this one reviews
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
  last_notice BIGINT NOT NULL,
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
  score DOUBLE
);

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

-- Counts of the last dedup run: what each rule removed.
CREATE TABLE IF NOT EXISTS dedup_stats (
  step VARCHAR NOT NULL,               -- key
  value BIGINT NOT NULL
);

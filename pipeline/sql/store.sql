-- The restricted store's bookkeeping tables. The raw-layer tables (raw_police, raw_prosecution,
-- raw_mach) are made from the Arrow record schemas of package schema, not here.

CREATE TABLE IF NOT EXISTS store_meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

-- One row per run of the pipeline (load, build, ...).
CREATE TABLE IF NOT EXISTS run (
  run_id BIGINT PRIMARY KEY,
  command VARCHAR NOT NULL,
  started TIMESTAMPTZ NOT NULL,
  ended TIMESTAMPTZ,
  "user" VARCHAR,
  host VARCHAR,
  pid INTEGER,
  program_version VARCHAR,
  outcome VARCHAR,          -- running, ok, quarantine, failed
  message VARCHAR
);

-- One row per input file of a run, loaded or not.
CREATE TABLE IF NOT EXISTS run_input (
  run_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  path VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  sha256 VARCHAR,
  size BIGINT,
  source VARCHAR,
  format VARCHAR,
  encoding VARCHAR,
  rows_read BIGINT DEFAULT 0,
  rows_loaded BIGINT DEFAULT 0,
  rows_quarantined BIGINT DEFAULT 0,
  rows_flagged BIGINT DEFAULT 0,
  skipped BOOLEAN DEFAULT false,   -- already loaded (same SHA-256)
  outcome VARCHAR,                 -- loaded, quarantine, skipped, refused, failed
  message VARCHAR,
  delivery_id BIGINT,
  seconds DOUBLE
);

-- One row per file loaded into the raw layer. A file's SHA-256 is loaded at most once.
CREATE TABLE IF NOT EXISTS delivery (
  delivery_id BIGINT PRIMARY KEY,
  run_id BIGINT NOT NULL,
  sha256 VARCHAR NOT NULL UNIQUE,
  name VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  size BIGINT NOT NULL,
  source VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  encoding VARCHAR,
  delimiter VARCHAR,
  sheet VARCHAR,
  header_line INTEGER,
  header VARCHAR,          -- the header as delivered, JSON array
  loaded_at TIMESTAMPTZ NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_flagged BIGINT NOT NULL
);

-- Rows that cannot be counted: kept with where they came from and why.
CREATE TABLE IF NOT EXISTS quarantine (
  run_id BIGINT NOT NULL,
  delivery_id BIGINT NOT NULL,
  source VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  sheet VARCHAR,
  line BIGINT NOT NULL,
  "column" VARCHAR,
  value VARCHAR,
  reason VARCHAR NOT NULL,
  raw VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS run_seq START 1;
CREATE SEQUENCE IF NOT EXISTS delivery_seq START 1;

-- One row per stage of a run: what it did and how long it took.
CREATE TABLE IF NOT EXISTS run_stage (
  run_id BIGINT NOT NULL,
  stage VARCHAR NOT NULL,     -- resolve, dedup, build, publish, checkpoint (writing the run into the file)
  started TIMESTAMPTZ NOT NULL,
  seconds DOUBLE,
  counts VARCHAR              -- JSON object of the stage's counts
);

-- What rule D1 changed in police_current, prosecution_current and mach_current, for the stages
-- after it (an incremental dedup): one row per record key whose standing row a resolve inserted,
-- replaced or removed. record_key holds the key's values in the order of the source's key
-- (police: fact_id, role, person_ref; prosecution: case_number, suspect_ref; mach: record_id).
-- resolved_through is the resolve's resolved_through_delivery mark: a stage that has taken the
-- deliveries up to its own mark into account reads the rows past it, and a 'full' row past it
-- (a full rewrite of D1; source and record_key NULL) means that any record may have changed.
-- Rows at or before published_through_delivery are dropped by the next resolve.
CREATE TABLE IF NOT EXISTS d1_changed (
  resolved_through BIGINT NOT NULL,
  source VARCHAR,
  record_key VARCHAR[],
  change VARCHAR NOT NULL   -- inserted, replaced, removed, full
);

-- Rule D1 (canvas.md section 4): per record key the latest version stands; a standing tombstone
-- removes the record. Ties on the version are broken by the later delivery, then the later line.
-- The *_current tables are what every later stage reads; the raw layer keeps every row.

CREATE OR REPLACE TABLE police_current AS
SELECT * FROM raw_police
QUALIFY row_number() OVER (PARTITION BY fact_id, role, person_ref
                           ORDER BY extract_date DESC, delivery_id DESC, line DESC) = 1
    AND coalesce(deleted, 'N') <> 'Y';

CREATE OR REPLACE TABLE prosecution_current AS
SELECT * FROM raw_prosecution
QUALIFY row_number() OVER (PARTITION BY case_number, suspect_ref
                           ORDER BY extract_date DESC, delivery_id DESC, line DESC) = 1
    AND coalesce(deleted, 'N') <> 'Y';

CREATE OR REPLACE TABLE mach_current AS
SELECT * FROM raw_mach
QUALIFY row_number() OVER (PARTITION BY record_id
                           ORDER BY record_version DESC, delivery_id DESC, line DESC) = 1
    AND coalesce(record_status, 'ACTIVE') <> 'CANCELLED';

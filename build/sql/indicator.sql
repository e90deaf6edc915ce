-- The indicator table (canvas.md section 6), read only from the canvas's microdata: one row per
-- cell of the cube of every breakdown, _T being the total, with obs_status and counting_rule;
-- M rows for the years a source does not cover inside the canvas's year range.

CREATE OR REPLACE TEMP TABLE measure_list AS
SELECT * FROM (VALUES
  (1, 'POLICE', 'OFFENCES_RECORDED', 'ANY_MENTION'),
  (2, 'POLICE', 'SUSPECTS', 'ANY_MENTION'),
  (3, 'POLICE', 'VICTIMS', 'ANY_MENTION'),
  (4, 'PROSECUTION', 'CASES_ENTERED', 'ANY_MENTION'),
  (5, 'PROSECUTION', 'CASES_DISMISSED', 'ANY_MENTION'),
  (6, 'PROSECUTION', 'PERSONS_PROSECUTED', 'ANY_MENTION'),
  (7, 'CONVICTION', 'OFFENCE_CONVICTIONS', 'ANY_MENTION'),
  (8, 'CONVICTION', 'CONVICTIONS', 'ANY_MENTION'),
  (9, 'CONVICTION', 'PERSONS_CONVICTED', 'ANY_MENTION'),
  (10, 'CONVICTION', 'PERSONS_CONVICTED_PRINCIPAL', 'PRINCIPAL_OFFENCE'),
  (11, 'CONVICTION', 'PERSONS_PRISON_UNSUSPENDED', 'ANY_MENTION'),
  (12, 'CONVICTION', 'CONVICTIONS_PENDING', 'ANY_MENTION')
) t(ord, stage, measure, counting_rule);

-- the years each source covers: from its earliest to its latest reference date
CREATE OR REPLACE TEMP TABLE source_years AS
SELECT 'POLICE' AS stage, 'police' AS source, min(year(registration_date)) AS year_from,
       max(year(registration_date)) AS year_to, max(extract_date) AS last_extract, count(*) AS rows
FROM police_current
UNION ALL
SELECT 'PROSECUTION', 'prosecution', least(min(year(entry_date)), min(year(status_date))),
       greatest(max(year(entry_date)), max(year(status_date))), max(extract_date), count(*)
FROM prosecution_current
UNION ALL
SELECT 'CONVICTION', 'mach', min(year(coalesce(final_date, judgment_date))),
       max(year(coalesce(final_date, judgment_date))), max(extract_date), count(*)
FROM mach_current;

-- every counted unit of every measure, with its breakdown values (districts and forms: lists)
CREATE OR REPLACE TEMP TABLE unit AS
SELECT 'OFFENCES_RECORDED' AS measure, ref_year, phenomenon, fact AS unit_id,
       '_T' AS sex, '_T' AS age_group, '_T' AS citizenship, districts, exploitation
FROM canvas_new.police_fact
UNION ALL
SELECT CASE role WHEN 'SUSPECT' THEN 'SUSPECTS' ELSE 'VICTIMS' END, ref_year, phenomenon, person,
       sex, age_group, citizenship, districts, exploitation
FROM canvas_new.police_person
UNION ALL
SELECT measure, ref_year, phenomenon, "case", '_T', '_T', '_T', districts, exploitation
FROM canvas_new.prosecution_case
UNION ALL
SELECT 'PERSONS_PROSECUTED', ref_year, phenomenon, person, sex, age_group, citizenship, districts, exploitation
FROM canvas_new.prosecution_person
UNION ALL
SELECT CASE WHEN pending THEN 'CONVICTIONS_PENDING' ELSE 'CONVICTIONS' END, ref_year, phenomenon, conviction,
       sex, age_group, citizenship, [district], exploitation
FROM canvas_new.conviction
UNION ALL
SELECT 'OFFENCE_CONVICTIONS', ref_year, phenomenon, conviction || '|' || offence,
       sex, age_group, citizenship, [district], [exploitation]
FROM canvas_new.offence_conviction WHERE NOT pending
UNION ALL
SELECT measure, ref_year, phenomenon, person, sex, age_group, citizenship, districts, exploitation
FROM canvas_new.person_conviction;

-- The count below counts rows: it counts units because each measure's microdata hold a unit once
-- per year and phenomenon (their grain; the microdata statements make it so). A build whose
-- microdata break the grain stops here rather than count a unit twice.
CREATE OR REPLACE TEMP TABLE unit_grain AS
SELECT error(format('canvas build: the microdata hold unit {} of {} {} {} {} times; a measure''s microdata must hold a unit once per year and phenomenon',
                    unit_id, measure, ref_year, phenomenon, count(*))) AS broken
FROM unit GROUP BY measure, ref_year, phenomenon, unit_id HAVING count(*) > 1;

-- a unit counts once in every total and once under each value it has: the cube over the five
-- breakdowns. A unit is counted under each of its districts and forms (list_distinct drops NULL;
-- a unit without any district or any form is not counted). A breakdown that does not
-- apply is '_T' in the unit already: its non-total grouping would repeat the total, so it is
-- left out. The district and form breakdowns are made by unnesting, in four parts (g: 0 by both,
-- 1 by district, 2 by form, 3 by neither), and the other three by CUBE: every grouping then
-- holds a unit at most once, so that count(*) counts units, with plain aggregates that stay
-- within DuckDB's memory_limit (count(DISTINCT) over a CUBE of all five needed 2 GB for 280,000
-- units, and four times as long).
CREATE OR REPLACE TEMP TABLE cell AS
WITH u AS (
  SELECT measure, ref_year, phenomenon, sex, age_group, citizenship,
         list_distinct(districts) AS districts, list_distinct(exploitation) AS exploitation
  FROM unit
  WHERE len(list_distinct(districts)) > 0 AND len(list_distinct(exploitation)) > 0),
x AS (
  SELECT measure, ref_year, phenomenon, sex, age_group, citizenship, '_T' AS district, '_T' AS exploitation, 3 AS g FROM u
  UNION ALL
  SELECT measure, ref_year, phenomenon, sex, age_group, citizenship, unnest(districts), '_T', 1 FROM u
  UNION ALL
  SELECT measure, ref_year, phenomenon, sex, age_group, citizenship, '_T', unnest(exploitation), 2 FROM u
  UNION ALL
  SELECT measure, ref_year, phenomenon, sex, age_group, citizenship, d.district, e.exploitation, 0
  FROM u, unnest(districts) d(district), unnest(exploitation) e(exploitation))
SELECT ref_year, phenomenon, measure,
       CASE WHEN grouping(sex) = 1 THEN '_T' ELSE sex END AS sex,
       CASE WHEN grouping(age_group) = 1 THEN '_T' ELSE age_group END AS age_group,
       CASE WHEN grouping(citizenship) = 1 THEN '_T' ELSE citizenship END AS citizenship,
       district, exploitation,
       count(*)::BIGINT AS value
FROM x
GROUP BY ref_year, phenomenon, measure, g, district, exploitation, CUBE (sex, age_group, citizenship)
HAVING NOT ((grouping(sex) = 0 AND sex = '_T') OR (grouping(age_group) = 0 AND age_group = '_T')
            OR (grouping(citizenship) = 0 AND citizenship = '_T'));

CREATE TABLE canvas_new.indicator (
  ref_year INTEGER NOT NULL,
  phenomenon VARCHAR NOT NULL,
  stage VARCHAR NOT NULL,
  measure VARCHAR NOT NULL,
  sex VARCHAR NOT NULL,
  age_group VARCHAR NOT NULL,
  citizenship VARCHAR NOT NULL,
  district VARCHAR NOT NULL,
  exploitation VARCHAR NOT NULL,
  value BIGINT,
  obs_status VARCHAR NOT NULL,
  counting_rule VARCHAR NOT NULL
  -- key: ref_year, phenomenon, stage, measure, sex, age_group, citizenship, district, exploitation
  -- (not declared: an index would slow the build and readers do not need it)
);

INSERT INTO canvas_new.indicator
WITH yr AS (SELECT min(year_from) AS y0, max(year_to) AS y1 FROM source_years),
rows AS (
  SELECT c.ref_year, c.phenomenon, m.stage, c.measure, c.sex, c.age_group, c.citizenship, c.district,
         c.exploitation, c.value,
         CASE WHEN (c.ref_year = s.year_to AND (s.last_extract IS NULL OR s.last_extract < make_date(s.year_to + 1, 7, 1)))
                   OR (m.stage = 'CONVICTION' AND c.ref_year >= s.year_to - 1) THEN 'P'
              WHEN c.ref_year = 2014
                   OR (m.stage = 'CONVICTION' AND c.ref_year = (SELECT value FROM build_param WHERE name = 'mach_migration_year')) THEN 'B'
              ELSE 'A' END AS obs_status,
         m.counting_rule, m.ord
  FROM cell c JOIN measure_list m USING (measure) JOIN source_years s ON s.stage = m.stage
  UNION ALL
  SELECT y.ref_year, p.phenomenon, m.stage, m.measure, '_T', '_T', '_T', '_T', '_T', NULL, 'M', m.counting_rule, m.ord
  FROM measure_list m JOIN source_years s ON s.stage = m.stage
  CROSS JOIN phenomenon p
  CROSS JOIN (SELECT unnest(range(y0, y1 + 1)) AS ref_year FROM yr WHERE y0 IS NOT NULL) y
  WHERE s.year_from IS NULL OR y.ref_year < s.year_from OR y.ref_year > s.year_to)
SELECT * EXCLUDE (ord) FROM rows
ORDER BY ref_year, phenomenon, ord, sex, age_group, citizenship, district, exploitation;

CREATE TABLE canvas_new.coverage AS
WITH d AS (
  SELECT 'police' AS source, delivery_id FROM police_current
  UNION SELECT 'prosecution', delivery_id FROM prosecution_current
  UNION SELECT 'mach', delivery_id FROM mach_current)
SELECT s.source, s.stage, s.year_from, s.year_to, s.rows AS standing_rows, s.last_extract AS last_extract_date,
       count(d.delivery_id) AS deliveries,
       list(coalesce(v.name, 'delivery ' || d.delivery_id) ORDER BY d.delivery_id) FILTER (WHERE d.delivery_id IS NOT NULL) AS delivery_files,
       max(v.loaded_at) AS last_loaded_at
FROM source_years s
LEFT JOIN d ON d.source = s.source
LEFT JOIN delivery v ON v.delivery_id = d.delivery_id
GROUP BY ALL
ORDER BY s.stage;

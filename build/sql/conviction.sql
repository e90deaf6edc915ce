-- Conviction microdata (docs/counting.md), from the dedup stage's resolved tables: one row per
-- conviction and phenomenon, per offence conviction, and per person, year and phenomenon for the
-- person measures. Persons and convictions appear only as pseudonyms.

CREATE OR REPLACE TEMP TABLE conv AS
SELECT c.chain_id, c.person_key, c.district, c.notices, c.last_instance, c.orphan_appeal,
       c.final_date IS NULL AS pending,
       coalesce(c.final_date, c.judgment_date) AS ref_date,
       year(coalesce(c.final_date, c.judgment_date)) AS ref_year,
       sex_code(p.sex) AS sex,
       CASE WHEN p.birth_date IS NULL THEN '_U'
            ELSE age_group_of(completed_years(p.birth_date, coalesce(c.offence_date, c.first_judgment_date))) END AS age_group,
       citizenship_group(p.citizenship, coalesce(c.final_date, c.judgment_date)) AS citizenship,
       year(p.birth_date) AS birth_year,
       coalesce((SELECT bool_or(o.prison_unsuspended) FROM conviction_offence o WHERE o.chain_id = c.chain_id), false) AS prison_unsuspended
FROM conviction_chain c JOIN conviction_person p USING (person_key)
WHERE c.convicted
  -- the persons the canvas counts: convicted of an offence of a counted phenomenon; all their
  -- convictions (the principal offence rule looks at all of them), and no one else's
  AND c.person_key IN (
    SELECT k.person_key FROM conviction_chain k JOIN conviction_offence o USING (chain_id)
    WHERE k.convicted AND o.offence IN (SELECT code FROM offence_info WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)));

CREATE OR REPLACE TEMP TABLE conv_offence AS
SELECT o.chain_id, o.offence, i.phenomenon, i.form, i.rank, o.lines, o.victims, o.prison_unsuspended
FROM conviction_offence o JOIN offence_info i ON i.code = o.offence
WHERE o.chain_id IN (SELECT chain_id FROM conv);

-- a conviction under each phenomenon it mentions, with the forms of its offences of that phenomenon
CREATE OR REPLACE TEMP TABLE conv_phenomenon AS
SELECT c.*, o.phenomenon, o.forms
FROM conv c JOIN (
  SELECT chain_id, phenomenon, list(DISTINCT form) FILTER (WHERE form IS NOT NULL) AS forms
  FROM conv_offence WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)
  GROUP BY chain_id, phenomenon) o USING (chain_id);

CREATE TABLE canvas_new.conviction AS
SELECT cp.ref_year, cp.phenomenon, pseudonym('chain', cp.chain_id) AS conviction, pseudonym('person', cp.person_key) AS person, cp.pending,
       cp.sex, cp.age_group, cp.citizenship, cp.birth_year, cp.district, forms_of(cp.phenomenon, cp.forms) AS exploitation,
       cp.prison_unsuspended, cp.orphan_appeal, cp.notices AS decisions, cp.last_instance
FROM conv_phenomenon cp
ORDER BY 1, 2, 3;

CREATE TABLE canvas_new.offence_conviction AS
SELECT c.ref_year, o.phenomenon, pseudonym('chain', c.chain_id) AS conviction, pseudonym('person', c.person_key) AS person, c.pending, o.offence,
       forms_of(o.phenomenon, [o.form])[1] AS exploitation, o.lines, o.victims, o.prison_unsuspended,
       c.sex, c.age_group, c.citizenship, c.birth_year, c.district
FROM conv c JOIN conv_offence o USING (chain_id)
WHERE o.phenomenon IN (SELECT phenomenon FROM phenomenon)
ORDER BY 1, 2, 3, o.offence;

-- person measures: final convictions only
CREATE OR REPLACE TEMP TABLE conv_final AS SELECT * FROM conv_phenomenon WHERE NOT pending;

-- the principal offence of a person in a year: the highest-ranked offence (ties: the first code)
-- over all their convictions final that year, of any phenomenon
CREATE OR REPLACE TEMP TABLE principal AS
SELECT c.person_key, c.ref_year, o.phenomenon
FROM conv c JOIN conv_offence o USING (chain_id)
WHERE NOT c.pending
QUALIFY row_number() OVER (PARTITION BY c.person_key, c.ref_year ORDER BY o.rank DESC, o.offence) = 1;

CREATE OR REPLACE TEMP TABLE person_year AS
SELECT person_key, ref_year, phenomenon,
       any_value(sex) AS sex,
       arg_min(age_group, strftime(ref_date, '%Y-%m-%d') || chain_id) AS age_group,
       arg_min(citizenship, strftime(ref_date, '%Y-%m-%d') || chain_id) AS citizenship,
       any_value(birth_year) AS birth_year,
       list(DISTINCT district ORDER BY district) AS districts,
       forms_of(phenomenon, flatten(list(forms) FILTER (WHERE forms IS NOT NULL))) AS exploitation,
       bool_or(prison_unsuspended) AS prison_unsuspended
FROM conv_final GROUP BY person_key, ref_year, phenomenon;

CREATE TABLE canvas_new.person_conviction AS
WITH m AS (
  SELECT 'PERSONS_CONVICTED' AS measure, * FROM person_year
  UNION ALL
  SELECT 'PERSONS_CONVICTED_PRINCIPAL', y.* FROM person_year y JOIN principal p USING (person_key, ref_year, phenomenon)
  UNION ALL
  SELECT 'PERSONS_PRISON_UNSUSPENDED', * FROM person_year WHERE prison_unsuspended)
SELECT m.measure, m.ref_year, m.phenomenon, pseudonym('person', m.person_key) AS person, m.sex, m.age_group, m.citizenship,
       m.birth_year, m.districts, m.exploitation
FROM m
ORDER BY 1, 2, 3, 4;

-- Police microdata (docs/counting.md): OFFENCES_RECORDED per fact, SUSPECTS and VICTIMS per
-- person and year. Persons and facts appear only as pseudonyms.

-- The rows the canvas reads: those of the counted phenomena and the other rows of their facts (a
-- fact's year, districts and victims' forms come from all its rows); the rest of the standing
-- table (most of it: background offences) is left out here rather than carried through every
-- statement below.
CREATE OR REPLACE TEMP TABLE police_rows AS
SELECT p.fact_id, p.role, p.person_ref, p.registration_date, p.district, p.sex, p.birth_year,
       p.citizenship, p.exploitation_form, o.phenomenon, o.form AS offence_form
FROM police_current p JOIN offence_info o ON o.code = p.offence
WHERE o.phenomenon IN (SELECT phenomenon FROM phenomenon)
   OR p.fact_id IN (SELECT q.fact_id FROM police_current q
                    WHERE q.offence IN (SELECT code FROM offence_info WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)));

-- the forms a fact's victims carry: their exploitation_form and their offences' forms
CREATE OR REPLACE TEMP TABLE police_victim_form AS
SELECT DISTINCT fact_id, f FROM (
  SELECT fact_id, exploitation_form AS f FROM police_rows WHERE role = 'VICTIM'
  UNION ALL
  SELECT fact_id, offence_form FROM police_rows WHERE role = 'VICTIM')
WHERE f IS NOT NULL;

CREATE TABLE canvas_new.police_fact AS
WITH fact AS (
  SELECT fact_id, year(min(registration_date)) AS ref_year,
         list(DISTINCT district ORDER BY district) AS districts
  FROM police_rows GROUP BY fact_id),
form AS (
  SELECT fact_id, list(DISTINCT f) AS forms FROM (
    SELECT fact_id, offence_form AS f FROM police_rows WHERE offence_form IS NOT NULL
    UNION ALL SELECT fact_id, f FROM police_victim_form)
  GROUP BY fact_id),
ph AS (SELECT DISTINCT fact_id, phenomenon FROM police_rows WHERE phenomenon IN (SELECT phenomenon FROM phenomenon))
SELECT f.ref_year, ph.phenomenon, pseudonym('fact', f.fact_id) AS fact, f.districts,
       forms_of(ph.phenomenon, form.forms) AS exploitation
FROM fact f JOIN ph USING (fact_id) LEFT JOIN form USING (fact_id)
ORDER BY 1, 2, 3;

CREATE TABLE canvas_new.police_person AS
WITH r AS (
  SELECT *, year(registration_date) AS ref_year FROM police_rows
  WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)),
rep AS ( -- the representative row: latest registration, then largest record key
  SELECT role, person_ref, ref_year, phenomenon, sex, birth_year, citizenship FROM r
  QUALIFY row_number() OVER (PARTITION BY role, person_ref, ref_year, phenomenon
                             ORDER BY registration_date DESC, fact_id DESC) = 1),
dist AS (
  SELECT role, person_ref, ref_year, phenomenon, list(DISTINCT district ORDER BY district) AS districts
  FROM r GROUP BY ALL),
form AS (
  SELECT role, person_ref, ref_year, phenomenon, list(DISTINCT f) AS forms FROM (
    SELECT role, person_ref, ref_year, phenomenon, offence_form AS f FROM r WHERE offence_form IS NOT NULL
    UNION ALL
    SELECT pf.role, pf.person_ref, pf.ref_year, pf.phenomenon, v.f
    FROM (SELECT DISTINCT role, person_ref, ref_year, phenomenon, fact_id FROM r) pf
    JOIN police_victim_form v USING (fact_id))
  GROUP BY ALL)
SELECT rep.ref_year, rep.phenomenon, rep.role, pseudonym('police', rep.person_ref) AS person,
       sex_code(rep.sex) AS sex,
       age_group_of(rep.ref_year - rep.birth_year) AS age_group,
       citizenship_group(rep.citizenship, make_date(rep.ref_year, 12, 31)) AS citizenship,
       rep.birth_year, dist.districts, forms_of(rep.phenomenon, form.forms) AS exploitation
FROM rep JOIN dist USING (role, person_ref, ref_year, phenomenon)
LEFT JOIN form USING (role, person_ref, ref_year, phenomenon)
ORDER BY 1, 2, 3, 4;

-- Prosecution microdata (docs/counting.md): CASES_ENTERED and CASES_DISMISSED per case,
-- PERSONS_PROSECUTED per suspect and year. The district of a row is its office's (FED for the
-- federal prosecutor).

-- The rows the canvas reads: those of the counted phenomena and the other rows of their cases (a
-- case's years, status, districts and forms come from all its rows).
CREATE OR REPLACE TEMP TABLE prosecution_rows AS
SELECT p.case_number, p.suspect_ref, p.entry_date, p.status, p.status_date, p.sex, p.birth_year,
       p.citizenship, coalesce(nullif(f.district, ''), 'FED') AS district, o.phenomenon, o.form AS offence_form
FROM prosecution_current p
JOIN offence_info o ON o.code = p.offence
LEFT JOIN code_offices f ON f.code = p.office
WHERE o.phenomenon IN (SELECT phenomenon FROM phenomenon)
   OR p.case_number IN (SELECT q.case_number FROM prosecution_current q
                        WHERE q.offence IN (SELECT code FROM offence_info WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)));

CREATE TABLE canvas_new.prosecution_case AS
WITH c AS (
  SELECT case_number, year(min(entry_date)) AS entry_year, year(max(status_date)) AS status_year,
         bool_and(status = 'DISMISSED') AS dismissed,
         list(DISTINCT district ORDER BY district) AS districts,
         list(DISTINCT offence_form) FILTER (WHERE offence_form IS NOT NULL) AS forms
  FROM prosecution_rows GROUP BY case_number),
ph AS (SELECT DISTINCT case_number, phenomenon FROM prosecution_rows WHERE phenomenon IN (SELECT phenomenon FROM phenomenon)),
m AS (
  SELECT 'CASES_ENTERED' AS measure, entry_year AS ref_year, * FROM c
  UNION ALL
  SELECT 'CASES_DISMISSED', status_year, * FROM c WHERE dismissed)
SELECT m.measure, m.ref_year, ph.phenomenon, pseudonym('case', m.case_number) AS "case", m.districts,
       forms_of(ph.phenomenon, m.forms) AS exploitation
FROM m JOIN ph USING (case_number)
ORDER BY 1, 2, 3, 4;

CREATE TABLE canvas_new.prosecution_person AS
WITH r AS (
  SELECT *, year(status_date) AS ref_year FROM prosecution_rows
  WHERE status = 'REFERRED' AND phenomenon IN (SELECT phenomenon FROM phenomenon)),
rep AS (
  SELECT suspect_ref, ref_year, phenomenon, sex, birth_year, citizenship FROM r
  QUALIFY row_number() OVER (PARTITION BY suspect_ref, ref_year, phenomenon
                             ORDER BY status_date DESC, case_number DESC) = 1),
agg AS (
  SELECT suspect_ref, ref_year, phenomenon, list(DISTINCT district ORDER BY district) AS districts,
         list(DISTINCT offence_form) FILTER (WHERE offence_form IS NOT NULL) AS forms
  FROM r GROUP BY ALL)
SELECT rep.ref_year, rep.phenomenon, pseudonym('prosecution', rep.suspect_ref) AS person,
       sex_code(rep.sex) AS sex,
       age_group_of(rep.ref_year - rep.birth_year) AS age_group,
       citizenship_group(rep.citizenship, make_date(rep.ref_year, 12, 31)) AS citizenship,
       rep.birth_year, agg.districts, forms_of(rep.phenomenon, agg.forms) AS exploitation
FROM rep JOIN agg USING (suspect_ref, ref_year, phenomenon)
ORDER BY 1, 2, 3;

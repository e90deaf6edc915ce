-- Helpers of the canvas build, on the restricted store's connection: breakdown codes as macros
-- (canvas.md section 5, docs/counting.md) and the offence codes with their phenomenon and form.
-- The build also defines pseudonym(kind, id), the keyed pseudonym of an identifier (build.go).

CREATE OR REPLACE TEMP MACRO sex_code(s) AS CASE WHEN s IN ('M', 'F') THEN s ELSE '_U' END;

CREATE OR REPLACE TEMP MACRO age_group_of(years) AS
  CASE WHEN years IS NULL THEN '_U' WHEN years < 18 THEN 'Y_LT18' ELSE 'Y_GE18' END;

-- completed years from date b to date d
CREATE OR REPLACE TEMP MACRO completed_years(b, d) AS
  year(d) - year(b) - CASE WHEN month(d) < month(b) OR (month(d) = month(b) AND day(d) < day(b)) THEN 1 ELSE 0 END;

-- citizenship group on date d: NAT (BE), EU_OTH (EU member on d), NEU (any other valid country), _U
CREATE OR REPLACE TEMP MACRO citizenship_group(c, d) AS CASE
  WHEN c IS NULL THEN '_U'
  WHEN c = 'BE' THEN 'NAT'
  WHEN EXISTS (SELECT 1 FROM code_eu_membership e
               WHERE e.country = c AND d >= e.eu_from AND (e.eu_to IS NULL OR d <= e.eu_to)) THEN 'EU_OTH'
  WHEN EXISTS (SELECT 1 FROM code_countries k WHERE k.alpha2 = c) THEN 'NEU'
  ELSE '_U' END;

-- the exploitation breakdown of a unit of phenomenon p with forms f
CREATE OR REPLACE TEMP MACRO forms_of(p, f) AS CASE
  WHEN p = 'SMUGGLING' THEN ['_Z']
  WHEN f IS NULL OR len(list_filter(f, x -> x IS NOT NULL)) = 0 THEN ['_U']
  ELSE list_sort(list_distinct(f)) END;

CREATE OR REPLACE TEMP TABLE offence_info AS
SELECT code, phenomenon, nullif(exploitation, '') AS form, rank FROM code_offence_types;

-- the two phenomena the canvas counts
CREATE OR REPLACE TEMP TABLE phenomenon AS
SELECT * FROM (VALUES ('TRAFFICKING'), ('SMUGGLING')) t(phenomenon);

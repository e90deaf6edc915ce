-- A small but realistic shared canvas for the web tests and the docs screenshot: the tables and
-- columns the canvas build (build/) writes, filled with plausible, deterministic figures for
-- 2015-2025 (trafficking and smuggling, every measure, each breakdown one at a time), with
-- provisional years, a break in series (MACH migration, 2019), uncovered years (M) and small
-- cells that the suppression policy must hide.

CREATE TABLE measure_list AS SELECT * FROM (VALUES
  (1, 'POLICE', 'OFFENCES_RECORDED', 'ANY_MENTION', 350, 500, 0),
  (2, 'POLICE', 'SUSPECTS', 'ANY_MENTION', 420, 650, 1),
  (3, 'POLICE', 'VICTIMS', 'ANY_MENTION', 180, 25, 2),
  (4, 'PROSECUTION', 'CASES_ENTERED', 'ANY_MENTION', 300, 400, 0),
  (5, 'PROSECUTION', 'CASES_DISMISSED', 'ANY_MENTION', 120, 150, 0),
  (6, 'PROSECUTION', 'PERSONS_PROSECUTED', 'ANY_MENTION', 160, 220, 1),
  (7, 'CONVICTION', 'OFFENCE_CONVICTIONS', 'ANY_MENTION', 210, 220, 1),
  (8, 'CONVICTION', 'CONVICTIONS', 'ANY_MENTION', 150, 180, 1),
  (9, 'CONVICTION', 'PERSONS_CONVICTED', 'ANY_MENTION', 130, 160, 1),
  (10, 'CONVICTION', 'PERSONS_CONVICTED_PRINCIPAL', 'PRINCIPAL_OFFENCE', 110, 140, 1),
  (11, 'CONVICTION', 'PERSONS_PRISON_UNSUSPENDED', 'ANY_MENTION', 70, 90, 1),
  (12, 'CONVICTION', 'CONVICTIONS_PENDING', 'ANY_MENTION', 40, 50, 1)
) t(ord, stage, measure, counting_rule, base_thb, base_smu, person);

CREATE TABLE coverage AS SELECT * FROM (VALUES
  ('police', 'POLICE', 2015, 2025, 48211, DATE '2026-01-15', 11, ['police_2015_2025.csv'], TIMESTAMP '2026-01-16 02:10:00'),
  ('prosecution', 'PROSECUTION', 2016, 2025, 39877, DATE '2026-01-20', 10, ['prosecution_2026-01.xlsx'], TIMESTAMP '2026-01-21 02:10:00'),
  ('mach', 'CONVICTION', 2016, 2025, 20554, DATE '2026-02-01', 10, ['mach_2026-02.csv'], TIMESTAMP '2026-02-02 02:10:00')
) t(source, stage, year_from, year_to, standing_rows, last_extract_date, deliveries, delivery_files, last_loaded_at);

CREATE TEMP TABLE total AS
SELECT y.ref_year, p.phenomenon, m.stage, m.measure, m.counting_rule, m.ord, m.person,
       CAST(round((CASE p.phenomenon WHEN 'TRAFFICKING' THEN m.base_thb ELSE m.base_smu END)
         * (0.8 + 0.04 * (y.ref_year - 2015)) * (0.85 + 0.3 * (hash(y.ref_year, m.measure, p.phenomenon) % 1000) / 1000.0)) AS BIGINT) AS value
FROM range(2015, 2026) y(ref_year)
CROSS JOIN (VALUES ('TRAFFICKING'), ('SMUGGLING')) p(phenomenon)
CROSS JOIN measure_list m;

-- breakdown shares per category (person dimensions only for person measures)
CREATE TEMP TABLE share AS SELECT * FROM (VALUES
  ('sex', 'M', 0.70, 0.36), ('sex', 'F', 0.27, 0.61),
  ('age_group', 'Y_LT18', 0.05, 0.16), ('age_group', 'Y_GE18', 0.93, 0.82),
  ('citizenship', 'NAT', 0.31, 0.12), ('citizenship', 'EU_OTH', 0.24, 0.30), ('citizenship', 'NEU', 0.43, 0.55),
  ('district', 'ANT', 0.22, 0.22), ('district', 'BRU', 0.24, 0.24), ('district', 'LIM', 0.05, 0.05),
  ('district', 'LEU', 0.04, 0.04), ('district', 'BRW', 0.02, 0.02), ('district', 'OVL', 0.10, 0.10),
  ('district', 'WVL', 0.09, 0.09), ('district', 'LIE', 0.07, 0.07), ('district', 'LUX', 0.012, 0.012),
  ('district', 'NAM', 0.03, 0.03), ('district', 'EUP', 0.006, 0.006), ('district', 'HAI', 0.08, 0.08),
  ('district', 'FED', 0.05, 0.05),
  ('exploitation', 'SEX', 0.46, 0.46), ('exploitation', 'LAB', 0.41, 0.41), ('exploitation', 'BEG', 0.04, 0.04),
  ('exploitation', 'CRIM', 0.06, 0.06), ('exploitation', 'ORG', 0.004, 0.004), ('exploitation', 'OTH', 0.03, 0.03)
) t(dim, code, share, share_victim);

CREATE TEMP TABLE part AS
SELECT t.*, s.dim, s.code,
       CAST(round(t.value * (CASE WHEN t.measure = 'VICTIMS' THEN s.share_victim ELSE s.share END)
         * (0.9 + 0.2 * (hash(t.ref_year, t.measure, t.phenomenon, s.code) % 1000) / 1000.0)) AS BIGINT) AS part
FROM total t JOIN share s ON (s.dim IN ('sex', 'age_group', 'citizenship') AND t.person = 1)
  OR s.dim = 'district' OR (s.dim = 'exploitation' AND t.phenomenon = 'TRAFFICKING');

CREATE TEMP TABLE cell AS
SELECT ref_year, phenomenon, stage, measure, counting_rule, ord, dim, code, part AS value FROM part
UNION ALL -- unknown: the rest of a single-valued breakdown
SELECT ref_year, phenomenon, stage, measure, counting_rule, ord, dim, '_U', greatest(value - sum(part), 0)
FROM part WHERE dim IN ('sex', 'age_group', 'citizenship')
GROUP BY ref_year, phenomenon, stage, measure, counting_rule, ord, dim, value
UNION ALL
SELECT ref_year, phenomenon, stage, measure, counting_rule, ord, 'exploitation', '_Z', value
FROM total WHERE phenomenon = 'SMUGGLING';

CREATE TABLE indicator (
  ref_year INTEGER NOT NULL, phenomenon VARCHAR NOT NULL, stage VARCHAR NOT NULL, measure VARCHAR NOT NULL,
  sex VARCHAR NOT NULL, age_group VARCHAR NOT NULL, citizenship VARCHAR NOT NULL, district VARCHAR NOT NULL,
  exploitation VARCHAR NOT NULL, value BIGINT, obs_status VARCHAR NOT NULL, counting_rule VARCHAR NOT NULL);

INSERT INTO indicator
WITH rows AS (
  SELECT ref_year, phenomenon, stage, measure, '_T' AS sex, '_T' AS age_group, '_T' AS citizenship,
         '_T' AS district, '_T' AS exploitation, value, counting_rule, ord FROM total
  UNION ALL
  SELECT ref_year, phenomenon, stage, measure,
         CASE WHEN dim = 'sex' THEN code ELSE '_T' END, CASE WHEN dim = 'age_group' THEN code ELSE '_T' END,
         CASE WHEN dim = 'citizenship' THEN code ELSE '_T' END, CASE WHEN dim = 'district' THEN code ELSE '_T' END,
         CASE WHEN dim = 'exploitation' THEN code ELSE '_T' END, value, counting_rule, ord
  FROM cell WHERE value > 0)
SELECT r.ref_year, r.phenomenon, r.stage, r.measure, r.sex, r.age_group, r.citizenship, r.district, r.exploitation,
       CASE WHEN c.year_from IS NULL OR r.ref_year < c.year_from THEN NULL ELSE r.value END,
       CASE WHEN r.ref_year < c.year_from THEN 'M'
            WHEN r.ref_year = 2025 OR (r.stage = 'CONVICTION' AND r.ref_year >= 2024) THEN 'P'
            WHEN r.stage = 'CONVICTION' AND r.ref_year = 2019 THEN 'B'
            ELSE 'A' END,
       r.counting_rule
FROM rows r JOIN coverage c USING (stage)
WHERE r.ref_year >= c.year_from OR (r.sex = '_T' AND r.age_group = '_T' AND r.citizenship = '_T' AND r.district = '_T' AND r.exploitation = '_T')
ORDER BY r.ref_year, r.phenomenon, r.ord;

CREATE TABLE measure_definition AS
SELECT m.ord, m.stage, m.measure, m.counting_rule, d.* EXCLUDE (measure)
FROM measure_list m JOIN (VALUES
  ('OFFENCES_RECORDED', 'police', 'registration_date', 'Offences recorded', 'Infractions enregistrées', 'Geregistreerde misdrijven',
   'Facts recorded by the police (fact_id), counted once, in the year of their first registration.',
   'Faits enregistrés par la police (fact_id), comptés une fois, l''année de leur premier enregistrement.',
   'Door de politie geregistreerde feiten (fact_id), eenmaal geteld, in het jaar van hun eerste registratie.'),
  ('SUSPECTS', 'police', 'registration_date', 'Suspects', 'Suspects', 'Verdachten',
   'Persons recorded by the police as suspect of an offence of the phenomenon, counted once per year of registration.',
   'Personnes enregistrées par la police comme suspectes d''une infraction du phénomène, comptées une fois par année d''enregistrement.',
   'Personen die de politie registreerde als verdachte van een misdrijf van het fenomeen, eenmaal geteld per registratiejaar.'),
  ('VICTIMS', 'police', 'registration_date', 'Victims', 'Victimes', 'Slachtoffers',
   'Persons recorded by the police as victim of an offence of the phenomenon, counted once per year of registration.',
   'Personnes enregistrées par la police comme victimes d''une infraction du phénomène, comptées une fois par année d''enregistrement.',
   'Personen die de politie registreerde als slachtoffer van een misdrijf van het fenomeen, eenmaal geteld per registratiejaar.'),
  ('CASES_ENTERED', 'prosecution', 'entry_date', 'Cases entered', 'Affaires entrées', 'Ingestroomde zaken',
   'Prosecution cases (case number) entered in the year, counted once.',
   'Affaires du parquet (numéro de notice) entrées dans l''année, comptées une fois.',
   'Parketzaken (notitienummer) ingestroomd in het jaar, eenmaal geteld.'),
  ('CASES_DISMISSED', 'prosecution', 'status_date', 'Cases dismissed', 'Affaires classées sans suite', 'Geseponeerde zaken',
   'Prosecution cases whose suspects were all dismissed, in the year of the last status date.',
   'Affaires du parquet dont tous les suspects ont été classés sans suite, l''année de la dernière date d''état.',
   'Parketzaken waarvan alle verdachten geseponeerd werden, in het jaar van de laatste datum van de stand.'),
  ('PERSONS_PROSECUTED', 'prosecution', 'status_date', 'Persons prosecuted', 'Personnes poursuivies', 'Vervolgde personen',
   'Suspects referred or summoned to court in the year, counted once per year.',
   'Suspects renvoyés ou cités devant le tribunal dans l''année, comptés une fois par an.',
   'Verdachten die in het jaar naar de rechtbank verwezen of gedagvaard werden, eenmaal per jaar geteld.'),
  ('OFFENCE_CONVICTIONS', 'mach', 'final_date', 'Offence convictions', 'Condamnations par infraction', 'Veroordelingen per misdrijf',
   'Offence types within one final conviction.', 'Types d''infraction au sein d''une condamnation définitive.', 'Misdrijftypes binnen één definitieve veroordeling.'),
  ('CONVICTIONS', 'mach', 'final_date', 'Convictions', 'Condamnations', 'Veroordelingen',
   'Convictions of one person by one final decision chain, in the year it became final.',
   'Condamnations d''une personne par une chaîne de décisions définitive, l''année où elle est devenue définitive.',
   'Veroordelingen van één persoon door één definitieve beslissingsketen, in het jaar waarin ze definitief werd.'),
  ('PERSONS_CONVICTED', 'mach', 'final_date', 'Persons convicted', 'Personnes condamnées', 'Veroordeelde personen',
   'Distinct persons with a conviction of the phenomenon final in the year.',
   'Personnes distinctes ayant une condamnation du phénomène devenue définitive dans l''année.',
   'Afzonderlijke personen met een veroordeling van het fenomeen die in het jaar definitief werd.'),
  ('PERSONS_CONVICTED_PRINCIPAL', 'mach', 'final_date', 'Persons convicted (principal offence)', 'Personnes condamnées (infraction principale)', 'Veroordeelde personen (hoofdmisdrijf)',
   'Distinct persons convicted in the year, each counted once in total, under the phenomenon of their highest-ranked offence.',
   'Personnes distinctes condamnées dans l''année, chacune comptée une seule fois, sous le phénomène de leur infraction la plus grave.',
   'Afzonderlijke personen veroordeeld in het jaar, elk eenmaal geteld, onder het fenomeen van hun zwaarste misdrijf.'),
  ('PERSONS_PRISON_UNSUSPENDED', 'mach', 'final_date', 'Persons sentenced to unsuspended prison', 'Personnes condamnées à une peine de prison ferme', 'Personen veroordeeld tot een effectieve gevangenisstraf',
   'Distinct persons with a final conviction of the phenomenon that carries a prison term not (fully) suspended.',
   'Personnes distinctes ayant une condamnation définitive du phénomène comportant une peine de prison sans sursis (total).',
   'Afzonderlijke personen met een definitieve veroordeling van het fenomeen met een gevangenisstraf zonder (volledig) uitstel.'),
  ('CONVICTIONS_PENDING', 'mach', 'judgment_date', 'Convictions not final yet', 'Condamnations non définitives', 'Niet-definitieve veroordelingen',
   'Convictions whose last decision is not final yet, in the year of that decision.',
   'Condamnations dont la dernière décision n''est pas encore définitive, l''année de cette décision.',
   'Veroordelingen waarvan de laatste beslissing nog niet definitief is, in het jaar van die beslissing.')
) d(measure, source, reference_date, label_en, label_fr, label_nl, definition_en, definition_fr, definition_nl)
USING (measure)
ORDER BY m.ord;

CREATE TABLE series_note AS
SELECT row_number() OVER () AS note_id, * FROM (VALUES
  ('CONTEXT', NULL, NULL, NULL, NULL,
   'Breakdowns by district and by form of exploitation count a unit under each value it has, so they may add up to more than the total.',
   'Les ventilations par arrondissement et par forme d''exploitation comptent une unité sous chaque valeur qu''elle porte ; leur somme peut dépasser le total.',
   'Uitsplitsingen per arrondissement en per uitbuitingsvorm tellen een eenheid onder elke waarde die ze heeft; hun som kan groter zijn dan het totaal.'),
  ('BREAK', 'CONVICTION', NULL, 2019, 2019,
   'Migration of the criminal record to MACH, taking effect in 2019: duplicates are removed, but the series may break.',
   'Migration du casier judiciaire vers MACH, effective en 2019 : les doublons sont éliminés, mais la série peut présenter une rupture.',
   'Migratie van het strafregister naar MACH, van kracht in 2019: duplicaten worden verwijderd, maar de reeks kan een breuk vertonen.'),
  ('COVERAGE', 'PROSECUTION', NULL, 2015, 2015,
   'The prosecution source does not cover 2015: figures are missing (M), not zero.',
   'La source prosecution ne couvre pas 2015 : les chiffres sont manquants (M), pas nuls.',
   'De bron prosecution dekt 2015 niet: de cijfers ontbreken (M), ze zijn niet nul.'),
  ('COVERAGE', 'CONVICTION', NULL, 2015, 2015,
   'The conviction source does not cover 2015: figures are missing (M), not zero.',
   'La source conviction ne couvre pas 2015 : les chiffres sont manquants (M), pas nuls.',
   'De bron conviction dekt 2015 niet: de cijfers ontbreken (M), ze zijn niet nul.'),
  ('PROVISIONAL', 'CONVICTION', NULL, 2024, 2025,
   'Figures of 2024, 2025 are provisional (P): decisions still become final.',
   'Les chiffres de 2024, 2025 sont provisoires (P) : des décisions deviennent encore définitives.',
   'De cijfers van 2024, 2025 zijn voorlopig (P): beslissingen worden nog definitief.'),
  ('CONTEXT', 'CONVICTION', 'PERSONS_CONVICTED_PRINCIPAL', NULL, NULL,
   'Principal offence rule: each person counts once per year, under the phenomenon of their highest-ranked offence.',
   'Règle de l''infraction principale : chaque personne compte une fois par an, sous le phénomène de l''infraction la plus grave.',
   'Regel van het hoofdmisdrijf: elke persoon telt eenmaal per jaar, onder het fenomeen van het zwaarste misdrijf.')
) t(kind, stage, measure, year_from, year_to, text_en, text_fr, text_nl);

CREATE TABLE build_info AS SELECT TIMESTAMP '2026-02-02 02:14:00' AS built_at, 'canvas' AS program, 12 AS pseudonym_digits, 42 AS run_id;

CREATE TABLE code_districts AS SELECT * FROM (VALUES
  ('ANT', 'Anvers', 'Antwerpen', 'ANT'), ('LIM', 'Limbourg', 'Limburg', 'ANT'), ('BRU', 'Bruxelles', 'Brussel', 'BRU'),
  ('LEU', 'Louvain', 'Leuven', 'BRU'), ('BRW', 'Brabant wallon', 'Waals-Brabant', 'BRU'),
  ('OVL', 'Flandre orientale', 'Oost-Vlaanderen', 'GEN'), ('WVL', 'Flandre occidentale', 'West-Vlaanderen', 'GEN'),
  ('LIE', 'Liège', 'Luik', 'LIE'), ('LUX', 'Luxembourg', 'Luxemburg', 'LIE'), ('NAM', 'Namur', 'Namen', 'LIE'),
  ('EUP', 'Eupen', 'Eupen', 'LIE'), ('HAI', 'Hainaut', 'Henegouwen', 'MON')
) t(code, name_fr, name_nl, appeal_area);

CREATE TABLE code_exploitation_forms AS SELECT * FROM (VALUES
  ('SEX', '02041', 'Sexual exploitation', 'Sexual exploitation', 'SEX'), ('LAB', '02042', 'Forced labour or services', 'Forced labour', 'LAB'),
  ('ORG', '02043', 'Removal of organs', 'Removal of organs', 'OTH'), ('BEG', '02044', 'Forced begging', 'Other purposes', 'OTH'),
  ('CRIM', '02044', 'Forced criminality', 'Other purposes', 'OTH'), ('OTH', '02044', 'Other forms of exploitation', 'Other purposes', 'OTH')
) t(code, iccs, label_en, glotip_category, eurostat);

DROP TABLE measure_list;

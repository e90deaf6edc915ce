-- Qualitative context every output carries (canvas.md section 6): breaks in series, changes of
-- law, coverage gaps, and how breakdowns add up.

CREATE TABLE canvas_new.series_note AS
WITH fixed AS (
  SELECT * FROM (VALUES
    ('BREAK', NULL, NULL, 2014, 2014,
     'Judicial map reform (1 April 2014): 27 judicial districts were merged into 12; district breakdowns before and after are not comparable.',
     'Réforme du paysage judiciaire (1er avril 2014) : 27 arrondissements judiciaires ont été fusionnés en 12 ; les ventilations par arrondissement avant et après ne sont pas comparables.',
     'Hervorming van het gerechtelijk landschap (1 april 2014): 27 gerechtelijke arrondissementen werden samengevoegd tot 12; uitsplitsingen per arrondissement voor en na zijn niet vergelijkbaar.'),
    ('CONTEXT', NULL, NULL, 2026, NULL,
     'The new Criminal Code is in force from 9 April 2026: trafficking and smuggling offences were renumbered; agency codes are mapped onto the same canvas offence codes (offence_map).',
     'Le nouveau Code pénal est en vigueur depuis le 9 avril 2026 : les infractions de traite et de trafic ont été renumérotées ; les codes des partenaires sont rattachés aux mêmes codes d''infraction du canevas (offence_map).',
     'Het nieuwe Strafwetboek is van kracht sinds 9 april 2026: de misdrijven mensenhandel en mensensmokkel kregen een nieuwe nummering; de codes van de partners worden op dezelfde canvascodes afgebeeld (offence_map).'),
    ('CONTEXT', NULL, NULL, NULL, NULL,
     'Breakdowns by district and by form of exploitation count a unit under each value it has, so they may add up to more than the total (_T). A unit of trafficking without a known form counts under _U; smuggling has no form (_Z).',
     'Les ventilations par arrondissement et par forme d''exploitation comptent une unité sous chaque valeur qu''elle porte ; leur somme peut dépasser le total (_T). Une unité de traite sans forme connue compte sous _U ; le trafic n''a pas de forme (_Z).',
     'Uitsplitsingen per arrondissement en per uitbuitingsvorm tellen een eenheid onder elke waarde die ze heeft; hun som kan groter zijn dan het totaal (_T). Een eenheid mensenhandel zonder gekende vorm telt onder _U; mensensmokkel heeft geen vorm (_Z).'),
    ('CONTEXT', 'CONVICTION', NULL, NULL, NULL,
     'Conviction figures remove double counting: migration duplicates (LEGACY/MACH), one line per victim or aggravating circumstance, appeals and oppositions (the last decision of a chain decides), and one person under several identities (probabilistic linkage, reviewed by analysts). Figures of the two latest years are provisional: decisions still become final.',
     'Les chiffres de condamnations éliminent les doubles comptages : doublons de migration (LEGACY/MACH), une ligne par victime ou circonstance aggravante, appels et oppositions (la dernière décision d''une chaîne tranche), et une personne sous plusieurs identités (couplage probabiliste, revu par des analystes). Les chiffres des deux dernières années sont provisoires : des décisions deviennent encore définitives.',
     'Veroordelingscijfers verwijderen dubbeltellingen: migratieduplicaten (LEGACY/MACH), één regel per slachtoffer of verzwarende omstandigheid, hoger beroep en verzet (de laatste beslissing van een keten beslist), en één persoon onder meerdere identiteiten (probabilistische koppeling, nagekeken door analisten). De cijfers van de twee laatste jaren zijn voorlopig: beslissingen worden nog definitief.'),
    ('CONTEXT', 'CONVICTION', 'PERSONS_CONVICTED_PRINCIPAL', NULL, NULL,
     'Principal offence rule: each person counts once per year, under the phenomenon of the highest-ranked offence of all their convictions final that year.',
     'Règle de l''infraction principale : chaque personne compte une fois par an, sous le phénomène de l''infraction la plus grave de toutes ses condamnations devenues définitives cette année-là.',
     'Regel van het hoofdmisdrijf: elke persoon telt eenmaal per jaar, onder het fenomeen van het zwaarste misdrijf van al zijn veroordelingen die dat jaar definitief werden.')
  ) t(kind, stage, measure, year_from, year_to, text_en, text_fr, text_nl)),
migration AS (
  SELECT 'BREAK', 'CONVICTION', NULL, value, value,
         format('Migration of the criminal record to MACH, taking effect in {}: notices before it were migrated from the legacy system and partly re-encoded; duplicates are removed, but the series may break.', value),
         format('Migration du casier judiciaire vers MACH, effective en {} : les bulletins antérieurs ont été migrés de l''ancien système et en partie réencodés ; les doublons sont éliminés, mais la série peut présenter une rupture.', value),
         format('Migratie van het strafregister naar MACH, van kracht in {}: oudere bulletins werden uit het oude systeem gemigreerd en deels opnieuw ingevoerd; duplicaten worden verwijderd, maar de reeks kan een breuk vertonen.', value)
  FROM build_param WHERE name = 'mach_migration_year' AND value IS NOT NULL),
gaps AS (
  SELECT 'COVERAGE', i.stage, NULL, min(i.ref_year), max(i.ref_year),
         format('The {} source does not cover {}: figures are missing (M), not zero.', lower(i.stage), string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR)),
         format('La source {} ne couvre pas {} : les chiffres sont manquants (M), pas nuls.', lower(i.stage), string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR)),
         format('De bron {} dekt {} niet: de cijfers ontbreken (M), ze zijn niet nul.', lower(i.stage), string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR))
  FROM canvas_new.indicator i WHERE i.obs_status = 'M' GROUP BY i.stage),
provisional AS (
  SELECT 'PROVISIONAL', i.stage, NULL, min(i.ref_year), max(i.ref_year),
         format('Figures of {} are provisional (P): the year is not closed or later deliveries may still change them.', string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR)),
         format('Les chiffres de {} sont provisoires (P) : l''année n''est pas clôturée ou des livraisons ultérieures peuvent encore les modifier.', string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR)),
         format('De cijfers van {} zijn voorlopig (P): het jaar is niet afgesloten of latere leveringen kunnen ze nog wijzigen.', string_agg(DISTINCT i.ref_year::VARCHAR, ', ' ORDER BY i.ref_year::VARCHAR))
  FROM canvas_new.indicator i WHERE i.obs_status = 'P' GROUP BY i.stage)
SELECT row_number() OVER () AS note_id, * FROM (
  SELECT * FROM fixed UNION ALL SELECT * FROM migration UNION ALL SELECT * FROM gaps UNION ALL SELECT * FROM provisional);

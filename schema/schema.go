// Package schema declares, once, the canonical record of each source extract (the columns of
// extracts.md, their French, Dutch and English names, types and whether they are required), the
// reference code lists shipped with the program, and the version of the store layout.
//
// It sits at the start of the flow: package sources reads delivery files into records of these
// schemas, package pipeline creates the restricted store's tables from them, and every later
// stage reads those tables. Nothing here does I/O beyond reading embedded files.
package schema

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Kind is the type of a column as the contract defines it.
type Kind int

// Column kinds of the delivery contract.
const (
	Text    Kind = iota // free text, kept as delivered (trimmed)
	Date                // a calendar date: ISO, Belgian day-first forms, or an Excel serial in XLSX
	Int                 // an integer
	Decimal             // a decimal: 1234.50, 1234,50 or 1.234,50
	Enum                // one of a fixed set of values, with French and Dutch spellings accepted
	Code                // a code of a reference list (CodeList names it)
	Country             // ISO 3166-1 alpha-2 or alpha-3, stored as alpha-2
	NatNum              // Belgian national number (11 digits, may be written YY.MM.DD-SSS.CC)
	List                // a |-separated list of texts
)

func (k Kind) String() string {
	names := [...]string{"text", "date", "integer", "decimal", "enum", "code", "country", "national number", "list"}
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}

// Column is one column of a source extract.
type Column struct {
	Name     string   // canonical (English) name, also the raw-layer column name
	Aliases  []string // French and Dutch names (and other accepted spellings)
	Kind     Kind
	Required bool
	// Values maps accepted spellings (normalised with NormaliseValue) to the canonical value, for Enum.
	Values map[string]string
	// CodeList names the reference list of a Code column: "districts", "offices", "courts" or
	// "offences" (offence codes are mapped through offence_map.csv for the column's source).
	CodeList string
	// Identity marks identity data (names, national numbers, full birth dates, person ids): kept
	// in the restricted store only, never written to the shared canvas.
	Identity bool
}

// Source is the contract of one partner's extract.
type Source struct {
	Name     string   // police, prosecution, mach
	Prefixes []string // file name prefixes that name the source
	Table    string   // raw-layer table in the restricted store
	Columns  []Column
	// Key is the record key: rows with the same key are versions of one record (rule D1).
	Key []string
	// Version orders the versions of a record: the highest wins.
	Version string
	// Tombstone is the column that marks a row as deleted or cancelled, and TombstoneValue its value.
	Tombstone      string
	TombstoneValue string
}

// Column returns the column named name, and whether it exists.
func (s *Source) Column(name string) (Column, bool) {
	for _, c := range s.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Required returns the names of the required columns.
func (s *Source) Required() []string {
	var out []string
	for _, c := range s.Columns {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

func enum(pairs ...string) map[string]string {
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[NormaliseValue(pairs[i])] = pairs[i+1]
	}
	return m
}

func sexValues() map[string]string {
	return enum("M", "M", "F", "F", "X", "X", "U", "U", "H", "M", "V", "F",
		"HOMME", "M", "FEMME", "F", "MAN", "M", "VROUW", "F", "MALE", "M", "FEMALE", "F")
}

func yesNo() map[string]string {
	return enum("Y", "Y", "N", "N", "YES", "Y", "NO", "N", "O", "Y", "OUI", "Y", "NON", "N",
		"J", "Y", "JA", "Y", "NEE", "N", "1", "Y", "0", "N", "TRUE", "Y", "FALSE", "N")
}

// Police is the police extract (ANG/BNG): one row per person involved in a recorded fact.
func Police() *Source {
	return &Source{
		Name: "police", Prefixes: []string{"police_"}, Table: "raw_police",
		Key: []string{"fact_id", "role", "person_ref"}, Version: "extract_date",
		Tombstone: "deleted", TombstoneValue: "Y",
		Columns: []Column{
			{Name: "fact_id", Aliases: []string{"id_fait", "feit_id"}, Kind: Text, Required: true},
			{Name: "pv_number", Aliases: []string{"numero_pv", "pv_nummer"}, Kind: Text, Required: true},
			{Name: "registration_date", Aliases: []string{"date_enregistrement", "registratiedatum"}, Kind: Date, Required: true},
			{Name: "fact_date", Aliases: []string{"date_faits", "feitdatum"}, Kind: Date},
			{Name: "district", Aliases: []string{"arrondissement"}, Kind: Code, CodeList: "districts", Required: true},
			{Name: "police_zone", Aliases: []string{"zone_police", "politiezone"}, Kind: Text},
			{Name: "offence_code", Aliases: []string{"code_infraction", "misdrijfcode"}, Kind: Code, CodeList: "offences", Required: true},
			{Name: "role", Aliases: []string{"rol"}, Kind: Enum, Required: true, Values: enum(
				"SUSPECT", "SUSPECT", "VICTIM", "VICTIM", "VICTIME", "VICTIM", "VERDACHTE", "SUSPECT",
				"SLACHTOFFER", "VICTIM", "SUSPECTE", "SUSPECT")},
			{Name: "person_ref", Aliases: []string{"ref_personne", "persoon_ref"}, Kind: Text, Required: true, Identity: true},
			{Name: "sex", Aliases: []string{"sexe", "geslacht"}, Kind: Enum, Values: sexValues()},
			{Name: "birth_year", Aliases: []string{"annee_naissance", "geboortejaar"}, Kind: Int},
			{Name: "citizenship", Aliases: []string{"nationalite", "nationaliteit"}, Kind: Country},
			{Name: "exploitation_form", Aliases: []string{"forme_exploitation", "uitbuitingsvorm"}, Kind: Enum, Values: enum(
				"SEX", "SEX", "LAB", "LAB", "BEG", "BEG", "CRIM", "CRIM", "ORG", "ORG", "OTH", "OTH",
				"SEXUELLE", "SEX", "EXPLOITATION SEXUELLE", "SEX", "SEKSUEEL", "SEX", "SEKSUELE UITBUITING", "SEX",
				"TRAVAIL", "LAB", "ECONOMIQUE", "LAB", "ECONOMISCH", "LAB", "ARBEID", "LAB", "MENDICITE", "BEG", "BEDELARIJ", "BEG",
				"CRIMINALITE FORCEE", "CRIM", "GEDWONGEN CRIMINALITEIT", "CRIM", "ORGANES", "ORG", "ORGANEN", "ORG",
				"AUTRE", "OTH", "ANDERE", "OTH")},
			{Name: "extract_date", Aliases: []string{"date_extraction", "extractiedatum"}, Kind: Date, Required: true},
			{Name: "deleted", Aliases: []string{"supprime", "verwijderd"}, Kind: Enum, Values: yesNo()},
		},
	}
}

// Prosecution is the prosecution extract (Collège des procureurs généraux): one row per suspect in a case.
func Prosecution() *Source {
	return &Source{
		Name: "prosecution", Prefixes: []string{"prosecution_", "parquet_"}, Table: "raw_prosecution",
		Key: []string{"case_number", "suspect_ref"}, Version: "extract_date",
		Tombstone: "deleted", TombstoneValue: "Y",
		Columns: []Column{
			{Name: "case_number", Aliases: []string{"numero_notice", "notitienummer"}, Kind: Text, Required: true},
			{Name: "office", Aliases: []string{"parquet", "parket"}, Kind: Code, CodeList: "offices", Required: true},
			{Name: "entry_date", Aliases: []string{"date_entree", "datum_instroom"}, Kind: Date, Required: true},
			{Name: "prevention_code", Aliases: []string{"code_prevention", "tenlasteleggingscode"}, Kind: Code, CodeList: "offences", Required: true},
			{Name: "pv_numbers", Aliases: []string{"numeros_pv", "pv_nummers"}, Kind: List},
			{Name: "suspect_ref", Aliases: []string{"ref_suspect", "ref_verdachte"}, Kind: Text, Required: true, Identity: true},
			{Name: "sex", Aliases: []string{"sexe", "geslacht"}, Kind: Enum, Values: sexValues()},
			{Name: "birth_year", Aliases: []string{"annee_naissance", "geboortejaar"}, Kind: Int},
			{Name: "citizenship", Aliases: []string{"nationalite", "nationaliteit"}, Kind: Country},
			{Name: "status", Aliases: []string{"etat", "stand"}, Kind: Enum, Required: true, Values: enum(
				"OPEN", "OPEN", "DISMISSED", "DISMISSED", "SETTLED", "SETTLED", "INVESTIGATION", "INVESTIGATION",
				"REFERRED", "REFERRED", "JOINED", "JOINED",
				"OUVERT", "OPEN", "CLASSE", "DISMISSED", "CLASSE SANS SUITE", "DISMISSED", "TRANSACTION", "SETTLED",
				"MEDIATION", "SETTLED", "INSTRUCTION", "INVESTIGATION", "RENVOYE", "REFERRED", "CITATION", "REFERRED", "JOINT", "JOINED",
				"GESEPONEERD", "DISMISSED", "SEPONERING", "DISMISSED", "MINNELIJKE SCHIKKING", "SETTLED", "BEMIDDELING", "SETTLED",
				"GERECHTELIJK ONDERZOEK", "INVESTIGATION", "VERWEZEN", "REFERRED", "DAGVAARDING", "REFERRED", "GEVOEGD", "JOINED")},
			{Name: "dismissal_reason", Aliases: []string{"motif_classement", "seponeringsreden"}, Kind: Enum, Values: enum(
				"TECHNICAL", "TECHNICAL", "POLICY", "POLICY", "UNKNOWN_AUTHOR", "UNKNOWN_AUTHOR", "OTHER", "OTHER",
				"TECHNIQUE", "TECHNICAL", "OPPORTUNITE", "POLICY", "AUTEUR INCONNU", "UNKNOWN_AUTHOR", "AUTRE", "OTHER",
				"TECHNISCH", "TECHNICAL", "OPPORTUNITEIT", "POLICY", "DADER ONBEKEND", "UNKNOWN_AUTHOR", "ANDERE", "OTHER")},
			{Name: "status_date", Aliases: []string{"date_etat", "datum_stand"}, Kind: Date, Required: true},
			{Name: "joined_to", Aliases: []string{"joint_a", "gevoegd_bij"}, Kind: Text},
			{Name: "extract_date", Aliases: []string{"date_extraction", "extractiedatum"}, Kind: Date, Required: true},
			{Name: "deleted", Aliases: []string{"supprime", "verwijderd"}, Kind: Enum, Values: yesNo()},
		},
	}
}

// Mach is the conviction extract (criminal record, MACH and migrated LEGACY notices): one row per
// offence line of a conviction notice.
func Mach() *Source {
	return &Source{
		Name: "mach", Prefixes: []string{"mach_", "casier_"}, Table: "raw_mach",
		Key: []string{"record_id"}, Version: "record_version",
		Tombstone: "record_status", TombstoneValue: "CANCELLED",
		Columns: []Column{
			{Name: "record_id", Aliases: []string{"id_enregistrement"}, Kind: Text, Required: true},
			{Name: "record_version", Aliases: []string{"version", "versie"}, Kind: Int, Required: true},
			{Name: "record_status", Aliases: []string{"statut", "status"}, Kind: Enum, Values: enum(
				"ACTIVE", "ACTIVE", "CANCELLED", "CANCELLED", "CANCELED", "CANCELLED", "ACTIF", "ACTIVE", "ANNULE", "CANCELLED",
				"ACTIEF", "ACTIVE", "GEANNULEERD", "CANCELLED")},
			{Name: "source_system", Aliases: []string{"systeme_source", "bronsysteem"}, Kind: Enum, Values: enum(
				"MACH", "MACH", "LEGACY", "LEGACY")},
			{Name: "judgment_id", Aliases: []string{"numero_jugement", "vonnisnummer"}, Kind: Text, Required: true},
			{Name: "court", Aliases: []string{"juridiction", "rechtbank"}, Kind: Code, CodeList: "courts", Required: true},
			{Name: "judgment_date", Aliases: []string{"date_jugement", "vonnisdatum"}, Kind: Date, Required: true},
			{Name: "instance", Aliases: []string{"aanleg"}, Kind: Enum, Required: true, Values: enum(
				"FIRST", "FIRST", "APPEAL", "APPEAL", "OPPOSITION", "OPPOSITION", "CASSATION", "CASSATION",
				"PREMIERE INSTANCE", "FIRST", "APPEL", "APPEAL", "EERSTE AANLEG", "FIRST", "HOGER BEROEP", "APPEAL",
				"BEROEP", "APPEAL", "VERZET", "OPPOSITION", "CASSATIE", "CASSATION")},
			{Name: "appeal_of", Aliases: []string{"jugement_attaque", "bestreden_vonnis"}, Kind: Text},
			{Name: "decision", Aliases: []string{"beslissing"}, Kind: Enum, Required: true, Values: enum(
				"CONVICTION", "CONVICTION", "SUSPENSION", "SUSPENSION", "INTERNMENT", "INTERNMENT", "ACQUITTAL", "ACQUITTAL",
				"CONDAMNATION", "CONVICTION", "INTERNEMENT", "INTERNMENT", "ACQUITTEMENT", "ACQUITTAL",
				"VEROORDELING", "CONVICTION", "OPSCHORTING", "SUSPENSION", "INTERNERING", "INTERNMENT", "VRIJSPRAAK", "ACQUITTAL")},
			{Name: "final_date", Aliases: []string{"date_definitive", "datum_kracht_van_gewijsde"}, Kind: Date},
			{Name: "case_number", Aliases: []string{"numero_notice", "notitienummer"}, Kind: Text},
			{Name: "person_id", Aliases: []string{"id_personne", "persoon_id"}, Kind: Text, Required: true, Identity: true},
			{Name: "national_number", Aliases: []string{"numero_registre_national", "rijksregisternummer"}, Kind: NatNum, Identity: true},
			{Name: "surname", Aliases: []string{"nom", "naam"}, Kind: Text, Required: true, Identity: true},
			{Name: "given_names", Aliases: []string{"prenoms", "voornamen"}, Kind: Text, Identity: true},
			{Name: "birth_date", Aliases: []string{"date_naissance", "geboortedatum"}, Kind: Date, Identity: true},
			{Name: "birth_place", Aliases: []string{"lieu_naissance", "geboorteplaats"}, Kind: Text, Identity: true},
			{Name: "sex", Aliases: []string{"sexe", "geslacht"}, Kind: Enum, Values: sexValues()},
			{Name: "citizenship", Aliases: []string{"nationalite", "nationaliteit"}, Kind: Country},
			{Name: "offence_code", Aliases: []string{"code_infraction", "misdrijfcode"}, Kind: Code, CodeList: "offences", Required: true},
			{Name: "offence_date", Aliases: []string{"date_faits", "feitdatum"}, Kind: Date},
			{Name: "victims", Aliases: []string{"nombre_victimes", "aantal_slachtoffers"}, Kind: Int},
			{Name: "sentence_type", Aliases: []string{"type_peine", "straftype"}, Kind: Enum, Values: enum(
				"PRISON", "PRISON", "FINE", "FINE", "WORK", "WORK", "PROBATION", "PROBATION", "NONE", "NONE",
				"EMPRISONNEMENT", "PRISON", "AMENDE", "FINE", "TRAVAIL", "WORK", "PEINE DE TRAVAIL", "WORK", "PROBATION", "PROBATION", "AUCUNE", "NONE",
				"GEVANGENISSTRAF", "PRISON", "GELDBOETE", "FINE", "WERKSTRAF", "WORK", "PROBATIE", "PROBATION", "GEEN", "NONE")},
			{Name: "prison_months", Aliases: []string{"mois_prison", "maanden_gevangenis"}, Kind: Int},
			{Name: "suspended", Aliases: []string{"sursis", "uitstel"}, Kind: Enum, Values: enum(
				"N", "N", "Y", "Y", "PARTIAL", "PARTIAL", "NO", "N", "YES", "Y", "NON", "N", "OUI", "Y", "NEE", "N", "JA", "Y",
				"PARTIEL", "PARTIAL", "GEDEELTELIJK", "PARTIAL")},
			{Name: "fine_eur", Aliases: []string{"amende", "geldboete"}, Kind: Decimal},
			{Name: "extract_date", Aliases: []string{"date_extraction", "extractiedatum"}, Kind: Date},
		},
	}
}

// Sources returns the three source contracts in a fixed order.
func Sources() []*Source { return []*Source{Police(), Prosecution(), Mach()} }

// SourceByName returns the contract of a source, or nil.
func SourceByName(name string) *Source {
	for _, s := range Sources() {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// NormaliseHeader folds a header name for matching: case-insensitive, ignoring accents, spaces,
// dots, hyphens and underscores (extracts.md section 1).
func NormaliseHeader(s string) string {
	s = StripAccents(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '.', '-', '_', '\t', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormaliseValue folds an enumerated value for matching: upper case, no accents, surrounding
// space trimmed and inner runs of space collapsed to one.
func NormaliseValue(s string) string {
	s = strings.ToUpper(StripAccents(strings.TrimSpace(s)))
	return strings.Join(strings.Fields(s), " ")
}

// StripAccents removes diacritics (é -> e, ç -> c); text without non-ASCII bytes is returned as is.
func StripAccents(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			t := stripper.Get().(transform.Transformer)
			out, _, err := transform.String(t, s) // resets t first
			stripper.Put(t)
			if err != nil {
				return s
			}
			return out
		}
	}
	return s
}

// stripper holds StripAccents' transformers: a chain allocates some 12 KB of buffers, which a
// run that strips the names of millions of records would otherwise make and drop every time.
var stripper = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

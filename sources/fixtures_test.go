package sources_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/ciatteh/canvas/sources/sourcestest"
)

// update rewrites the fixtures in testdata/ (go test ./sources -run TestFixtures -update).
var update = flag.Bool("update", false, "rewrite the fixtures in testdata/")

// policeHeaders are the police columns in English, French and Dutch, as exports spell them.
var policeHeaders = map[string][]string{
	"en": {"fact_id", "pv_number", "registration_date", "fact_date", "district", "police_zone", "offence_code", "role",
		"person_ref", "sex", "birth_year", "citizenship", "exploitation_form", "extract_date", "deleted", "remark"},
	"fr": {"ID fait", "Numéro PV", "Date enregistrement", "Date faits", "Arrondissement", "Zone police", "Code infraction",
		"Rôle", "Réf. personne", "Sexe", "Année naissance", "Nationalité", "Forme exploitation", "Date extraction", "Supprimé", "Remarque"},
	"nl": {"Feit-ID", "PV-nummer", "Registratiedatum", "Feitdatum", "Arrondissement", "Politiezone", "Misdrijfcode", "Rol",
		"Persoon ref", "Geslacht", "Geboortejaar", "Nationaliteit", "Uitbuitingsvorm", "Extractiedatum", "Verwijderd", "Opmerking"},
}

// policeRows are the same four facts in each language's spellings (role, sex, deleted differ).
func policeRows(lang string) [][]string {
	word := func(en, fr, nl string) string {
		switch lang {
		case "fr":
			return fr
		case "nl":
			return nl
		}
		return en
	}
	return [][]string{
		{"F1", "PV 12/2023", "2023-01-05", "03/01/2023", "BRU", "5339", "42A1", word("VICTIM", "VICTIME", "SLACHTOFFER"),
			"P1", word("F", "F", "V"), "1990", "ROU", "SEX", "2024-01-01", "N", ""},
		{"F1", "PV 12/2023", "05.01.2023", "", "BRU", "5339", "42A1", word("SUSPECT", "SUSPECT", "VERDACHTE"),
			"P2", word("M", "H", "M"), "1985", "BE", "", "2024-01-01", "", "see; \"file\"\nline two"},
		{"F2", "PV 13/2023", "2023-02-07", "", "LIE", "", "42B0", word("SUSPECT", "SUSPECT", "VERDACHTE"),
			"Réf Hélène", "X", "", "fra", "", "2024-01-01", word("NO", "NON", "NEE"), ""},
		{"F3", "PV 14/2023", "07-02-2023", "", "ANT", "", "SMU-77BIS", word("VICTIM", "VICTIME", "SLACHTOFFER"),
			"P4", "", "2001", "SYR", "", "2024-01-01", word("Y", "OUI", "JA"), ""},
	}
}

// wantPolice is the canonical record of policeRows in every variant (lineage left out).
func wantPolice() []map[string]string {
	return []map[string]string{
		{"fact_id": "F1", "pv_number": "PV 12/2023", "registration_date": "2023-01-05", "fact_date": "2023-01-03",
			"district": "BRU", "police_zone": "5339", "offence_code": "42A1", "role": "VICTIM", "person_ref": "P1", "sex": "F",
			"birth_year": "1990", "citizenship": "RO", "exploitation_form": "SEX", "extract_date": "2024-01-01", "deleted": "N",
			"offence": "THB-433Q-SEX"},
		{"fact_id": "F1", "pv_number": "PV 12/2023", "registration_date": "2023-01-05",
			"district": "BRU", "police_zone": "5339", "offence_code": "42A1", "role": "SUSPECT", "person_ref": "P2", "sex": "M",
			"birth_year": "1985", "citizenship": "BE", "extract_date": "2024-01-01", "offence": "THB-433Q-SEX"},
		{"fact_id": "F2", "pv_number": "PV 13/2023", "registration_date": "2023-02-07",
			"district": "LIE", "offence_code": "42B0", "role": "SUSPECT", "person_ref": "Réf Hélène", "sex": "X",
			"citizenship": "FR", "extract_date": "2024-01-01", "deleted": "N", "offence": "SMU-77BIS"},
		{"fact_id": "F3", "pv_number": "PV 14/2023", "registration_date": "2023-02-07",
			"district": "ANT", "offence_code": "SMU-77BIS", "role": "VICTIM", "person_ref": "P4",
			"birth_year": "2001", "citizenship": "SY", "extract_date": "2024-01-01", "deleted": "Y", "offence": "SMU-77BIS"},
	}
}

// csvText writes rows as CSV with the delimiter and line end; quoting where needed.
func csvText(rows [][]string, delim, eol string) string {
	var b strings.Builder
	for _, r := range rows {
		for i, f := range r {
			if i > 0 {
				b.WriteString(delim)
			}
			if strings.ContainsAny(f, delim+"\"\r\n") {
				f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
			b.WriteString(f)
		}
		b.WriteString(eol)
	}
	return b.String()
}

func withHeader(h []string, rows [][]string) [][]string { return append([][]string{h}, rows...) }

// csvFixtures are the CSV fixtures of testdata/, by name.
func csvFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	en, fr, nl := policeHeaders["en"], policeHeaders["fr"], policeHeaders["nl"]
	cp1252 := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// a blank line between the data rows: not a data row
	blankBetween := func(s, eol string) string {
		i := strings.LastIndex(strings.TrimSuffix(s, eol), eol)
		return s[:i+len(eol)] + eol + s[i+len(eol):]
	}
	fx := map[string][]byte{
		"police_en_semicolon_lf.csv":     []byte(blankBetween(csvText(withHeader(en, policeRows("en")), ";", "\n"), "\n")),
		"police_fr_comma_crlf_bom.csv":   append([]byte("\xEF\xBB\xBF"), csvText(withHeader(fr, policeRows("fr")), ",", "\r\n")...),
		"police_nl_tab_cp1252_crlf.csv":  cp1252(csvText(withHeader(nl, policeRows("nl")), "\t", "\r\n")),
		"police_fr_semicolon_cp1252.csv": cp1252(csvText(withHeader(fr, policeRows("fr")), ";", "\n")),
		"police_title_block.csv": []byte("Export ANG/BNG;;;\nGénéré le 01/06/2024;;;\n\n" +
			csvText(withHeader(en, policeRows("en")), ";", "\n")),
		"header_only.csv": []byte(csvText([][]string{en}, ";", "\r\n")),
		"empty.csv":       {},
		"bad_missing_column.csv": []byte(csvText([][]string{
			{"fact_id", "pv_number", "registration_date", "role", "person_ref", "extract_date"},
			{"F1", "PV1", "2023-01-05", "VICTIM", "P1", "2024-01-01"}}, ";", "\n")),
		"police_bad_rows.csv": []byte(csvText(withHeader(en[:15], [][]string{
			{"F1", "PV1", "2023-01-05", "", "XXX", "", "42A1", "VICTIM", "P1", "", "", "", "", "2024-01-01", ""},                          // unknown district
			{"F2", "PV2", "2023-01-05", "", "BRU", "", "99Z9", "VICTIM", "P2", "", "", "", "", "2024-01-01", ""},                          // unknown offence
			{"F3", "PV3", "31/02/2023", "", "BRU", "", "42A1", "VICTIM", "P3", "", "", "", "", "2024-01-01", ""},                          // impossible date
			{"F4", "PV4", "2023-01-05", "", "BRU", "", "42A1", "WITNESS", "P4", "", "", "", "", "2024-01-01", ""},                         // unknown role
			{"F5", "PV5", "2023-01-05", "", "BRU", "", "42A1", "VICTIM", "", "", "", "", "", "2024-01-01", ""},                            // person_ref missing
			{"F6", "PV6", "2023-01-05", "", "BRU", "", "42A1", "VICTIM", "P6", "", "", "", "", "2024-01-01", "", "x"},                     // too many
			{"F7", "PV7", "2023-01-05", "", "BRU", "", "42A1", "VICTIM", "P7"},                                                            // too few
			{"F8", "PV8", "2023-01-05", "2023-99-01", "BRU", "", "42A1", "VICTIM", "P8", "Q", "19x0", "ZZ", "FOO", "2024-01-01", "MAYBE"}, // optional values bad: loaded, flagged
			{"F9", "PV9", "2023-01-05", "", "bru", "", "42a1", "victime", "P9", "", "1850", "", "", "2024-01-01", "", ""},                 // lower case, birth year before 1900, trailing empty field
		}), ";", "\n")),
		"police_unterminated_quote.csv": []byte(csvText([][]string{en[:15],
			{"F1", "PV1", "2023-01-05", "", "BRU", "", "42A1", "VICTIM", "P1", "", "", "", "", "2024-01-01", ""}}, ";", "\n") +
			"F2;\"PV2;2023-01-05;;BRU;;42A1;VICTIM;P2;;;;;2024-01-01;\n"),
		"police_wrong_source.csv": []byte(csvText([][]string{
			{"record_id", "record_version", "judgment_id", "court", "judgment_date", "instance", "decision", "person_id", "surname", "offence_code"},
			{"R1", "1", "J1", "TPI-BRU", "2023-01-05", "FIRST", "CONVICTION", "P1", "Doe", "SMU-77BIS"}}, ";", "\n")),
		"unrecognised.csv": []byte(csvText([][]string{{"name", "amount", "when"}, {"a", "1", "2023-01-01"}}, ",", "\n")),
	}
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7919 % 251)
	}
	fx["police_binary.csv"] = bin
	return fx
}

// writeXLSXFixtures writes the XLSX fixtures of testdata/: police_fr_title.xlsx (a title block,
// French headers, serial and text dates, a formula with its cached value, a second sheet) and
// police_truncated.xlsx (its first half).
func writeXLSXFixtures(t testing.TB, dir string) {
	t.Helper()
	rows := [][]any{{"Police fédérale - extraction BNG"}, {"Générée le 01/06/2024"}, nil, toAny(policeHeaders["fr"])}
	for i, r := range policeRows("fr") {
		row := toAny(r)
		row[2] = sourcestest.Serial(wantPolice()[i]["registration_date"]) // an Excel serial date
		if r[10] != "" {
			row[10] = mustAtoi(r[10])
		}
		rows = append(rows, row)
	}
	rows[4][10] = sourcestest.Formula{Expr: "1980+10", Cached: "1990"}
	p := filepath.Join(dir, "police_fr_title.xlsx")
	err := sourcestest.WriteXLSX(p, sourcestest.Sheet{Name: "Extraction", Rows: rows},
		sourcestest.Sheet{Name: "Notes", Rows: [][]any{{"nothing here"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "police_truncated.xlsx"), b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestFixtures checks that the committed CSV fixtures are what the generator writes; with
// -update it rewrites them (and the XLSX fixtures).
func TestFixtures(t *testing.T) {
	dir := "testdata"
	if *update {
		for name, b := range csvFixtures(t) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		writeXLSXFixtures(t, dir)
	}
	for name, want := range csvFixtures(t) {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run go test ./sources -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from its generator (run go test ./sources -run TestFixtures -update)", name)
		}
	}
}

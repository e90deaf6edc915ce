package synth

import (
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// Header and value languages of a delivery file.
const (
	langEN = iota
	langFR
	langNL
)

// Encodings of CSV files.
const (
	encUTF8 = iota
	encUTF8BOM
	enc1252
)

// Date styles of CSV files (and of XLSX files that write dates as text).
const (
	dateISO   = iota // 2019-03-04
	dateSlash        // 04/03/2019
	dateDash         // 04-03-2019
	dateDot          // 04.03.2019
)

func langNames() [3]string { return [...]string{"en", "fr", "nl"} }
func encNames() [3]string  { return [...]string{"utf-8", "utf-8-bom", "windows-1252"} }
func dateNames() [4]string { return [...]string{"iso", "dd/mm/yyyy", "dd-mm-yyyy", "dd.mm.yyyy"} }

// profile is how one delivery file is written.
type profile struct {
	source   string
	xlsx     bool
	lang     int
	enc      int
	delim    byte
	dates    int
	decComma bool
	crlf     bool
	alpha3   bool
	dottedNN bool
	style    int  // header style: 0 snake_case, 1 Title Words, 2 UPPER_CASE
	title    bool // XLSX: a title block above the header
	serial   bool // XLSX: dates as Excel serial numbers
	info     bool // XLSX: a notes sheet before the data sheet
	extra    bool // an unknown extra column
	perm     []int
}

// column is a canonical column with how a file localises it.
type column struct {
	name   string
	kind   schema.Kind
	values [3]map[string]string // canonical value -> spelling, per language (nil: as is)
}

func enumSpellings(col string) [3]map[string]string {
	fr := map[string]map[string]string{
		"role":             {"VICTIM": "VICTIME"},
		"sex":              {"M": "H"},
		"deleted":          {"Y": "OUI", "N": "NON"},
		"status":           {"OPEN": "OUVERT", "DISMISSED": "CLASSÉ SANS SUITE", "SETTLED": "TRANSACTION", "INVESTIGATION": "INSTRUCTION", "REFERRED": "RENVOYÉ", "JOINED": "JOINT"},
		"dismissal_reason": {"TECHNICAL": "TECHNIQUE", "POLICY": "OPPORTUNITÉ", "UNKNOWN_AUTHOR": "AUTEUR INCONNU", "OTHER": "AUTRE"},
		"record_status":    {"ACTIVE": "ACTIF", "CANCELLED": "ANNULÉ"},
		"instance":         {"FIRST": "PREMIÈRE INSTANCE", "APPEAL": "APPEL"},
		"decision":         {"CONVICTION": "CONDAMNATION", "INTERNMENT": "INTERNEMENT", "ACQUITTAL": "ACQUITTEMENT"},
		"sentence_type":    {"PRISON": "EMPRISONNEMENT", "FINE": "AMENDE", "WORK": "PEINE DE TRAVAIL", "NONE": "AUCUNE"},
		"suspended":        {"N": "NON", "Y": "OUI", "PARTIAL": "PARTIEL"},
	}
	nl := map[string]map[string]string{
		"role":             {"SUSPECT": "VERDACHTE", "VICTIM": "SLACHTOFFER"},
		"sex":              {"F": "V"},
		"deleted":          {"Y": "J"},
		"status":           {"DISMISSED": "GESEPONEERD", "SETTLED": "MINNELIJKE SCHIKKING", "INVESTIGATION": "GERECHTELIJK ONDERZOEK", "REFERRED": "DAGVAARDING", "JOINED": "GEVOEGD"},
		"dismissal_reason": {"TECHNICAL": "TECHNISCH", "POLICY": "OPPORTUNITEIT", "UNKNOWN_AUTHOR": "DADER ONBEKEND", "OTHER": "ANDERE"},
		"record_status":    {"ACTIVE": "ACTIEF", "CANCELLED": "GEANNULEERD"},
		"instance":         {"FIRST": "EERSTE AANLEG", "APPEAL": "HOGER BEROEP", "OPPOSITION": "VERZET", "CASSATION": "CASSATIE"},
		"decision":         {"CONVICTION": "VEROORDELING", "SUSPENSION": "OPSCHORTING", "INTERNMENT": "INTERNERING", "ACQUITTAL": "VRIJSPRAAK"},
		"sentence_type":    {"PRISON": "GEVANGENISSTRAF", "FINE": "GELDBOETE", "WORK": "WERKSTRAF", "PROBATION": "PROBATIE", "NONE": "GEEN"},
		"suspended":        {"N": "NEE", "Y": "JA", "PARTIAL": "GEDEELTELIJK"},
	}
	return [3]map[string]string{nil, fr[col], nl[col]}
}

func columnsOf(src *schema.Source) []column {
	out := make([]column, len(src.Columns))
	for i, c := range src.Columns {
		out[i] = column{name: c.Name, kind: c.Kind}
		if c.Kind == schema.Enum {
			out[i].values = enumSpellings(c.Name)
		}
	}
	return out
}

// headerName is the column's name in a language and style (extracts.md tables).
func headerName(c schema.Column, lang, style int) string {
	name := c.Name
	switch lang {
	case langFR:
		switch {
		case c.Name == "role":
			name = "rôle"
		case c.Name == "decision":
			name = "décision"
		case c.Name == "instance" || c.Name == "district":
			name = map[string]string{"instance": "instance", "district": "arrondissement"}[c.Name]
		case len(c.Aliases) > 0:
			name = c.Aliases[0]
		}
		for _, r := range [][2]string{{"numero", "numéro"}, {"entree", "entrée"}, {"prenoms", "prénoms"},
			{"systeme", "système"}, {"definitive", "définitive"}, {"nationalite", "nationalité"},
			{"supprime", "supprimé"}, {"etat", "état"}, {"attaque", "attaqué"}, {"annee", "année"}} {
			name = strings.Replace(name, r[0], r[1], 1)
		}
	case langNL:
		switch {
		case c.Name == "role":
			name = "rol"
		case c.Name == "instance":
			name = "aanleg"
		case c.Name == "decision":
			name = "beslissing"
		case c.Name == "district":
			name = "arrondissement"
		case len(c.Aliases) > 1:
			name = c.Aliases[1]
		}
	}
	switch style {
	case 1:
		words := strings.Split(name, "_")
		for i, w := range words {
			if w != "" {
				rs := []rune(w)
				words[i] = strings.ToUpper(string(rs[0])) + string(rs[1:])
			}
		}
		return strings.Join(words, " ")
	case 2:
		return strings.ToUpper(name)
	}
	return name
}

// rowBuf holds one row's cells in canonical form (ISO dates, dot decimals, canonical enum
// values, alpha-2 countries, 11-digit national numbers) without allocating per cell.
type rowBuf struct {
	b    []byte
	ends []int
}

func (r *rowBuf) reset() { r.b, r.ends = r.b[:0], r.ends[:0] }

func (r *rowBuf) end() { r.ends = append(r.ends, len(r.b)) }

func (r *rowBuf) s(v string) { r.b = append(r.b, v...); r.end() }

func (r *rowBuf) i(v int) {
	r.b = appendInt(r.b, v)
	r.end()
}

// iz writes v, or an empty cell for 0.
func (r *rowBuf) iz(v int) {
	if v != 0 {
		r.b = appendInt(r.b, v)
	}
	r.end()
}

// d writes a date, or an empty cell for noDay.
func (r *rowBuf) d(v day) {
	if v != noDay {
		r.b = appendISO(r.b, v)
	}
	r.end()
}

// dz writes a date, or an empty cell for 0 (used for final dates: 0 is "not final").
func (r *rowBuf) dz(v day) {
	if v != 0 && v != noDay {
		r.b = appendISO(r.b, v)
	}
	r.end()
}

// money writes cents as a decimal with two digits, or an empty cell for 0.
func (r *rowBuf) money(cents int64) {
	if cents != 0 {
		r.b = appendInt(r.b, int(cents/100))
		r.b = append(r.b, '.', byte('0'+cents%100/10), byte('0'+cents%10))
	}
	r.end()
}

func (r *rowBuf) n() int { return len(r.ends) }

func (r *rowBuf) cell(i int) []byte {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.b[start:r.ends[i]]
}

func appendInt(b []byte, v int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

func appendISO(b []byte, d day) []byte {
	y, m, dd := d.ymd()
	var t [10]byte
	put4(t[:], y)
	t[4] = '-'
	put2(t[5:], m)
	t[7] = '-'
	put2(t[8:], dd)
	return append(b, t[:]...)
}

// localise appends the canonical cell v of column c as the file writes it.
func (p *profile) localise(out []byte, c *column, v []byte, a3 map[string]string) []byte {
	if len(v) == 0 {
		return out
	}
	switch c.kind {
	case schema.Date:
		if len(v) == 10 && v[4] == '-' && p.dates != dateISO {
			sep := byte('/')
			switch p.dates {
			case dateDash:
				sep = '-'
			case dateDot:
				sep = '.'
			}
			return append(out, v[8], v[9], sep, v[5], v[6], sep, v[0], v[1], v[2], v[3])
		}
	case schema.Decimal:
		if p.decComma {
			for _, ch := range v {
				if ch == '.' {
					ch = ','
				}
				out = append(out, ch)
			}
			return out
		}
	case schema.Enum:
		if m := c.values[p.lang]; m != nil {
			if s, ok := m[string(v)]; ok {
				return append(out, s...)
			}
		}
	case schema.Country:
		if p.alpha3 {
			if s, ok := a3[string(v)]; ok {
				return append(out, s...)
			}
		}
	case schema.NatNum:
		if p.dottedNN && len(v) == 11 {
			return append(out, dottedNN(string(v))...)
		}
	}
	return append(out, v...)
}

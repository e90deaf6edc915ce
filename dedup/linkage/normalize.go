package linkage

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stripMarks holds transformers that take the diacritics off a string (see Normalize).
var stripMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Normalize returns s upper-cased, without accents or other diacritics, with every character that
// is not a letter or a digit (punctuation, hyphens, apostrophes, spaces) turned into a single
// space, and without leading or trailing spaces. "d'Hondt-Lévêque" becomes "D HONDT LEVEQUE".
// Letters that Unicode does not decompose (ß, Æ, Œ, Ø, Ł, Đ, Þ, dotless ı) are spelled out the way
// a clerk typing without them would.
func Normalize(s string) string {
	if s == "" {
		return ""
	}
	if !isASCII(s) {
		// transformers hold state: one per goroutine at a time, from a pool (transform.String
		// resets it). A new chain per call allocated its buffers every time: half a gigabyte
		// at a million lines.
		t := stripMarks.Get().(transform.Transformer)
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
		stripMarks.Put(t)
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	emit := func(str string) {
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteString(str)
	}
	for _, r := range s {
		if r == utf8.RuneError {
			pendingSpace = true
			continue
		}
		if sp, ok := spelledOut(r); ok {
			emit(sp)
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			pendingSpace = true
			continue
		}
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			if pendingSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pendingSpace = false
			b.WriteByte(byte(r))
			continue
		}
		emit(string(unicode.ToUpper(r)))
	}
	return b.String()
}

// spelledOut maps the letters that canonical decomposition leaves alone.
func spelledOut(r rune) (string, bool) {
	switch r {
	case 'ß', 'ẞ':
		return "SS", true
	case 'æ', 'Æ':
		return "AE", true
	case 'œ', 'Œ':
		return "OE", true
	case 'ø', 'Ø':
		return "O", true
	case 'ł', 'Ł':
		return "L", true
	case 'đ', 'Đ', 'ð', 'Ð':
		return "D", true
	case 'þ', 'Þ':
		return "TH", true
	case 'ı':
		return "I", true
	case 'ħ', 'Ħ':
		return "H", true
	}
	return "", false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Phonetic returns the phonetic key of one normalised name token (see [Normalize]), a consonant
// skeleton of our own. Soundex keeps four characters, so compound names such as Abdelkader and
// Abdelaziz share one code (A134); double metaphone follows English spelling and is large and
// hard to audit. Here the rules are few, each answers a transliteration variant of the
// extracts, and the tests pin each one. The rules, in order:
//   - an initial vowel (A E I O U Y) becomes "A"; any later run of vowels becomes one ".", so
//     the vowels themselves never matter (Mohamed/Muhammad, Abdel/Abdul, Yusuf/Youssef) but
//     where they stand does (Mohamed "M.H.M.T" against Mahmoud "M.HM.T");
//   - SCH, SH and CH become S; PH becomes F; TH, DH, GH, KH drop the H; ZH becomes J; DJ
//     becomes J;
//   - C becomes S before E, I or Y and K otherwise; Q becomes K, X becomes KS, Z becomes S,
//     W becomes V;
//   - H is kept at the start and after a vowel (Ahmed, Mohamed, Hamid), dropped after a
//     consonant and at the end of the token (Abdallah/Abdalla);
//   - a final D becomes T (Ahmed/Ahmet, Mehmed/Mehmet);
//   - a repeated consonant counts once (Mohammed/Mohamed, Youssef/Yusuf).
//
// Known conflations, left to the exact and Jaro-Winkler levels to tell apart: names that differ
// only in their vowels (Hassan/Hussein, Omar/Amir, Ali/Alia). Letters outside A-Z are kept as
// they are. The empty token has the empty key.
func Phonetic(token string) string {
	if token == "" {
		return ""
	}
	rs := []rune(token)
	out := make([]rune, 0, len(rs))
	add := func(r rune) {
		if len(out) > 0 && out[len(out)-1] == r {
			return
		}
		out = append(out, r)
	}
	at := func(i int) rune {
		if i < len(rs) {
			return rs[i]
		}
		return 0
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := at(i + 1)
		if isVowel(r) {
			if i == 0 {
				out = append(out, 'A')
			} else if !isVowel(rs[i-1]) {
				add('.')
			}
			continue
		}
		switch r {
		case 'S':
			if next == 'C' && at(i+2) == 'H' {
				i += 2
			} else if next == 'H' {
				i++
			}
			add('S')
		case 'C':
			switch {
			case next == 'H':
				add('S')
				i++
			case next == 'E' || next == 'I' || next == 'Y':
				add('S')
			default:
				add('K')
			}
		case 'P':
			if next == 'H' {
				add('F')
				i++
				continue
			}
			add('P')
		case 'T', 'G', 'K':
			if next == 'H' {
				i++
			}
			add(r)
		case 'Z':
			if next == 'H' {
				add('J')
				i++
				continue
			}
			add('S')
		case 'D':
			if next == 'H' {
				i++
				next = at(i + 1)
			}
			if next == 'J' {
				add('J')
				i++
				continue
			}
			if i == len(rs)-1 {
				add('T')
				continue
			}
			add('D')
		case 'Q':
			add('K')
		case 'X':
			add('K')
			add('S')
		case 'W':
			add('V')
		case 'H':
			if i == len(rs)-1 {
				continue
			}
			if i == 0 || isVowel(rs[i-1]) {
				add('H')
			}
		default:
			add(r)
		}
	}
	return string(out)
}

func isVowel(r rune) bool {
	switch r {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// nameParticles are name tokens too common to block on; they still count in comparisons.
func isParticle(tok string) bool {
	switch tok {
	case "EL", "AL", "DE", "DI", "DA", "DU", "LE", "LA", "VAN", "DER", "DEN", "VON", "BEN", "BIN", "IBN", "ABU", "OULD", "DOS", "DAS", "DEL":
		return true
	}
	return false
}

// name is a normalised name field with the forms the comparisons need, computed once per
// spelling (see interner). Forms that are equal share their bytes.
type name struct {
	norm    string   // normalised
	concat  string   // normalised without spaces: "ABDEL KADER" and "ABDELKADER" agree
	sorted  string   // tokens sorted: given names in any order
	phonKey string   // sorted, unique phonetic keys of the tokens, joined with spaces
	phonCat string   // phonetic key of concat
	block   []string // phonetic keys of the tokens in order, particles left out: for blocking
	ntok    int      // tokens
	ascii   bool     // norm is ASCII, so its length in bytes is its length in letters
}

func newName(raw string) name { return newNormalName(Normalize(raw)) }

// newNormalName returns the name of a normalised field.
func newNormalName(norm string) name {
	n := name{norm: norm}
	if n.norm == "" {
		return n
	}
	tokens := strings.Fields(n.norm)
	n.ntok = len(tokens)
	n.concat = strings.Join(tokens, "")
	sorted := slices.Clone(tokens)
	slices.Sort(sorted)
	n.sorted = strings.Join(sorted, " ")
	if n.sorted == n.norm {
		n.sorted = n.norm
	}
	phon := make([]string, 0, len(tokens))
	for _, t := range tokens {
		k := Phonetic(t)
		phon = append(phon, k)
		if !isParticle(t) {
			n.block = append(n.block, k)
		}
	}
	slices.Sort(phon)
	phon = slices.Compact(phon)
	n.phonKey = strings.Join(phon, " ")
	n.phonCat = Phonetic(n.concat)
	if n.phonCat == n.phonKey {
		n.phonCat = n.phonKey
	}
	n.ascii = isASCII(n.norm)
	return n
}

package linkage

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The synthetic population of the accuracy test and the benchmark: true persons, each written as
// several conviction person records with the identity variants of extracts.md section 4.

// Spelling groups: every entry is one name, its spellings as clerks write them.
func commonSurnames() [][]string {
	return [][]string{
		{"El Amrani", "El-Amrani", "Elamrani", "Amrani"}, {"Benali", "Ben Ali", "Ben-Ali"},
		{"Yılmaz", "Yilmaz"}, {"Kaya"}, {"Öztürk", "Ozturk"}, {"Demir"}, {"Çelik", "Celik"},
		{"Peeters"}, {"Janssens"}, {"Maes"}, {"Jacobs"}, {"Mertens"}, {"Willems"}, {"Claes"},
		{"Goossens"}, {"Wouters"}, {"De Smet", "Desmet"}, {"Dubois"}, {"Lambert"}, {"Dupont"},
		{"Martin"}, {"Simon"}, {"Laurent"}, {"Hussein", "Husein", "Hussain", "Houssein"},
		{"Abdallah", "Abdullah", "Abdalla"}, {"Haddad", "Hadad"}, {"Khalil", "Khaleel", "Chalil"},
		{"Nasser", "Naser", "Nasr"}, {"Ibrahim", "Ibrahem", "Ebrahim"}, {"Popescu"}, {"Ionescu"},
		{"Popa"}, {"Hoxha", "Hodja"}, {"Krasniqi", "Krasniki"}, {"Berisha"}, {"Tesfaye", "Tesfay"},
		{"Gebremedhin", "Gebremedin", "Ghebremedhin"}, {"Haile", "Hailé"}, {"Al-Ahmad", "Al Ahmad", "Alahmad"},
		{"Chaoui", "Shaoui"}, {"Bouzid"}, {"Tahiri"}, {"Bakkali", "Bakali"}, {"El Idrissi", "Idrissi", "Elidrissi"},
		{"Kowalski"}, {"Nowak"}, {"Nguyen"}, {"Singh"}, {"Khan"}, {"Ahmadi"}, {"Rahimi"},
		{"Mohammadi", "Mohamadi", "Muhammadi"}, {"Hosseini", "Husseini", "Hoseini"}, {"Mansour", "Mansur"},
		{"Saleh", "Salih"}, {"Othman", "Osman", "Uthman"}, {"Yousef", "Youssef", "Yusuf"}, {"Mahmoud", "Mahmud"},
		{"Al Hassan", "Alhassan", "Al-Hasan"}, {"Diallo"}, {"Traoré", "Traore"}, {"Bah"}, {"Sow"},
		{"Haidari", "Haydari"}, {"Sultani"}, {"Nazari"}, {"Karimi", "Kareemi"},
	}
}

func maleGivenNames() [][]string {
	return [][]string{
		{"Mohammed", "Mohamed", "Muhammad", "Mohamad", "Mohammad"}, {"Youssef", "Yusuf", "Youssouf", "Youcef"},
		{"Ahmed", "Ahmad", "Ahmet"}, {"Abdelkader", "Abdel Kader", "Abdulkadir"}, {"Abdelaziz", "Abdul Aziz", "Abdulaziz"},
		{"Mustafa", "Mustapha", "Moustafa"}, {"Omar", "Umar", "Omer"}, {"Hassan", "Hasan"}, {"Karim", "Kareem"},
		{"Saïd", "Said", "Saeed"}, {"Rachid", "Rashid"}, {"Khalid", "Khaled"}, {"Hamza"}, {"Ali", "Aly"},
		{"Ibrahim", "Ebrahim"}, {"Ismaïl", "Ismail", "Smail"}, {"Mehmet", "Mehmed"}, {"Jean"}, {"Pierre"},
		{"Luc"}, {"Jan"}, {"Pieter", "Peter"}, {"Marc"}, {"Ion"}, {"Andrei", "Andrej"}, {"Arben"}, {"Dawit"},
		{"Bilal"}, {"Amir", "Ameer"}, {"Tariq", "Tarik"}, {"Nabil"}, {"Samir"}, {"Walid", "Oualid"},
		{"Hicham", "Hisham"}, {"Jamal", "Djamel", "Jamel"}, {"Mourad", "Murad"}, {"Reza"}, {"Emre"},
		{"Gheorghe"}, {"Florin"}, {"Bram"}, {"Koen"}, {"Thomas"}, {"Kevin"}, {"Mamadou"}, {"Ousmane", "Usman"},
	}
}

func femaleGivenNames() [][]string {
	return [][]string{
		{"Fatima", "Fatimah", "Fatma"}, {"Aïcha", "Aicha", "Aisha"}, {"Khadija", "Khadidja", "Khadidja"},
		{"Nadia"}, {"Samira"}, {"Marie"}, {"Anna"}, {"Elena"}, {"Mariam", "Maryam", "Meryem"},
		{"Leila", "Layla", "Leyla"}, {"Yasmina", "Yasmine"}, {"Zeynep"}, {"Sara", "Sarah"}, {"Ioana"},
		{"Amina", "Aminah"}, {"Hanane", "Hanan"}, {"Souad", "Suad"}, {"Naima", "Naïma"}, {"Lotte"}, {"Sofie", "Sophie"},
		{"Mihaela"}, {"Blerta"}, {"Selam"}, {"Nour", "Noor"},
	}
}

func birthPlaces() [][]string {
	return [][]string{
		{"Casablanca"}, {"Tanger", "Tangier", "Tanja"}, {"Tétouan", "Tetouan", "Tetuan"}, {"Nador"},
		{"Oujda"}, {"Istanbul"}, {"Ankara"}, {"Alep", "Aleppo", "Halab"}, {"Damas", "Damascus"},
		{"Bagdad", "Baghdad"}, {"Kaboul", "Kabul"}, {"Asmara"}, {"Tirana"}, {"Prishtina", "Pristina"},
		{"Bucarest", "Bucharest", "Bucuresti"}, {"Bruxelles", "Brussel"}, {"Anvers", "Antwerpen"},
		{"Liège", "Luik"}, {"Gand", "Gent"}, {"Charleroi"}, {"Lagos"}, {"Tripoli"}, {"Alger", "Algiers"},
		{"Tunis"}, {"Conakry"}, {"Herat"}, {"Mossoul", "Mosul"}, {"Homs"}, {"Izmir"}, {"Constanța", "Constanta"},
	}
}

func citizenships() []string {
	return []string{"BE", "MA", "TR", "SY", "IQ", "AF", "ER", "AL", "XK", "RO", "DZ", "TN", "GN", "NG", "LY", "PL", "FR", "NL"}
}

// truthRecord is a generated record and the person it belongs to.
type truthRecord struct {
	Record
	person int
}

type person struct {
	surname          int // index in commonSurnames, or -1
	ownSurname       string
	given            [][]string // spelling groups of the given names
	sex              string
	year, month, day int
	place            []string
	citizenship      string
	number           string
}

// generate returns the records of persons true persons, each with 2 to 4 records, deterministic
// for seed.
func generate(persons int, seed uint64) []truthRecord {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	sur, male, female, places, cits := commonSurnames(), maleGivenNames(), femaleGivenNames(), birthPlaces(), citizenships()
	used := make(map[string]bool)
	var people []person
	for i := range persons {
		var p person
		if i > 0 && rng.Float64() < 0.08 {
			// A sibling of an earlier person: same surname, place and citizenship, born a few
			// years apart.
			sib := people[rng.IntN(len(people))]
			p = person{surname: sib.surname, ownSurname: sib.ownSurname, place: sib.place, citizenship: sib.citizenship}
			p.year = sib.year + 1 + rng.IntN(6)
		} else {
			if rng.Float64() < 0.6 {
				p.surname = zipf(rng, len(sur))
			} else {
				p.surname = -1
				p.ownSurname = syllableName(rng)
			}
			p.place = places[rng.IntN(len(places))]
			p.citizenship = cits[rng.IntN(len(cits))]
			p.year = 1950 + rng.IntN(56)
		}
		p.month, p.day = 1+rng.IntN(12), 1+rng.IntN(28)
		pool := male
		p.sex = "M"
		if rng.Float64() < 0.2 {
			pool, p.sex = female, "F"
		}
		p.given = append(p.given, pool[zipf(rng, len(pool))])
		if rng.Float64() < 0.3 {
			p.given = append(p.given, pool[rng.IntN(len(pool))])
		}
		for {
			n := nationalNumber(p.year, p.month, p.day, p.sex, rng.IntN(498), rng.Float64() < 0.2)
			if !used[n] {
				used[n] = true
				p.number = n
				break
			}
		}
		people = append(people, p)
	}
	var out []truthRecord
	for pi, p := range people {
		n := 2 + rng.IntN(3)
		for range n {
			out = append(out, truthRecord{Record: writeRecord(rng, &p, sur), person: pi})
		}
	}
	// IDs: unique, not in person order.
	for i := range out {
		out[i].ID = fmt.Sprintf("R%08d", (i*7919)%100_000_007)
	}
	return out
}

// zipf draws an index in [0, n) with a heavy head, so a few names are very common.
func zipf(rng *rand.Rand, n int) int {
	for {
		i := int(float64(n) * rng.Float64() * rng.Float64() * rng.Float64() * 1.5)
		if i < n {
			return i
		}
	}
}

func syllableName(rng *rand.Rand) string {
	syl := []string{"ba", "ko", "ri", "man", "del", "sa", "tu", "ven", "lo", "mir", "ka", "zan", "ber", "gi", "no", "pol", "das", "he", "rak", "ti", "vos", "el", "ur", "an"}
	var b strings.Builder
	for range 2 + rng.IntN(2) {
		b.WriteString(syl[rng.IntN(len(syl))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// nationalNumber builds a valid 11-digit number: YYMMDDSSS and check digits; BIS numbers add 40
// to the month.
func nationalNumber(y, m, d int, sex string, serial int, bis bool) string {
	sss := 2*serial + 1
	if sex == "F" {
		sss = 2*serial + 2
	}
	if bis {
		m += 40
	}
	base := (y%100)*10_000_000 + m*100_000 + d*1000 + sss
	v := base
	if y >= 2000 {
		v += 2_000_000_000
	}
	return fmt.Sprintf("%09d%02d", base, 97-v%97)
}

func pick(rng *rand.Rand, group []string, variantRate float64) string {
	if len(group) > 1 && rng.Float64() < variantRate {
		return group[1+rng.IntN(len(group)-1)]
	}
	return group[0]
}

// writeRecord writes one record of p with the identity variants of extracts.md.
func writeRecord(rng *rand.Rand, p *person, sur [][]string) Record {
	var r Record
	if p.surname >= 0 {
		r.Surname = pick(rng, sur[p.surname], 0.4)
	} else {
		r.Surname = p.ownSurname
	}
	var given []string
	for i, g := range p.given {
		if i > 0 && rng.Float64() < 0.3 {
			continue // only the first given name
		}
		given = append(given, pick(rng, g, 0.5))
	}
	if len(given) > 1 && rng.Float64() < 0.2 {
		given[0], given[1] = given[1], given[0]
	}
	r.GivenNames = strings.Join(given, " ")
	if rng.Float64() < 0.02 {
		// An alias: another surname altogether.
		if rng.Float64() < 0.5 {
			r.Surname = pick(rng, sur[rng.IntN(len(sur))], 0.3)
		} else {
			r.Surname = syllableName(rng)
		}
	}
	if rng.Float64() < 0.06 {
		r.Surname = typo(rng, r.Surname)
	}
	if rng.Float64() < 0.06 {
		r.GivenNames = typo(rng, r.GivenNames)
	}
	if rng.Float64() < 0.08 {
		r.Surname, r.GivenNames = r.GivenNames, r.Surname
	}
	if rng.Float64() < 0.05 {
		r.GivenNames = ""
	}
	y, m, d := p.year, p.month, p.day
	if rng.Float64() < 0.05 && d <= 12 {
		m, d = d, m
	}
	if rng.Float64() < 0.03 {
		switch rng.IntN(3) {
		case 0:
			y += 1 - 2*rng.IntN(2)
		case 1:
			d = 1 + rng.IntN(28)
		default:
			m = 1 + rng.IntN(12)
		}
	}
	if rng.Float64() >= 0.05 {
		r.BirthDate = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	if rng.Float64() >= 0.3 {
		r.BirthPlace = pick(rng, p.place, 0.3)
	}
	if rng.Float64() >= 0.05 {
		r.Sex = p.sex
		if rng.Float64() < 0.01 {
			r.Sex = map[string]string{"M": "F", "F": "M"}[p.sex] // a clerical error
		}
	}
	if rng.Float64() >= 0.1 {
		r.Citizenship = p.citizenship
		if rng.Float64() < 0.05 {
			r.Citizenship = "BE" // naturalised since
		}
	}
	if rng.Float64() < 0.5 {
		r.NationalNumber = p.number
	}
	if rng.Float64() < 0.4 {
		// Migrated from LEGACY: capitals without accents.
		r.Surname, r.GivenNames, r.BirthPlace = legacy(r.Surname), legacy(r.GivenNames), legacy(r.BirthPlace)
	}
	return r
}

func typo(rng *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(rs)-2)
	switch rng.IntN(3) {
	case 0:
		return string(append(rs[:i:i], rs[i+1:]...))
	case 1:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	default:
		rs[i] = rune('a' + rng.IntN(26))
	}
	return string(rs)
}

func legacy(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToUpper(strings.ReplaceAll(out, "ı", "i"))
}

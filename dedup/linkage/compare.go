package linkage

import (
	"strconv"
	"strings"
	"unsafe"
)

// Level is the agreement level of one field of a pair of records.
type Level string

// The comparison levels. Which levels a field uses is listed by [FieldLevels].
const (
	LevelMissing     Level = "missing"   // the value is missing on either side: weight 0
	LevelExact       Level = "exact"     // normalised values equal
	LevelJaroWinkler Level = "jw"        // Jaro-Winkler similarity at least Config.JaroWinklerMin
	LevelPhonetic    Level = "phonetic"  // phonetic keys equal (names)
	LevelSubset      Level = "subset"    // one name's tokens are among the other's, phonetically
	LevelSwapped     Level = "swapped"   // birth date with day and month swapped
	LevelPartial     Level = "partial"   // birth date: same year and same day or same month
	LevelDayMonth    Level = "day-month" // birth date: same day and month, another year
	LevelAgree       Level = "agree"     // equal (sex, citizenship)
	LevelDiffer      Level = "differ"    // none of the above
)

// The compared fields, in the order of [Comparison.Fields] and [Params.Fields].
const (
	FieldSurname     = "surname"
	FieldGivenNames  = "given_names"
	FieldBirthDate   = "birth_date"
	FieldBirthPlace  = "birth_place"
	FieldSex         = "sex"
	FieldCitizenship = "citizenship"
)

const (
	fSurname = iota
	fGiven
	fBirthDate
	fBirthPlace
	fSex
	fCitizenship
	numFields
)

func fieldName(f int) string {
	switch f {
	case fSurname:
		return FieldSurname
	case fGiven:
		return FieldGivenNames
	case fBirthDate:
		return FieldBirthDate
	case fBirthPlace:
		return FieldBirthPlace
	case fSex:
		return FieldSex
	default:
		return FieldCitizenship
	}
}

// FieldLevels returns the levels of a field (one of the Field constants), from the strongest
// agreement to "differ", after "missing". It returns nil for an unknown field.
func FieldLevels(field string) []Level {
	for f := range numFields {
		if fieldName(f) == field {
			return levelsOf(f)
		}
	}
	return nil
}

// levelsOf returns the levels of field f; index 0 is always LevelMissing, so a level index of a
// comparison vector is an index into this slice.
func levelsOf(f int) []Level {
	switch f {
	case fSurname, fGiven:
		return []Level{LevelMissing, LevelExact, LevelJaroWinkler, LevelPhonetic, LevelSubset, LevelDiffer}
	case fBirthDate:
		return []Level{LevelMissing, LevelExact, LevelSwapped, LevelPartial, LevelDayMonth, LevelDiffer}
	case fBirthPlace:
		return []Level{LevelMissing, LevelExact, LevelJaroWinkler, LevelDiffer}
	default:
		return []Level{LevelMissing, LevelAgree, LevelDiffer}
	}
}

// levelTable holds levelsOf of every field, for the hot paths that must not allocate.
var levelTable = func() (t [numFields][]Level) {
	for f := range numFields {
		t[f] = levelsOf(f)
	}
	return t
}()

// Level indexes of the name fields, shared by surname and given names.
const (
	nameExact    = 1
	nameJW       = 2
	namePhonetic = 3
	nameSubset   = 4
	nameDiffer   = 5
)

// Level indexes of the birth date.
const (
	dateExact    = 1
	dateSwapped  = 2
	datePartial  = 3
	dateDayMonth = 4
	dateDiffer   = 5
)

// Level indexes of birth place, sex and citizenship.
const (
	placeExact  = 1
	placeJW     = 2
	placeDiffer = 3
	agree       = 1
	differ      = 2
)

// prepared is a record in the forms comparison and blocking need. Names are shared by the
// records that spell them alike (see interner), and the strings refer to the caller's records
// or to interned values, so that a prepared record is small.
type prepared struct {
	id         string
	nn         string
	surname    *name
	given      *name
	place      string
	cit        string
	year       int16 // 0 when the birth date is missing or unreadable
	month, day uint8
	sex        byte // 'M', 'F' or 0
}

// maxFieldLen caps the bytes of a name or place that are compared: no real name is longer, and
// Jaro-Winkler costs the product of the two lengths, so a cell of garbage must not stall a run.
const maxFieldLen = 160

func clip(s string) string {
	if len(s) > maxFieldLen {
		return s[:maxFieldLen]
	}
	return s
}

// interner shares the prepared forms of names, places and citizenships among the records of one
// call to Link: a name is normalised and keyed once however many records carry it. A nil
// interner shares nothing.
type interner struct {
	raw   map[string]*name  // by the clipped field as written
	norm  map[string]*name  // by the normalised name
	strs  map[string]string // normalised place or citizenship by the clipped value as written
	empty *name
}

func newInterner() *interner {
	return &interner{raw: map[string]*name{}, norm: map[string]*name{}, strs: map[string]string{}, empty: &name{}}
}

func (in *interner) name(raw string) *name {
	raw = clip(raw)
	if in == nil {
		n := newName(raw)
		return &n
	}
	if raw == "" {
		return in.empty
	}
	if n, ok := in.raw[raw]; ok {
		return n
	}
	norm := Normalize(raw)
	n, ok := in.norm[norm]
	if !ok {
		nn := newNormalName(norm)
		n = &nn
		in.norm[norm] = n
	}
	in.raw[raw] = n
	return n
}

func (in *interner) normalize(raw string) string {
	raw = clip(raw)
	if in == nil {
		return Normalize(raw)
	}
	if s, ok := in.strs[raw]; ok {
		return s
	}
	s := Normalize(raw)
	in.strs[raw] = s
	return s
}

func prepare(r Record) prepared { return prepareWith(r, nil) }

func prepareWith(r Record, in *interner) prepared {
	p := prepared{
		id:      r.ID,
		nn:      r.NationalNumber,
		surname: in.name(r.Surname),
		given:   in.name(r.GivenNames),
		place:   in.normalize(r.BirthPlace),
		cit:     in.normalize(r.Citizenship),
	}
	y, m, d := parseDate(r.BirthDate)
	p.year, p.month, p.day = int16(y), uint8(m), uint8(d)
	p.sex = sexOf(r.Sex)
	p.fromNationalNumber()
	return p
}

// nameField returns the surname (f == fSurname) or given names, or the other one when swapped.
func (p *prepared) nameField(f int, swapped bool) *name {
	if (f == fSurname) != swapped {
		return p.surname
	}
	return p.given
}

// fromNationalNumber fills a missing birth date and sex from the national number, which encodes
// them: YYMMDD, the century told by the check digits, BIS numbers adding 20 (sex unknown) or 40
// to the month, and an odd serial for men.
func (p *prepared) fromNationalNumber() {
	nn := p.nn
	if len(nn) != 11 {
		return
	}
	base, err1 := strconv.Atoi(nn[:9])
	cc, err2 := strconv.Atoi(nn[9:])
	if err1 != nil || err2 != nil {
		return
	}
	century := 0
	switch {
	case 97-base%97 == cc:
		century = 1900
	case 97-(2_000_000_000+base)%97 == cc:
		century = 2000
	default:
		return
	}
	yy, mm, dd, serial := base/10_000_000, base/100_000%100, base/1000%100, base%1000
	sexKnown := true
	switch {
	case mm >= 40:
		mm -= 40
	case mm >= 20:
		mm -= 20
		sexKnown = false
	}
	if p.year == 0 && mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31 {
		p.year, p.month, p.day = int16(century+yy), uint8(mm), uint8(dd)
	}
	if p.sex == 0 && sexKnown && serial > 0 {
		p.sex = 'F'
		if serial%2 == 1 {
			p.sex = 'M'
		}
	}
}

// parseDate reads "YYYY-MM-DD"; anything else, or an impossible month or day, is missing.
func parseDate(s string) (y, m, d int) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0
	}
	y, err1 := strconv.Atoi(s[0:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0
	}
	return y, m, d
}

// vector holds a pair's level index per field.
type vector struct {
	lv      [numFields]uint8
	swapped bool // surname and given names compared crosswise
}

// pattern packs the levels into one integer, 4 bits a field, for EM.
func (v vector) pattern() uint32 {
	var p uint32
	for f := range numFields {
		p |= uint32(v.lv[f]) << (4 * f)
	}
	return p
}

func levelAt(p uint32, f int) int { return int(p>>(4*f)) & 0xF }

// packedVector is a vector in 16 bits, as the candidate pairs hold it: 3 bits for each name
// field and the birth date (6 levels), 2 bits for each other field (at most 4 levels), and the
// swap.
type packedVector uint16

var packShift = [numFields]uint{0, 3, 6, 9, 11, 13}

func (v vector) pack() packedVector {
	var p packedVector
	for f := range numFields {
		p |= packedVector(v.lv[f]) << packShift[f]
	}
	if v.swapped {
		p |= 1 << 15
	}
	return p
}

func (p packedVector) unpack() vector {
	var v vector
	for f := range numFields {
		mask := packedVector(7)
		if f > fBirthDate {
			mask = 3
		}
		v.lv[f] = uint8(p >> packShift[f] & mask)
	}
	v.swapped = p&(1<<15) != 0
	return v
}

// comparer compares prepared records.
type comparer struct {
	jwMin float64
}

// similar reports whether JaroWinkler(a, b) >= c.jwMin. It skips the computation when the
// lengths alone rule it out: Jaro is at most (2 + shorter/longer) / 3, and the Winkler prefix
// bonus closes at most 40% of the remaining gap.
func (c comparer) similar(a, b string, ascii bool) bool {
	if ascii {
		short, long := min(len(a), len(b)), max(len(a), len(b))
		jaroMin := (c.jwMin - 0.4) / 0.6
		if long == 0 || float64(short)/float64(long) < 3*jaroMin-2 {
			return false
		}
	}
	return JaroWinkler(a, b) >= c.jwMin
}

// compare compares two records. It is symmetric: the record with the smaller ID always plays a,
// which matters only when names are compared crosswise (surname is then a's surname against b's
// given names).
func (c comparer) compare(a, b *prepared) vector { return c.compareCached(a, b, nil) }

// compareCache remembers the levels of recent name and place comparisons. Names and places are
// shared by the records that spell them alike (see interner), and the candidate pairs of one
// record meet the same common names again and again, so a small table keyed by the names'
// addresses saves most Jaro-Winkler computations. It only saves work: a level is a function of
// the two values.
type compareCache struct {
	names  [1 << 12]nameLevel
	places [1 << 10]placeLevel
}

type nameLevel struct {
	a, b *name
	lv   uint8
}

type placeLevel struct {
	a, b   *byte // the places' bytes, with their lengths
	la, lb int32
	lv     uint8
}

func slot(a, b unsafe.Pointer, size int) int {
	return int(mix64(uint64(uintptr(a))*0x9e3779b97f4a7c15^uint64(uintptr(b))) & uint64(size-1))
}

func (c comparer) name(a, b *name, cc *compareCache) uint8 {
	if cc == nil {
		return c.compareName(a, b)
	}
	e := &cc.names[slot(unsafe.Pointer(a), unsafe.Pointer(b), len(cc.names))]
	if e.a != a || e.b != b {
		*e = nameLevel{a, b, c.compareName(a, b)}
	}
	return e.lv
}

func (c comparer) place(a, b string, cc *compareCache) uint8 {
	if cc == nil || a == "" || b == "" {
		return c.comparePlace(a, b)
	}
	pa, pb := unsafe.StringData(a), unsafe.StringData(b)
	e := &cc.places[slot(unsafe.Pointer(pa), unsafe.Pointer(pb), len(cc.places))]
	if e.a != pa || e.b != pb || int(e.la) != len(a) || int(e.lb) != len(b) {
		*e = placeLevel{pa, pb, int32(len(a)), int32(len(b)), c.comparePlace(a, b)}
	}
	return e.lv
}

// compareCached is compare with a cache, which may be nil; a cache serves one goroutine.
func (c comparer) compareCached(a, b *prepared, cc *compareCache) vector {
	a, b = inIDOrder(a, b)
	return c.compareOrdered(a, b, cc)
}

// inIDOrder returns the two records with the smaller ID first: the order in which a pair is
// compared and weighed.
func inIDOrder(a, b *prepared) (*prepared, *prepared) {
	if a.id > b.id {
		return b, a
	}
	return a, b
}

// compareOrdered is compareCached for a caller that knows that a's ID is the smaller (Link's
// records are in ID order, and a candidate pair's first index is the smaller). Reading the two
// IDs to order them costs two cache misses per pair, which at millions of records took more
// time than the comparison itself.
func (c comparer) compareOrdered(a, b *prepared, cc *compareCache) vector {
	var v vector
	straightS := c.name(a.surname, b.surname, cc)
	straightG := c.name(a.given, b.given, cc)
	v.lv[fSurname], v.lv[fGiven] = straightS, straightG
	if straightS != nameExact || straightG != nameExact {
		crossS := c.name(a.surname, b.given, cc)
		crossG := c.name(a.given, b.surname, cc)
		if nameQuality(crossS)+nameQuality(crossG) > nameQuality(straightS)+nameQuality(straightG) {
			v.lv[fSurname], v.lv[fGiven] = crossS, crossG
			v.swapped = true
		}
	}
	v.lv[fBirthDate] = compareDate(a, b)
	v.lv[fBirthPlace] = c.place(a.place, b.place, cc)
	v.lv[fSex] = compareEqual(string(rune(a.sex)), string(rune(b.sex)), a.sex == 0 || b.sex == 0)
	v.lv[fCitizenship] = compareEqual(a.cit, b.cit, a.cit == "" || b.cit == "")
	return v
}

// nameQuality ranks name levels to choose between straight and swapped order; missing ranks
// between a partial agreement and a disagreement so that a swap must show positive evidence.
func nameQuality(l uint8) int {
	switch l {
	case nameExact:
		return 5
	case nameJW:
		return 4
	case namePhonetic:
		return 3
	case nameSubset:
		return 2
	case lvMissing:
		return 1
	}
	return 0
}

// lvMissing is the level index of a missing value in every field.
const lvMissing = 0

func (c comparer) compareName(a, b *name) uint8 {
	if a.norm == "" || b.norm == "" {
		return lvMissing
	}
	if a.norm == b.norm || a.concat == b.concat || a.sorted == b.sorted {
		return nameExact
	}
	ascii := a.ascii && b.ascii
	if c.similar(a.norm, b.norm, ascii) ||
		(a.ntok+b.ntok > 2 && (c.similar(a.sorted, b.sorted, ascii) || c.similar(a.concat, b.concat, ascii))) {
		return nameJW
	}
	if a.phonKey == b.phonKey || a.phonCat == b.phonCat {
		return namePhonetic
	}
	if subset(a.phonKey, b.phonKey) || subset(b.phonKey, a.phonKey) {
		return nameSubset
	}
	return nameDiffer
}

// subset reports whether every key of small is in big (both phonetic keys joined with spaces,
// sorted, unique) and small holds at least one key of more than one letter, so that a lone
// initial does not count.
func subset(small, big string) bool {
	if small == "" || strings.Count(small, " ") > strings.Count(big, " ") {
		return false
	}
	long := false
	var b string
	have := false // b holds the current key of big
	for small != "" {
		var s string
		s, small, _ = strings.Cut(small, " ")
		for {
			if !have {
				if big == "" {
					return false
				}
				b, big, _ = strings.Cut(big, " ")
				have = true
			}
			if b >= s {
				break
			}
			have = false
		}
		if b != s {
			return false
		}
		if len(s) > 1 {
			long = true
		}
	}
	return long
}

func compareDate(a, b *prepared) uint8 {
	switch {
	case a.year == 0 || b.year == 0:
		return lvMissing
	case a.year == b.year && a.month == b.month && a.day == b.day:
		return dateExact
	case a.year == b.year && a.month == b.day && a.day == b.month:
		return dateSwapped
	case a.year == b.year && (a.month == b.month || a.day == b.day):
		return datePartial
	case a.month == b.month && a.day == b.day:
		return dateDayMonth
	}
	return dateDiffer
}

func (c comparer) comparePlace(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return lvMissing
	case a == b:
		return placeExact
	case c.similar(a, b, isASCII(a) && isASCII(b)):
		return placeJW
	}
	return placeDiffer
}

func compareEqual(a, b string, missing bool) uint8 {
	switch {
	case missing:
		return lvMissing
	case a == b:
		return agree
	}
	return differ
}

package sources

import (
	"math"
	"strconv"
	"strings"
)

// Value parsers of the delivery contract (extracts.md section 1). They work on trimmed text and
// never allocate on the common forms: a million-line delivery calls them tens of millions of times.

// Years outside this range are not dates of this domain: the value is unparseable.
const (
	minYear = 1900
	maxYear = 2100
)

// ParseDate reads a contract date: YYYY-MM-DD, or day first DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY
// (one-digit day and month accepted). When serial is true (an XLSX cell) a plain number is an Excel
// serial date of the 1900 date system (date1904: the 1904 system); a time part (fraction) is
// ignored. It returns the date as days since 1970-01-01 (Arrow date32). Years outside 1900-2100
// are unparseable.
func ParseDate(s string, serial, date1904 bool) (int32, bool) {
	n := len(s)
	if n == 0 {
		return 0, false
	}
	if serial && isSerial(s) {
		return excelSerial(s, date1904)
	}
	// A text date may carry a midnight time part from an export ("2023-01-05 00:00:00",
	// "2023-01-05T00:00:00"): the date part decides.
	if n > 10 {
		for i := 8; i <= 10; i++ {
			if s[i] == ' ' || s[i] == 'T' {
				s, n = s[:i], i
				break
			}
		}
	}
	if n == 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		if !ok1 || !ok2 || !ok3 {
			return 0, false
		}
		return civilDays(y, m, d)
	}
	// day first: D[D] sep M[M] sep YYYY, the same separator twice
	i := 0
	for i < n && i < 3 && isDigit(s[i]) {
		i++
	}
	if i == 0 || i > 2 || i >= n {
		return 0, false
	}
	sep := s[i]
	if sep != '/' && sep != '-' && sep != '.' {
		return 0, false
	}
	d, _ := digits(s[:i])
	j := i + 1
	k := j
	for k < n && k < j+3 && isDigit(s[k]) {
		k++
	}
	if k == j || k-j > 2 || k >= n || s[k] != sep {
		return 0, false
	}
	m, _ := digits(s[j:k])
	rest := s[k+1:]
	if len(rest) != 4 {
		return 0, false
	}
	y, ok := digits(rest)
	if !ok {
		return 0, false
	}
	return civilDays(y, m, d)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits parses a short run of ASCII digits.
func digits(s string) (int, bool) {
	if len(s) == 0 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func isSerial(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// excelSerial converts an Excel serial day number. In the 1900 system serial 1 is 1900-01-01 and
// serial 60 is the non-existent 1900-02-29 (Lotus 1-2-3's leap-year bug, kept by Excel), so
// serials from 61 on count from 1899-12-30.
func excelSerial(s string, date1904 bool) (int32, bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 7 {
		return 0, false
	}
	v, ok := digits(s)
	if !ok {
		return 0, false
	}
	var base int32 // days since 1970-01-01 of serial 0
	switch {
	case date1904:
		base = -24107 // 1904-01-01
	case v == 60:
		return 0, false
	case v < 60:
		base = -25568 // 1899-12-31
	default:
		base = -25569 // 1899-12-30
	}
	days := base + int32(v)
	y, _, _ := civilFromDays(days)
	if y < minYear || y > maxYear {
		return 0, false
	}
	return days, true
}

// civilDays returns days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm),
// refusing impossible dates and years outside 1900-2100.
func civilDays(y, m, d int) (int32, bool) {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468), true
}

// civilFromDays is the inverse of civilDays.
func civilFromDays(z int32) (y, m, d int) {
	zz := int(z) + 719468
	era := zz / 146097
	if zz < 0 && zz%146097 != 0 {
		era = (zz - 146096) / 146097
	}
	doe := zz - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// FormatDate writes days since 1970-01-01 as YYYY-MM-DD.
func FormatDate(days int32) string {
	y, m, d := civilFromDays(days)
	b := make([]byte, 0, 10)
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, m, 2)
	b = append(b, '-')
	return string(appendPad(b, d, 2))
}

func appendPad(b []byte, v, width int) []byte {
	var tmp [8]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// ParseInt reads an integer: optional sign and digits. When serial is true (an XLSX cell) a
// number with a zero fraction ("12.0") is accepted, since spreadsheets store every number as a
// float.
func ParseInt(s string, serial bool) (int64, bool) {
	if serial {
		if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
			s = s[:i]
		}
	}
	n := len(s)
	if n == 0 || n > 19 {
		return 0, false
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	var v int64
	for ; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseDecimal reads a decimal in the spellings Belgian exports use:
//
//	1234.50   1234,50   1.234,50   1,234.50   1 234,50   -12   1.234.567   1,234,567
//
// When both '.' and ',' occur, the last one is the decimal separator and the other groups
// thousands (groups of three digits). With a single kind of separator occurring once, it is the
// decimal separator (Belgian convention: "1,234" is 1.234, and so is "1.234"); occurring more
// than once, it groups thousands. Spaces (also non-breaking) group thousands. Anything else, NaN
// and infinities are unparseable.
func ParseDecimal(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	if f, ok := simpleDecimal(s); ok {
		return f, true
	}
	var buf [64]byte
	b := buf[:0]
	nDot, nComma := strings.Count(s, "."), strings.Count(s, ",")
	var dec byte // the decimal separator, 0: none
	switch {
	case nDot > 0 && nComma > 0:
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			if nDot > 1 {
				return 0, false
			}
			dec = '.'
		} else {
			if nComma > 1 {
				return 0, false
			}
			dec = ','
		}
	case nDot == 1:
		dec = '.'
	case nComma == 1:
		dec = ','
	}
	seenDigit, seenDec := false, false
	group := -1 // digits since the last thousands separator, -1: none seen
	intDigits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			b = append(b, c)
			seenDigit = true
			if !seenDec {
				intDigits++
				if group >= 0 {
					group++
				}
			}
		case (c == '-' || c == '+') && i == 0:
			if c == '-' {
				b = append(b, c)
			}
		case c == dec && !seenDec:
			if group >= 0 && group != 3 {
				return 0, false
			}
			b = append(b, '.')
			seenDec = true
		case (c == '.' || c == ',' || c == ' ') && !seenDec:
			// thousands separator: after 1-3 leading digits, then groups of exactly three
			if intDigits == 0 || (group < 0 && intDigits > 3) || (group >= 0 && group != 3) {
				return 0, false
			}
			group = 0
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 && !seenDec: // NBSP
			if intDigits == 0 || (group < 0 && intDigits > 3) || (group >= 0 && group != 3) {
				return 0, false
			}
			group = 0
			i++
		default:
			return 0, false
		}
	}
	if !seenDigit || (!seenDec && group >= 0 && group != 3) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// pow10 are the exact powers of ten used by simpleDecimal.
func pow10(n int) float64 {
	p := 1.0
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// simpleDecimal is the fast path of ParseDecimal: optional '-', at most 15 digits, at most one
// '.' or ',' followed by 1-6 digits. Dividing two exact integers is correctly rounded, like
// strconv.ParseFloat, so both give the same float.
func simpleDecimal(s string) (float64, bool) {
	i, neg := 0, false
	if s[0] == '-' {
		neg, i = true, 1
	}
	var mant int64
	nd, frac := 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + int64(c-'0')
			nd++
			if frac >= 0 {
				frac++
			}
		case (c == '.' || c == ',') && frac < 0 && nd > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if nd == 0 || nd > 15 || frac == 0 || frac > 6 {
		return 0, false
	}
	f := float64(mant)
	if frac > 0 {
		f /= pow10(frac)
	}
	if neg {
		f = -f
	}
	return f, true
}

// National number problems, as written into data-quality flags.
const (
	natNumLength = "not 11 digits"
	natNumCheck  = "invalid check digits"
	natNumDate   = "impossible birth date part"
)

// ParseNatNum reads a Belgian national number (or BIS number): '.', '-', '/' and spaces are
// stripped; 11 digits YYMMDDSSSCC remain, with CC = 97 - (YYMMDDSSS mod 97) for births before
// 2000, or 97 - ((2000000000 + YYMMDDSSS) mod 97) from 2000 on. The month may be 0 (unknown) or
// carry +20 or +40 (BIS numbers); the day may be 0 (unknown). It returns the 11 digits, the
// century the check digits imply (1900 or 2000), or a problem.
func ParseNatNum(s string) (digits11 string, century int, problem string) {
	var buf [11]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if n == len(buf) {
				return "", 0, natNumLength
			}
			buf[n] = c
			n++
		case c == '.' || c == '-' || c == ' ' || c == '/':
		default:
			return "", 0, natNumLength
		}
	}
	if n != 11 {
		return "", 0, natNumLength
	}
	var base, cc int64
	for i := 0; i < 9; i++ {
		base = base*10 + int64(buf[i]-'0')
	}
	cc = int64(buf[9]-'0')*10 + int64(buf[10]-'0')
	switch {
	case 97-base%97 == cc:
		century = 1900
	case 97-(2000000000+base)%97 == cc:
		century = 2000
	default:
		return "", 0, natNumCheck
	}
	m := int(buf[2]-'0')*10 + int(buf[3]-'0')
	d := int(buf[4]-'0')*10 + int(buf[5]-'0')
	if m >= 40 {
		m -= 40
	} else if m >= 20 {
		m -= 20
	}
	if m > 12 || d > 31 {
		return "", 0, natNumDate
	}
	if len(s) == 11 {
		return s, century, "" // already the bare digits: no copy
	}
	return string(buf[:]), century, ""
}

// natNumBirth returns the birth date part of a valid national number: year, month (0: unknown)
// and day (0: unknown).
func natNumBirth(nn string, century int) (y, m, d int) {
	y = century + int(nn[0]-'0')*10 + int(nn[1]-'0')
	m = int(nn[2]-'0')*10 + int(nn[3]-'0')
	d = int(nn[4]-'0')*10 + int(nn[5]-'0')
	if m >= 40 {
		m -= 40
	} else if m >= 20 {
		m -= 20
	}
	return y, m, d
}

// NatNumMatchesBirth reports whether a valid national number (11 digits, with the century its
// check digits imply) agrees with a birth date (days since 1970-01-01); unknown month or day parts
// (00) agree with anything.
func NatNumMatchesBirth(nn string, century int, birth int32) bool {
	y, m, d := natNumBirth(nn, century)
	by, bm, bd := civilFromDays(birth)
	return y == by && (m == 0 || m == bm) && (d == 0 || d == bd)
}

// CenturyOf returns the century (1900 or 2000) the check digits of a valid 11-digit national
// number imply, or 0.
func CenturyOf(nn string) int {
	_, c, p := ParseNatNum(nn)
	if p != "" {
		return 0
	}
	return c
}

package synth

import "time"

// day is a civil date as a count of days since 1970-01-01: cheap to compare, add and format
// when millions of rows are written.
type day int32

func mkday(y, m, d int) day {
	// days_from_civil (H. Hinnant).
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

func (d day) ymd() (y, m, dd int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return
}

func (d day) year() int { y, _, _ := d.ymd(); return y }

func (d day) time() time.Time {
	y, m, dd := d.ymd()
	return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
}

func dayOf(t time.Time) day { return mkday(t.Year(), int(t.Month()), t.Day()) }

// iso formats the date as YYYY-MM-DD (the canonical form of rows before a file localises them).
func (d day) iso() string {
	y, m, dd := d.ymd()
	b := make([]byte, 10)
	put4(b, y)
	b[4] = '-'
	put2(b[5:], m)
	b[7] = '-'
	put2(b[8:], dd)
	return string(b)
}

func put4(b []byte, v int) {
	b[0] = byte('0' + v/1000%10)
	b[1] = byte('0' + v/100%10)
	b[2] = byte('0' + v/10%10)
	b[3] = byte('0' + v%10)
}

func put2(b []byte, v int) {
	b[0] = byte('0' + v/10%10)
	b[1] = byte('0' + v%10)
}

// excelSerial is the date as an Excel serial number (days since 1899-12-30).
func (d day) excelSerial() int { return int(d - mkday(1899, 12, 30)) }

// yearsBetween gives completed years from birth to d.
func yearsBetween(birth, d day) int {
	by, bm, bd := birth.ymd()
	y, m, dd := d.ymd()
	a := y - by
	if m < bm || (m == bm && dd < bd) {
		a--
	}
	return a
}

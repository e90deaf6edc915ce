package dedup

import (
	"github.com/ciatteh/canvas/schema"
	"strings"
	"unicode"
)

// JudgmentNumber normalises a judgment number for comparison: LEGACY and MACH write one number
// differently (spaces, separators "/", "-", ".", leading zeros). The number is cut into runs of
// digits and runs of letters, leading zeros are dropped from each run of digits, and the runs are
// joined with nothing between them, upper-cased: "2019/001234", "2019-1234" and "2019 1234" all
// give "20191234". Joining without a separator also matches a number written with none.
func JudgmentNumber(s string) string {
	var b strings.Builder
	run := make([]rune, 0, 16)
	digits := false
	flush := func() {
		if len(run) == 0 {
			return
		}
		if digits {
			i := 0
			for i < len(run)-1 && run[i] == '0' {
				i++
			}
			run = run[i:]
		}
		b.WriteString(string(run))
		run = run[:0]
	}
	for _, r := range schema.StripAccents(strings.ToUpper(s)) {
		switch {
		case r >= '0' && r <= '9':
			if !digits {
				flush()
				digits = true
			}
			run = append(run, r)
		case unicode.IsLetter(r):
			if digits {
				flush()
				digits = false
			}
			run = append(run, r)
		default:
			flush()
		}
	}
	flush()
	return b.String()
}

// PersonName normalises a name for the D2 comparison: upper case, no accents, letters and digits
// only (spaces, hyphens, apostrophes and other punctuation removed). LEGACY writes names in
// capitals without accents; "Van der Berg-Dupré" and "VAN DER BERG DUPRE" are equal.
func PersonName(s string) string {
	var b strings.Builder
	for _, r := range schema.StripAccents(strings.ToUpper(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

package synth

import (
	"fmt"
	"strconv"
)

// Kinds of national identification a person may have.
const (
	numNone = iota // not registered: no number
	numNN          // national register number
	numBIS         // BIS number (month + 20, or + 40 when the sex was known)
)

// nationalNumber builds an 11-digit number YYMMDDSSSCC with valid check digits
// (extracts.md section 4): CC = 97 - (YYMMDDSSS mod 97), with 2 prefixed for births from 2000.
func nationalNumber(birth day, male bool, seq int, kind int) string {
	y, m, d := birth.ymd()
	switch kind {
	case numBIS:
		if seq%2 == 0 {
			m += 40
		} else {
			m += 20
		}
	}
	s := seq%499*2 + 1 // 1..997 odd
	if !male {
		s++ // even for women
	}
	base := (y%100)*10_000_000 + m*100_000 + d*1000 + s
	n := int64(base)
	if y >= 2000 {
		n += 2_000_000_000
	}
	cc := 97 - int(n%97)
	return fmt.Sprintf("%09d%02d", base, cc)
}

// validNN reports whether an 11-digit number has check digits valid for either century.
func validNN(s string) bool {
	if len(s) != 11 {
		return false
	}
	base, err1 := strconv.ParseInt(s[:9], 10, 64)
	cc, err2 := strconv.Atoi(s[9:])
	if err1 != nil || err2 != nil {
		return false
	}
	return 97-int(base%97) == cc || 97-int((base+2_000_000_000)%97) == cc
}

// breakNN changes the check digits so that they fail for both centuries.
func breakNN(s string) string {
	for cc := 1; cc <= 99; cc++ {
		t := s[:9] + fmt.Sprintf("%02d", (int(s[9]-'0')*10+int(s[10]-'0')+cc)%100)
		if !validNN(t) {
			return t
		}
	}
	return s[:9] + "00"
}

// dottedNN writes a number as YY.MM.DD-SSS.CC.
func dottedNN(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[0:2] + "." + s[2:4] + "." + s[4:6] + "-" + s[6:9] + "." + s[9:11]
}

// nnSerials hands out the serials of national numbers so that no two people share a number, as
// the national register makes sure: the serial drawn, or else the next one free for the same
// birth day, sex and kind of number. (Drawn alone, serials collided: at ten million conviction
// lines one number in seven was held by two different people, and the linkage, which trusts a
// shared valid number, merged them.) base, when set, holds numbers given before, read only.
type nnSerials struct {
	used map[nnSlot]*[8]uint64 // a bit per serial, 0..498
	base *nnSerials
}

type nnSlot struct {
	birth      day
	male       bool
	kind, half int // half: a BIS number's month offset, told by the serial's parity
}

// take returns seq, or the first serial after it (in steps of two, which keeps a BIS number's
// month offset) that no number of the same birth day, sex and kind holds, and marks it taken.
// When all 499 are taken it returns seq: a larger world than the register allows.
func (s *nnSerials) take(birth day, male bool, kind, seq int) int {
	if s.used == nil {
		s.used = map[nnSlot]*[8]uint64{}
	}
	slot := nnSlot{birth: birth, male: male, kind: kind}
	if kind == numBIS {
		slot.half = seq % 2
	}
	bits := s.used[slot]
	if bits == nil {
		bits = new([8]uint64)
		s.used[slot] = bits
	}
	var base *[8]uint64
	if s.base != nil {
		base = s.base.used[slot]
	}
	for try := range 499 {
		k := (seq + 2*try) % 998
		i := k % 499
		if bits[i/64]&(1<<(i%64)) != 0 || base != nil && base[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		bits[i/64] |= 1 << (i % 64)
		return k
	}
	return seq
}

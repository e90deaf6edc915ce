package pipeline

import (
	"math"
	"strconv"
	"strings"
)

// ParseSize reads a memory size the way DuckDB's memory_limit is written: a number and a unit,
// decimal (B, KB, MB, GB, TB: powers of 1000) or binary (KiB, MiB, GiB, TiB: powers of 1024),
// in any case, with or without a space ("3GB", "500 MiB", "1.5gib"). ok is false for anything
// else, DuckDB's percentages of the machine's memory ("80%") included, and for sizes under one
// byte or beyond int64.
func ParseSize(s string) (n int64, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, false
	}
	num, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, false
	}
	b := num * unit
	if b < 1 || b >= math.MaxInt64 {
		return 0, false
	}
	return int64(b), true
}

var sizeUnits = map[string]float64{
	"b": 1, "byte": 1, "bytes": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

package questionnaire

import (
	"sort"
	"strings"
)

// suppress applies a small-cell policy to the cells of one output (canvas.md section 6).
//
// Primary: a count from 1 to threshold-1 is hidden (C). Secondary: the additive groups are found
// from the selectors themselves (a cell whose breakdown d is `_T`, and the cells that differ from
// it only in d), across every table of the output, since one total often appears in several
// tables; whenever a group has exactly one hidden member, the smallest visible component (else
// the total) is hidden too (D), until nothing changes. Cells with the same selector and year are
// one cell: hidden in one table, hidden in all. Grouping overlapping categories (forms of
// exploitation) as if they added up only hides more, never less.
func suppress(cells []*Cell, p Suppression) {
	if !p.Enabled {
		return
	}
	byKey := map[string][]*Cell{}
	for _, c := range cells {
		k := cellKey(c.Year, c.Select, "")
		byKey[k] = append(byKey[k], c)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	hide := func(k, how string) {
		for _, c := range byKey[k] {
			c.Suppressed = how
		}
	}
	first := func(k string) *Cell { return byKey[k][0] }
	for _, k := range keys {
		c := first(k)
		if c.Missing == "" && c.Value > 0 && c.Value < p.Threshold {
			hide(k, "C")
		}
	}
	// groups: total key -> component keys
	comps := map[string][]string{}
	for _, k := range keys {
		c := first(k)
		for _, d := range breakdowns() {
			if v := c.Select[d]; !(len(v) == 1 && v[0] == "_T") {
				w := cellKey(c.Year, c.Select, d)
				comps[w] = append(comps[w], k)
			}
		}
	}
	type group struct {
		total   string
		members []string
	}
	var groups []group
	for _, k := range keys {
		c := first(k)
		for _, d := range breakdowns() {
			if v := c.Select[d]; len(v) == 1 && v[0] == "_T" {
				if m := comps[cellKey(c.Year, c.Select, d)]; len(m) > 0 {
					groups = append(groups, group{k, m})
				}
			}
		}
	}
	hidden := func(k string) bool { c := first(k); return c.Suppressed != "" || c.Missing != "" }
	for changed := true; changed; {
		changed = false
		for _, g := range groups {
			n, sup := 0, 0
			for _, k := range append([]string{g.total}, g.members...) {
				if hidden(k) {
					n++
				}
				if first(k).Suppressed != "" {
					sup++
				}
			}
			if n != 1 || sup != 1 {
				continue
			}
			pick := ""
			for _, k := range g.members {
				if hidden(k) {
					continue
				}
				if pick == "" || better(first(k).Value, first(pick).Value) {
					pick = k
				}
			}
			if pick == "" {
				pick = g.total
			}
			hide(pick, "D")
			changed = true
		}
	}
}

// better says whether a is a better secondary cell than b: the smallest non-zero count, a zero
// only when no non-zero count is left.
func better(a, b int64) bool {
	if (a == 0) != (b == 0) {
		return a != 0
	}
	return a < b
}

// cellKey identifies a cell by year and selector; with wild set, that dimension is left out (the
// key of the group the cell belongs to along that dimension).
func cellKey(year int, s Selector, wild string) string {
	var b strings.Builder
	b.WriteString(strings.Repeat("0", 4-len(itoa(year))) + itoa(year))
	for _, k := range selectorKeys() {
		b.WriteString("|")
		if k == wild {
			b.WriteString("*")
			continue
		}
		b.WriteString(strings.Join(s[k], "+"))
	}
	return b.String()
}

package sources

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// headerScanRows is how many rows from the top are searched for the header row: exports often
// start with a title block.
const headerScanRows = 50

// headerIndex maps normalised header names (canonical and aliases) to a source's columns.
type headerIndex struct {
	src      *schema.Source
	byName   map[string]int // NormaliseHeader(name or alias) -> column index
	required int
}

func newHeaderIndex(src *schema.Source) *headerIndex {
	h := &headerIndex{src: src, byName: map[string]int{}}
	for i, c := range src.Columns {
		if c.Required {
			h.required++
		}
		h.byName[schema.NormaliseHeader(c.Name)] = i
	}
	// Aliases never override a canonical name (mach's "status" alias of record_status must not
	// hide a canonical column of the same source).
	for i, c := range src.Columns {
		for _, a := range c.Aliases {
			k := schema.NormaliseHeader(a)
			if _, ok := h.byName[k]; !ok {
				h.byName[k] = i
			}
		}
	}
	return h
}

// headerMatch is how a delivered header row maps onto one source.
type headerMatch struct {
	src      *schema.Source
	colOf    []int // per source column: index of the delivered field, -1 when absent
	extra    []int // delivered fields that are no column of the source (non-empty names)
	dup      []int // delivered fields naming a column already matched
	found    int   // required columns found
	foundAll int   // all columns found
	missing  []string
}

// score orders matches: share of required columns found, then columns found.
func (m *headerMatch) score() float64 {
	req := len(m.src.Required())
	if req == 0 {
		return 0
	}
	return float64(m.found)/float64(req) + float64(m.foundAll)/1000
}

// isHeader reports whether the row holds most (more than half) of the source's required columns.
func (m *headerMatch) isHeader() bool { return 2*m.found > len(m.src.Required()) }

func (h *headerIndex) match(fields []string) *headerMatch {
	m := &headerMatch{src: h.src, colOf: make([]int, len(h.src.Columns))}
	for i := range m.colOf {
		m.colOf[i] = -1
	}
	for j, f := range fields {
		k := schema.NormaliseHeader(f)
		if k == "" {
			continue
		}
		i, ok := h.byName[k]
		if !ok {
			m.extra = append(m.extra, j)
			continue
		}
		if m.colOf[i] >= 0 {
			m.dup = append(m.dup, j)
			continue
		}
		m.colOf[i] = j
		m.foundAll++
		if h.src.Columns[i].Required {
			m.found++
		}
	}
	for i, c := range h.src.Columns {
		if c.Required && m.colOf[i] < 0 {
			m.missing = append(m.missing, c.Name)
		}
	}
	return m
}

// bestMatch returns the best match of a row among the sources (nil when the row is empty).
func bestMatch(idx []*headerIndex, fields []string) *headerMatch {
	var best *headerMatch
	for _, h := range idx {
		m := h.match(fields)
		if best == nil || m.score() > best.score() {
			best = m
		}
	}
	return best
}

// recognise decides the source of a delivery from its header row and the claimed source (from
// Options.Source or the file name; "" when none), and returns the match to read it with or a
// refusal.
func recognise(path string, idx []*headerIndex, fields []string, claimed, claimedBy string) (*headerMatch, *FileError) {
	var best, claim *headerMatch
	for _, h := range idx {
		m := h.match(fields)
		if h.src.Name == claimed {
			claim = m
		}
		if best == nil || m.score() > best.score() {
			best = m
		}
	}
	found := describeHeader(fields)
	if claimed != "" {
		if claim == nil {
			return nil, recogniseClaimError(path, idx, claimed, claimedBy)
		}
		if len(claim.missing) == 0 {
			return claim, nil
		}
		if best != claim && len(best.missing) == 0 {
			return nil, &FileError{Path: path,
				Expected: fmt.Sprintf("a %s extract (%s)", claimed, claimedBy),
				Found:    fmt.Sprintf("the header row of a %s extract: %s", best.src.Name, found),
				Hint: fmt.Sprintf("this is not the source it claims: deliver it as %s (rename the file or pass the source %s), or check that the right file was sent",
					best.src.Name, best.src.Name)}
		}
		return nil, missingError(path, claim, found)
	}
	if best == nil || !best.isHeader() {
		return nil, unrecognised(path, best, found)
	}
	if len(best.missing) > 0 {
		return nil, missingError(path, best, found)
	}
	return best, nil
}

func missingError(path string, m *headerMatch, found string) *FileError {
	return &FileError{Path: path,
		Expected: fmt.Sprintf("the required columns of a %s extract", m.src.Name),
		Found:    fmt.Sprintf("missing %s; the header row holds %s", strings.Join(m.missing, ", "), found),
		Hint:     "add the missing columns (French, Dutch or English names are accepted, see extracts.md) and deliver the file again"}
}

func unrecognised(path string, best *headerMatch, found string) *FileError {
	e := &FileError{Path: path,
		Expected: "a police, prosecution or mach extract: a file name starting police_, prosecution_/parquet_ or mach_/casier_, or a header row holding most of one source's required columns",
		Hint:     "pass the source explicitly, or check that this is an extract of one of the three partners"}
	if best == nil {
		e.Found = "no header row in the first 50 rows"
		return e
	}
	e.Found = fmt.Sprintf("no header row in the first 50 rows; the closest was the row %s (%s: %d of %d required columns, missing %s)",
		found, best.src.Name, best.found, len(best.src.Required()), strings.Join(best.missing, ", "))
	return e
}

// noHeader refuses a file in which no row of the first 50 is a header row; closest is the row
// that came nearest (nil: no rows at all).
func noHeader(path string, idx []*headerIndex, closest []string, claimed, claimedBy string) *FileError {
	if claimed == "" || closest == nil {
		var best *headerMatch
		if closest != nil {
			best = bestMatch(idx, closest)
		}
		return unrecognised(path, best, describeHeader(closest))
	}
	for _, h := range idx {
		if h.src.Name != claimed {
			continue
		}
		m := h.match(closest)
		return &FileError{Path: path,
			Expected: fmt.Sprintf("a header row of a %s extract (%s): a row among the first 50 holding most of its required columns", claimed, claimedBy),
			Found: fmt.Sprintf("no such row; the closest holds %s (%d of %d required columns, missing %s)",
				describeHeader(closest), m.found, len(h.src.Required()), strings.Join(m.missing, ", ")),
			Hint: "check that the file is this source's extract with its header row, or name another sheet or source"}
	}
	return recogniseClaimError(path, idx, claimed, claimedBy)
}

func recogniseClaimError(path string, idx []*headerIndex, claimed, claimedBy string) *FileError {
	return &FileError{Path: path, Expected: "one of the sources " + sourceNames(idx),
		Found: fmt.Sprintf("source %q (%s)", claimed, claimedBy),
		Hint:  "name the source police, prosecution or mach"}
}

func describeHeader(fields []string) string {
	var names []string
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			names = append(names, f)
		}
		if len(names) == 40 {
			names = append(names, "...")
			break
		}
	}
	if len(names) == 0 {
		return "no column names"
	}
	return strings.Join(names, ", ")
}

func sourceNames(idx []*headerIndex) string {
	var n []string
	for _, h := range idx {
		n = append(n, h.src.Name)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

// claimedSource returns the source a file name claims by its prefix (schema Source.Prefixes).
func claimedSource(idx []*headerIndex, base string) string {
	b := strings.ToLower(base)
	for _, h := range idx {
		for _, p := range h.src.Prefixes {
			if strings.HasPrefix(b, strings.ToLower(p)) {
				return h.src.Name
			}
		}
	}
	return ""
}

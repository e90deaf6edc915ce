package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ciatteh/canvas/schema"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// The tests read the generated files back in a simple way of their own, independent of the
// generator's writers and of the pipeline's readers: enough of the contract to check that the
// truth agrees with what the files say.

// parsedRow is one valid row of a delivery file, by canonical column name.
type parsedRow struct {
	file string
	line int
	v    map[string]string
}

// readDelivery reads a delivery file, returns its valid rows and the number of rows it would
// quarantine.
func readDelivery(t *testing.T, path string, src *schema.Source, codes *schema.Codes) (rows []parsedRow, bad int) {
	t.Helper()
	var recs [][]string
	xlsx := strings.HasSuffix(path, ".xlsx")
	if xlsx {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer f.Close()
		for _, sh := range f.GetSheetList() {
			rr, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rr {
				if len(mapHeader(r, src)) >= len(src.Required())-1 {
					recs = rr[i:]
					break
				}
			}
			if recs != nil {
				break
			}
		}
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		if !utf8.Valid(b) {
			if b, err = charmap.Windows1252.NewDecoder().Bytes(b); err != nil {
				t.Fatal(err)
			}
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		cr := csv.NewReader(bytes.NewReader(b))
		cr.Comma = ','
		for _, d := range []rune{';', '\t'} {
			if bytes.Count(first, []byte(string(d))) > bytes.Count(first, []byte(string(cr.Comma))) {
				cr.Comma = d
			}
		}
		cr.FieldsPerRecord = -1
		if recs, err = cr.ReadAll(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header row", path)
	}
	hdr := mapHeader(recs[0], src)
	for _, req := range src.Required() {
		if !slices.Contains(hdr, req) {
			t.Fatalf("%s: required column %s not found in header %q", path, req, recs[0])
		}
	}
	for i, rec := range recs[1:] {
		if !xlsx && len(rec) != len(recs[0]) {
			bad++
			continue
		}
		row := parsedRow{file: filepath.Base(path), line: i + 2, v: map[string]string{}}
		ok := true
		for j, name := range hdr {
			if name == "" || j >= len(rec) {
				continue
			}
			c, _ := src.Column(name)
			val, good := canonical(c, strings.TrimSpace(rec[j]), src.Name, codes, xlsx)
			if !good || (c.Required && val == "") {
				ok = false
			}
			row.v[name] = val
		}
		if ok {
			rows = append(rows, row)
		} else {
			bad++
		}
	}
	return rows, bad
}

// mapHeader maps each header cell to a canonical column name ("" when unknown).
func mapHeader(hdr []string, src *schema.Source) []string {
	out := make([]string, len(hdr))
	found := 0
	for i, h := range hdr {
		n := schema.NormaliseHeader(h)
		for _, c := range src.Columns {
			if n == schema.NormaliseHeader(c.Name) || slices.ContainsFunc(c.Aliases, func(a string) bool { return schema.NormaliseHeader(a) == n }) {
				out[i] = c.Name
				found++
				break
			}
		}
	}
	if found == 0 {
		return nil
	}
	var names []string
	for _, n := range out {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) < 3 {
		return nil
	}
	return out
}

// canonical checks and normalises one value; false means the row must be quarantined (or,
// for optional values, that the value is flagged: then it is returned empty with true).
func canonical(c schema.Column, v, source string, codes *schema.Codes, xlsx bool) (string, bool) {
	if v == "" {
		return "", true
	}
	switch c.Kind {
	case schema.Date:
		d, ok := parseDate(v, xlsx)
		if !ok {
			return "", !c.Required
		}
		return d, true
	case schema.Enum:
		if x, ok := c.Values[schema.NormaliseValue(v)]; ok {
			return x, true
		}
		return "", false
	case schema.Code:
		switch c.CodeList {
		case "offences":
			x, ok := codes.MapOffence(source, v, time.Time{})
			return x, ok
		default:
			return v, codes.Has(c.CodeList, v)
		}
	case schema.Country:
		x, ok := codes.Country(v)
		return x, ok || true // unknown citizenship is flagged, not quarantined
	case schema.NatNum:
		return strings.NewReplacer(".", "", "-", "").Replace(v), true
	case schema.Decimal:
		return strings.ReplaceAll(v, ",", "."), true
	}
	return v, true
}

func parseDate(v string, xlsx bool) (string, bool) {
	if xlsx {
		if n, err := strconv.Atoi(v); err == nil {
			return (mkday(1899, 12, 30) + day(n)).iso(), true
		}
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "02-01-2006", "02.01.2006"} {
		if tm, err := time.Parse(layout, v); err == nil {
			return tm.Format("2006-01-02"), true
		}
	}
	return "", false
}

// delivered reads every file of a source in delivery (lexical) order and resolves versions
// (rule D1): per record key the latest version stands; tombstones remove the record.
func delivered(t *testing.T, dir string, src *schema.Source, codes *schema.Codes) (standing map[string]parsedRow, keys []string, bad int) {
	t.Helper()
	var files []string
	for _, p := range src.Prefixes {
		m, _ := filepath.Glob(filepath.Join(dir, p+"*"))
		files = append(files, m...)
	}
	slices.Sort(files)
	if len(files) == 0 {
		t.Fatalf("no %s files in %s", src.Name, dir)
	}
	standing = map[string]parsedRow{}
	for _, f := range files {
		rows, b := readDelivery(t, f, src, codes)
		bad += b
		for _, r := range rows {
			var kb strings.Builder
			for i, k := range src.Key {
				if i > 0 {
					kb.WriteByte('|')
				}
				kb.WriteString(r.v[k])
			}
			key := kb.String()
			prev, ok := standing[key]
			if !ok {
				keys = append(keys, key)
			}
			newer := true
			if ok {
				if src.Version == "record_version" {
					a, _ := strconv.Atoi(prev.v["record_version"])
					b, _ := strconv.Atoi(r.v["record_version"])
					newer = b >= a
				} else {
					newer = r.v["extract_date"] >= prev.v["extract_date"]
				}
			}
			if newer {
				standing[key] = r
			}
		}
	}
	for k, r := range standing {
		if r.v[src.Tombstone] == src.TombstoneValue {
			delete(standing, k)
		}
	}
	return standing, keys, bad
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// truthValues reads indicator.csv cells with every breakdown _T, by year|phenomenon|measure.
func truthValues(t *testing.T, dir string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range readCSVFile(t, filepath.Join(dir, "truth", "indicator.csv"))[1:] {
		if r[4] == "_T" && r[5] == "_T" && r[6] == "_T" && r[7] == "_T" && r[8] == "_T" {
			n, _ := strconv.ParseInt(r[9], 10, 64)
			out[fmt.Sprintf("%s|%s|%s", r[0], r[1], r[3])] = n
		}
	}
	return out
}

package questionnaire

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// writeSDMX writes the answer as SDMX-CSV 2.0: one observation per line, the structure and its
// id from the spec's settings, the dimensions in the order the spec lists them, then
// TIME_PERIOD, OBS_VALUE, OBS_STATUS (A, P, B or M) and CONF_STATUS (F free, C primary, D
// secondary confidential). A missing or hidden observation has an empty OBS_VALUE. A cell that
// appears in several tables (the same codes) is written once.
func writeSDMX(a *answer, w io.Writer) error {
	s := a.spec.SDMX
	cw := csv.NewWriter(w)
	header := append([]string{"STRUCTURE", "STRUCTURE_ID", "ACTION"}, s.Dimensions...)
	header = append(header, "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS")
	if err := cw.Write(header); err != nil {
		return err
	}
	seen := map[string]string{}
	for _, ta := range a.tables {
		for yi, y := range a.years {
			for ri := range ta.t.Rows {
				for ci := range ta.t.Columns {
					c := ta.cells[yi][ri][ci]
					rec := []string{s.Structure, s.StructureID, s.Action}
					for _, d := range s.Dimensions {
						v, ok := c.Codes[d]
						if !ok {
							return fmt.Errorf("%s: table %s, row %q, column %q: no code for SDMX dimension %s: add it under codes",
								a.spec.File, ta.t.ID, ta.t.Rows[ri].ID, ta.t.Columns[ci].ID, d)
						}
						rec = append(rec, safeText(v))
					}
					value := ""
					if c.Missing == "" && c.Suppressed == "" {
						value = strconv.FormatInt(c.Value, 10)
					}
					rec = append(rec, strconv.Itoa(y), value, c.OBSStatus(), c.CONFStatus())
					key := strings.Join(rec[3:3+len(s.Dimensions)+1], "\x00")
					line := strings.Join(rec, ",")
					if prev, dup := seen[key]; dup {
						if prev != line {
							return fmt.Errorf("%s: table %s, row %q, column %q: the SDMX key %s is also given by another cell with another value",
								a.spec.File, ta.t.ID, ta.t.Rows[ri].ID, ta.t.Columns[ci].ID, strings.Join(rec[3:3+len(s.Dimensions)+1], "."))
						}
						continue
					}
					seen[key] = line
					if err := cw.Write(rec); err != nil {
						return err
					}
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeSDMXFile(a *answer, out string) error {
	var b bytes.Buffer
	if err := writeSDMX(a, &b); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// longRows are the answer in a long layout (header first): one line per cell, the columns the
// spec names; year, value, flag and note are filled from the cell, every other column from the
// cell's codes.
func (a *answer) longRows() [][]any {
	cols := a.spec.Long.Columns
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = c
	}
	out := [][]any{head}
	for _, ta := range a.tables {
		for yi, y := range a.years {
			for ri := range ta.t.Rows {
				for ci := range ta.t.Columns {
					c := ta.cells[yi][ri][ci]
					rec := make([]any, len(cols))
					for i, col := range cols {
						switch col {
						case "year":
							rec[i] = strconv.Itoa(y)
						case "value":
							v := a.shown(c)
							if c.Missing != "" {
								v = ""
							}
							rec[i] = v
						case "flag":
							rec[i] = longFlag(c)
						case "note":
							rec[i] = longNote(c)
						default:
							rec[i] = c.Codes[col]
						}
					}
					out = append(out, rec)
				}
			}
		}
	}
	return out
}

func longFlag(c *Cell) string {
	switch {
	case c.Missing != "":
		return "not available"
	case c.Suppressed == "C":
		return "suppressed (small count)"
	case c.Suppressed == "D":
		return "suppressed (protects another cell)"
	}
	var f []string
	if strings.Contains(c.Flags, "b") {
		f = append(f, "break in series")
	}
	if strings.Contains(c.Flags, "p") {
		f = append(f, "provisional")
	}
	return strings.Join(f, ", ")
}

func longNote(c *Cell) string {
	return c.Missing
}

func writeLongCSV(a *answer, w io.Writer) error {
	cw := csv.NewWriter(w)
	for _, row := range a.longRows() {
		rec := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case string:
				rec[i] = safeText(x)
			case int64:
				rec[i] = strconv.FormatInt(x, 10)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeLongCSVFile(a *answer, out string) error {
	var b bytes.Buffer
	if err := writeLongCSV(a, &b); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

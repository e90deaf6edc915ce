package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ciatteh/canvas/query"
	"github.com/xuri/excelize/v2"
)

// downloadColumns are the columns of every table download: one row per cell, long, so that it
// reads the same in a spreadsheet, R or pandas. value is empty where the page shows ":", "<5"
// or "x"; display says which; conf_status is SDMX's (F free, C confidential, D secondary).
func downloadColumns() []string {
	return []string{"ref_year", "phenomenon", "stage", "measure", "measure_label", "breakdown", "category",
		"category_label", "value", "display", "obs_status", "conf_status"}
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	kind, format, _ := strings.Cut(name, ".")
	if (kind != "overview" && kind != "table") || (format != "csv" && format != "xlsx") {
		s.fail(w, r, http.StatusNotFound, "error.notfound", nil)
		return
	}
	p := s.newPage(w, r, "")
	l := p.L
	v, release, err := s.canvas.acquire(r.Context())
	if err != nil {
		s.noCanvas(w, r, p, "error", err)
		return
	}
	defer release()
	m := v.meta
	var t *Table
	var title string
	file := "canvas"
	if kind == "overview" {
		phen, ok := s.phenomenonParam(r, m)
		if !ok {
			s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
			return
		}
		if t, err = overviewTable(r.Context(), v, l, phen); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "error.title", err)
			return
		}
		title = l.T("phenomenon."+phen) + " — " + l.T("overview.table")
		file += "-" + strings.ToLower(phen)
	} else {
		phen, measure, dim, ok := s.tableParams(r, m)
		if !ok {
			s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
			return
		}
		if t, _, err = breakdownTable(r.Context(), v, l, phen, measure, dim); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "error.title", err)
			return
		}
		mi, _ := m.Measure(measure)
		title = l.T("phenomenon."+phen) + " — " + l.T("tables.heading", measureLabel(l, mi), strings.ToLower(l.T("dim."+dim)))
		file += "-" + strings.ToLower(phen+"-"+measure+"-by-"+dim)
	}
	s.cfg.Policy.Apply(t)
	rows := longRows(t, m, l)
	file += "." + format
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, file))
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		cw.Write(downloadColumns())
		for _, r := range rows {
			out := make([]string, len(r))
			for i, c := range r {
				if n, ok := c.(int64); ok {
					out[i] = strconv.FormatInt(n, 10)
				} else if c != nil {
					out[i] = query.SafeCell(fmt.Sprint(c))
				}
			}
			cw.Write(out)
		}
		cw.Flush()
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "data")
	hdr := make([]any, 0, len(downloadColumns()))
	for _, c := range downloadColumns() {
		hdr = append(hdr, c)
	}
	f.SetSheetRow("data", "A1", &hdr)
	for i, r := range rows {
		for j, c := range r {
			if sv, ok := c.(string); ok {
				r[j] = query.SafeCell(sv)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("data", cell, &r)
	}
	f.NewSheet("notes")
	notes := notesSheet(t, m, l, title)
	for i, line := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := make([]any, len(line))
		for j, x := range line {
			row[j] = query.SafeCell(x)
		}
		f.SetSheetRow("notes", cell, &row)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if _, err := f.WriteTo(w); err != nil {
		s.cfg.Logf("download %s: %v", file, err)
	}
}

// longRows turns a table into the download's rows (see downloadColumns).
func longRows(t *Table, m *Meta, l *Lang) [][]any {
	var out [][]any
	for _, r := range t.Rows {
		measure, breakdown, cat, catLabel := t.Measure, t.Dim, r.Key, r.Label
		if t.Dim == "measure" {
			measure, breakdown, cat, catLabel = r.Key, "total", "_T", l.T("code._T")
		}
		mi, _ := m.Measure(measure)
		for j, c := range r.Cells {
			var val any
			if c.Shown() {
				val = c.Value
			}
			conf := "F"
			if c.Conf != "" {
				conf = c.Conf
			}
			status := c.Status
			if c.Missing {
				status = "M"
			}
			out = append(out, []any{int64(t.Years[j]), t.Phenomenon, mi.Stage, measure, measureLabel(l, mi), breakdown, cat,
				catLabel, val, c.Text(l), status, conf})
		}
	}
	return out
}

// notesSheet is the context a downloaded table carries: definitions, series notes, signs,
// the suppression policy, and which canvas it came from.
func notesSheet(t *Table, m *Meta, l *Lang, title string) [][]string {
	out := [][]string{{title}, {}}
	var measures []MeasureInfo
	if t.Dim == "measure" {
		for _, r := range t.Rows {
			mi, _ := m.Measure(r.Key)
			measures = append(measures, mi)
		}
	} else {
		mi, _ := m.Measure(t.Measure)
		measures = append(measures, mi)
	}
	out = append(out, []string{l.T("def.title")})
	for _, mi := range measures {
		d := viewDef(mi, l)
		out = append(out, []string{d.Label, d.Text, d.Rule, d.RefDate, d.Source})
	}
	out = append(out, []string{}, []string{l.T("notes.title")})
	seen := map[string]bool{}
	for _, mi := range measures {
		for _, n := range viewNotes(m.NotesFor(mi.Stage, mi.Measure), l) {
			if !seen[n.Text] {
				seen[n.Text] = true
				out = append(out, []string{n.Years, n.Text})
			}
		}
	}
	out = append(out, []string{}, []string{l.T("flag.legend")})
	for _, k := range []string{"flag.p", "flag.b", "flag.m", "flag.c", "flag.d"} {
		out = append(out, []string{l.T(k)})
	}
	out = append(out, []string{}, []string{l.T("suppression")}, []string{}, []string{l.T("canvas.built", m.BuiltText())})
	return out
}

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ciatteh/canvas/query"
)

type sqlBody struct {
	SQL       string
	Tables    []string
	Examples  []string
	Limits    string
	Columns   []string
	Rows      [][]string
	RowsText  string
	Truncated string
	Error     string
	Ran       bool
}

func sqlExamples() []string {
	return []string{
		"SELECT ref_year, measure, value, obs_status\nFROM indicator\nWHERE phenomenon = 'SMUGGLING' AND stage = 'CONVICTION'\n  AND sex = '_T' AND age_group = '_T' AND citizenship = '_T'\n  AND district = '_T' AND exploitation = '_T'\nORDER BY measure, ref_year",
		"DESCRIBE indicator",
		"SELECT measure, label_en, definition_en FROM measure_definition",
	}
}

func (s *Server) sqlBody(p *page, m *Meta) *sqlBody {
	return &sqlBody{
		Tables:   m.Tables,
		Examples: sqlExamples(),
		Limits:   p.L.T("sql.limits", p.L.Num(int64(s.cfg.SQLMaxRows)), s.cfg.SQLTimeout.String()),
	}
}

func (s *Server) sqlPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "sql")
	p.Title = p.L.T("sql.title")
	v, release, err := s.canvas.acquire(r.Context())
	if err != nil {
		s.noCanvas(w, r, p, "sql", err)
		return
	}
	defer release()
	p.Built = v.meta.BuiltText()
	body := s.sqlBody(p, v.meta)
	body.SQL = sqlExamples()[0]
	p.Body = body
	s.render(w, "sql", http.StatusOK, p)
}

// htmlRows collects a result for the page.
type htmlRows struct {
	cols []query.Column
	rows [][]string
}

func (h *htmlRows) Begin(cols []query.Column) error { h.cols = cols; return nil }
func (h *htmlRows) Row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = "NULL"
		} else {
			r[i] = query.Text(v, h.cols[i].Type)
		}
	}
	h.rows = append(h.rows, r)
	return nil
}
func (h *htmlRows) End() error { return nil }

// sqlRun runs a member's query in the SQL sandbox, within the time and row limits, and shows the
// result (format html) or sends it as CSV or XLSX.
func (s *Server) sqlRun(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(r) {
		s.fail(w, r, http.StatusForbidden, "error.bad", nil)
		return
	}
	p := s.newPage(w, r, "sql")
	p.Title = p.L.T("sql.title")
	format := r.PostFormValue("format")
	if format != "" && format != "html" && format != "csv" && format != "xlsx" {
		s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
		return
	}
	v, release, err := s.canvas.acquire(r.Context())
	if err != nil {
		s.noCanvas(w, r, p, "sql", err)
		return
	}
	defer release()
	p.Built = v.meta.BuiltText()
	body := s.sqlBody(p, v.meta)
	body.SQL = r.PostFormValue("sql")
	body.Ran = true
	p.Body = body

	// a few queries at once; others wait a little, then are told to retry
	wait, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	select {
	case s.sqlSlots <- struct{}{}:
		defer func() { <-s.sqlSlots }()
	case <-wait.Done():
		w.Header().Set("Retry-After", "5")
		body.Error = p.L.T("sql.busy")
		s.render(w, "sql", http.StatusServiceUnavailable, p)
		return
	}
	lim := query.Limits{MaxRows: s.cfg.SQLMaxRows, Timeout: s.cfg.SQLTimeout}
	ww := whoOf(r)
	s.cfg.Logf("member %q runs SQL: %q", ww.name, truncate(body.SQL, 300))
	if format == "csv" || format == "xlsx" {
		// checked and run into memory first, so that an error is a page, not a broken file
		var buf strings.Builder
		wr, _ := query.NewWriter(format, &buf)
		res, err := v.sql.Run(r.Context(), body.SQL, lim, wr)
		if err != nil {
			body.Error = userError(err)
			s.render(w, "sql", http.StatusOK, p)
			return
		}
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="canvas-query.%s"`, format))
		if res.Truncated {
			w.Header().Set("X-Canvas-Truncated", strconv.Itoa(res.Rows))
		}
		w.Write([]byte(buf.String()))
		return
	}
	var hr htmlRows
	res, err := v.sql.Run(r.Context(), body.SQL, lim, &hr)
	if err != nil {
		body.Error = userError(err)
		s.render(w, "sql", http.StatusOK, p)
		return
	}
	for _, c := range hr.cols {
		body.Columns = append(body.Columns, c.Name)
	}
	body.Rows = hr.rows
	body.RowsText = p.L.T("sql.rows", p.L.Num(int64(res.Rows)))
	if res.Truncated {
		body.Truncated = p.L.T("sql.truncated", p.L.Num(int64(res.Rows)))
	}
	s.render(w, "sql", http.StatusOK, p)
}

// userError is the text of a query error for the page: DuckDB's message, the refusal, or the
// time limit; anything else is not detailed.
func userError(err error) string {
	var se *query.SQLError
	switch {
	case errors.As(err, &se), errors.Is(err, query.ErrNotAllowed), errors.Is(err, query.ErrTimeout):
		return err.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "the query failed"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

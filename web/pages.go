package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// page is what every template gets: the language, the member, the navigation, and the page's own
// content in Body.
type page struct {
	L       *Lang
	Langs   []link
	Member  string
	CSRF    string
	Nav     string
	Title   string
	Built   string
	NoData  bool
	Message string
	Body    any
}

type link struct {
	Label, URL string
	Current    bool
}

type option struct {
	Value, Label string
	Selected     bool
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// withParams returns the request's path with some query parameters replaced.
func withParams(r *http.Request, kv ...string) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// newPage prepares the common part of a page, and remembers a language chosen by parameter.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, nav string) *page {
	lang := pickLanguage(r)
	if r.URL.Query().Get("lang") == lang {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.cfg.Secure})
	}
	p := &page{L: s.langs[lang], Nav: nav}
	for _, code := range languages() {
		p.Langs = append(p.Langs, link{Label: s.langs[code].T("lang.name"), URL: withParams(r, "lang", code), Current: code == lang})
	}
	ww := whoOf(r)
	p.Member = ww.name
	if ww.session != nil {
		p.CSRF = ww.session.csrf
	}
	return p
}

// render writes a page; a template error becomes a plain 500, never half a page.
func (s *Server) render(w http.ResponseWriter, name string, status int, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.cfg.Logf("page %s: %v", name, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// fail shows an error page in the member's language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, key string, err error) {
	if err != nil && r.Context().Err() != nil {
		return // the client went away: nobody to answer
	}
	if err != nil {
		s.cfg.Logf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	p := s.newPage(w, r, "")
	p.Title = p.L.T("error.title")
	p.Message = p.L.T(key)
	s.render(w, "error", status, p)
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "signin")
	p.Title = p.L.T("signin.title")
	p.Body = safeNext(r.URL.Query().Get("next"))
	s.render(w, "signin", http.StatusOK, p)
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	addr := clientAddr(r)
	p := s.newPage(w, r, "signin")
	p.Title = p.L.T("signin.title")
	next := safeNext(r.PostFormValue("next"))
	p.Body = next
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		s.fail(w, r, http.StatusForbidden, "error.bad", nil)
		return
	}
	if s.limiter.blocked(addr, now) {
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.FailWindow.Seconds())))
		p.Message = p.L.T("signin.limited")
		s.render(w, "signin", http.StatusTooManyRequests, p)
		return
	}
	m, ok := s.cfg.Members.Verify(strings.TrimSpace(r.PostFormValue("token")))
	if !ok {
		s.limiter.fail(addr, now)
		s.cfg.Logf("failed sign-in from %s", addr)
		p.Message = p.L.T("signin.bad")
		s.render(w, "signin", http.StatusUnauthorized, p)
		return
	}
	id, _, err := s.sessions.create(m.Name, now)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "error.title", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Secure, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	s.cfg.Logf("member %q signed in from %s", m.Name, addr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(r) {
		s.fail(w, r, http.StatusForbidden, "error.bad", nil)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Secure})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// noCanvas renders a page that says no canvas is published yet.
func (s *Server) noCanvas(w http.ResponseWriter, r *http.Request, p *page, name string, err error) {
	if !errors.Is(err, errNoCanvas) {
		s.fail(w, r, http.StatusInternalServerError, "error.title", err)
		return
	}
	p.NoData = true
	p.Message = p.L.T("canvas.none")
	s.render(w, name, http.StatusServiceUnavailable, p)
}

// Views of tables, notes and definitions for the templates.

type tableView struct {
	RowHead string
	Years   []int
	Rows    []rowView
	CSV     string
	XLSX    string
}

type rowView struct {
	Label string
	Total bool
	Link  string
	Cells []cellView
}

type cellView struct {
	Text, Flag, Class, Title string
}

func viewTable(t *Table, l *Lang, rowHead string) *tableView {
	v := &tableView{RowHead: rowHead, Years: t.Years}
	for _, r := range t.Rows {
		rv := rowView{Label: r.Label, Total: r.Total}
		for j, c := range r.Cells {
			cls := "num"
			switch {
			case c.Missing:
				cls += " missing"
			case c.Conf != "":
				cls += " hidden"
			}
			title := ""
			switch {
			case c.Missing:
				title = l.T("flag.m")
			case c.Conf == "C":
				title = l.T("flag.c")
			case c.Conf == "D":
				title = l.T("flag.d")
			}
			if f := c.Flag(); f != "" {
				title = strings.TrimSpace(title + " " + l.T("flag."+f))
			}
			_ = j
			rv.Cells = append(rv.Cells, cellView{Text: c.Text(l), Flag: c.Flag(), Class: cls, Title: title})
		}
		v.Rows = append(v.Rows, rv)
	}
	return v
}

type noteView struct {
	Kind, Years, Text string
}

func viewNotes(ns []Record, l *Lang) []noteView {
	var out []noteView
	for _, n := range ns {
		years := ""
		a, b := n["year_from"], n["year_to"]
		switch {
		case a != "" && (b == "" || b == a):
			if b == "" {
				years = a + "–"
			} else {
				years = a
			}
		case a != "" && b != "":
			years = a + "–" + b
		case b != "":
			years = "–" + b
		}
		text := localized(n, "text", l.Code)
		if text == "" {
			text = localized(n, "note", l.Code)
		}
		out = append(out, noteView{Kind: strings.ToLower(n["kind"]), Years: years, Text: text})
	}
	return out
}

type defView struct {
	Label, Text, Rule, RefDate, Source string
}

func viewDef(mi MeasureInfo, l *Lang) defView {
	return defView{
		Label:   measureLabel(l, mi),
		Text:    localized(mi.Def, "definition", l.Code),
		Rule:    mi.Def["counting_rule"],
		RefDate: mi.Def["reference_date"],
		Source:  mi.Def["source"],
	}
}

// attritionMeasures are the overview's bars: one unit per stage of the criminal justice chain.
func attritionMeasures() []string {
	return []string{"OFFENCES_RECORDED", "SUSPECTS", "CASES_ENTERED", "PERSONS_PROSECUTED", "PERSONS_CONVICTED"}
}

type stageView struct {
	Stage, Label string
	Notes        []noteView
	Charts       []chartView
}

type chartView struct {
	Measure string
	Def     defView
	SVG     template.HTML
	Notes   []noteView
	Link    string
}

type overviewBody struct {
	Phenomenon     string
	PhenLabel      string
	Phenomena      []option
	Years          []option
	Year           int
	Attrition      template.HTML
	AttritionTitle string
	AttritionNotes []noteView
	Stages         []stageView
	Table          *tableView
	Coverage       Generic
}

func (s *Server) phenomenonParam(r *http.Request, m *Meta) (string, bool) {
	p := r.URL.Query().Get("phenomenon")
	if p == "" {
		if len(m.Phenomena) == 0 {
			return "", true
		}
		return m.Phenomena[0], true
	}
	return p, m.HasPhenomenon(p)
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "overview")
	p.Title = p.L.T("overview.title")
	v, release, err := s.canvas.acquire(r.Context())
	if err != nil {
		s.noCanvas(w, r, p, "overview", err)
		return
	}
	defer release()
	m := v.meta
	p.Built = m.BuiltText()
	phen, ok := s.phenomenonParam(r, m)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
		return
	}
	t, err := overviewTable(r.Context(), v, p.L, phen)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "error.title", err)
		return
	}
	s.cfg.Policy.Apply(t)
	years := m.Years()
	year := 0
	if ys := r.URL.Query().Get("year"); ys != "" {
		y, err := strconv.Atoi(ys)
		if err != nil || y < m.YearFrom || y > m.YearTo {
			s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
			return
		}
		year = y
	}
	// the attrition bars: the five stages' measures, for the chosen year (by default the latest
	// year in which none of them is missing)
	att := &Table{Phenomenon: phen, Dim: "measure", Years: t.Years}
	for _, key := range attritionMeasures() {
		for _, row := range t.Rows {
			if row.Key == key {
				att.Rows = append(att.Rows, row)
			}
		}
	}
	if year == 0 && len(years) > 0 {
		year = years[len(years)-1]
		for j := len(years) - 1; j >= 0; j-- {
			complete := true
			for _, row := range att.Rows {
				if row.Cells[j].Missing {
					complete = false
				}
			}
			if complete {
				year = years[j]
				break
			}
		}
	}
	body := &overviewBody{Phenomenon: phen, PhenLabel: p.L.T("phenomenon." + phen), Year: year, Coverage: m.Coverage}
	for _, ph := range m.Phenomena {
		body.Phenomena = append(body.Phenomena, option{Value: ph, Label: p.L.T("phenomenon." + ph), Selected: ph == phen})
	}
	for i := len(years) - 1; i >= 0; i-- {
		body.Years = append(body.Years, option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == year})
	}
	if len(att.Rows) > 0 && year > 0 {
		body.Attrition = attritionChart(att, year-m.YearFrom, p.L)
		body.AttritionTitle = p.L.T("overview.attrition", strconv.Itoa(year))
	}
	body.AttritionNotes = viewNotes(m.NotesFor("", ""), p.L)
	for i, row := range t.Rows {
		if len(body.Stages) == 0 || body.Stages[len(body.Stages)-1].Stage != row.Stage {
			body.Stages = append(body.Stages, stageView{Stage: row.Stage, Label: p.L.T("stage." + row.Stage),
				Notes: viewNotes(stageOnlyNotes(m, row.Stage), p.L)})
		}
		mi, _ := m.Measure(row.Key)
		sv := &body.Stages[len(body.Stages)-1]
		sv.Charts = append(sv.Charts, chartView{
			Measure: row.Key, Def: viewDef(mi, p.L), SVG: trendChart(t, i, p.L),
			Notes: viewNotes(measureOnlyNotes(m, row.Stage, row.Key), p.L),
			Link:  "/tables?" + url.Values{"phenomenon": {phen}, "measure": {row.Key}}.Encode(),
		})
	}
	tv := viewTable(t, p.L, p.L.T("dim.measure"))
	for i := range tv.Rows {
		tv.Rows[i].Link = "/tables?" + url.Values{"phenomenon": {phen}, "measure": {t.Rows[i].Key}}.Encode()
	}
	dl := url.Values{"phenomenon": {phen}, "lang": {p.L.Code}}.Encode()
	tv.CSV, tv.XLSX = "/download/overview.csv?"+dl, "/download/overview.xlsx?"+dl
	body.Table = tv
	p.Body = body
	s.render(w, "overview", http.StatusOK, p)
}

// stageOnlyNotes are the notes about a whole stage; measureOnlyNotes those about one measure.
func stageOnlyNotes(m *Meta, stage string) []Record {
	var out []Record
	for _, n := range m.Notes {
		if n["stage"] == stage && n["measure"] == "" {
			out = append(out, n)
		}
	}
	return out
}

func measureOnlyNotes(m *Meta, stage, measure string) []Record {
	var out []Record
	for _, n := range m.Notes {
		if n["measure"] == measure && (n["stage"] == "" || n["stage"] == stage) {
			out = append(out, n)
		}
	}
	return out
}

type tablesBody struct {
	Phenomena, Measures, Dims []option
	Heading                   string
	Def                       defView
	Notes                     []noteView
	Table                     *tableView
	None                      string
}

// tableParams reads and checks the tables page's choice: phenomenon, measure and breakdown.
func (s *Server) tableParams(r *http.Request, m *Meta) (phen, measure, dim string, ok bool) {
	phen, ok = s.phenomenonParam(r, m)
	if !ok {
		return "", "", "", false
	}
	q := r.URL.Query()
	measure = q.Get("measure")
	if measure == "" {
		measure = "PERSONS_CONVICTED"
		if _, found := m.Measure(measure); !found && len(m.Measures) > 0 {
			measure = m.Measures[0].Measure
		}
	} else if _, found := m.Measure(measure); !found {
		return "", "", "", false
	}
	dim = q.Get("by")
	if dim == "" {
		dim = "sex"
	} else if !isDim(dim) {
		return "", "", "", false
	}
	return phen, measure, dim, true
}

func (s *Server) tables(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "tables")
	p.Title = p.L.T("tables.title")
	v, release, err := s.canvas.acquire(r.Context())
	if err != nil {
		s.noCanvas(w, r, p, "tables", err)
		return
	}
	defer release()
	m := v.meta
	p.Built = m.BuiltText()
	phen, measure, dim, ok := s.tableParams(r, m)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "error.bad", nil)
		return
	}
	t, has, err := breakdownTable(r.Context(), v, p.L, phen, measure, dim)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "error.title", err)
		return
	}
	s.cfg.Policy.Apply(t)
	mi, _ := m.Measure(measure)
	body := &tablesBody{Def: viewDef(mi, p.L), Notes: viewNotes(m.NotesFor(mi.Stage, measure), p.L)}
	for _, ph := range m.Phenomena {
		body.Phenomena = append(body.Phenomena, option{Value: ph, Label: p.L.T("phenomenon." + ph), Selected: ph == phen})
	}
	for _, x := range m.Measures {
		body.Measures = append(body.Measures, option{Value: x.Measure, Label: p.L.T("stage."+x.Stage) + ": " + measureLabel(p.L, x), Selected: x.Measure == measure})
	}
	for _, d := range dims() {
		body.Dims = append(body.Dims, option{Value: d, Label: p.L.T("dim." + d), Selected: d == dim})
	}
	dimLabel := strings.ToLower(p.L.T("dim." + dim))
	body.Heading = fmt.Sprintf("%s — %s", p.L.T("phenomenon."+phen), p.L.T("tables.heading", measureLabel(p.L, mi), dimLabel))
	if !has {
		body.None = p.L.T("tables.none", dimLabel)
	}
	tv := viewTable(t, p.L, p.L.T("dim."+dim))
	dl := url.Values{"phenomenon": {phen}, "measure": {measure}, "by": {dim}, "lang": {p.L.Code}}.Encode()
	tv.CSV, tv.XLSX = "/download/table.csv?"+dl, "/download/table.xlsx?"+dl
	body.Table = tv
	p.Body = body
	s.render(w, "tables", http.StatusOK, p)
}

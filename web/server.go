// Package web is the CIATTEH members' web application over the shared canvas (canvas serve):
// an overview per phenomenon (attrition from police to conviction, trends), tables by breakdown
// with the output suppression policy applied, definitions and series notes beside the figures,
// downloads as CSV and XLSX, and a SQL page, in English, French and Dutch.
//
// It reads only the shared canvas, <store>/canvas.duckdb, read-only and through package query's
// sandbox; it never opens the restricted store. When the nightly run publishes a new canvas (an
// atomic rename), the next request opens the new file and the old one closes once its last
// request is done. Every asset (style sheet, icon) is embedded; charts are SVG drawn here; there
// is no script at all. Members sign in with a token (package members); the session lives in an
// HttpOnly, SameSite=Strict cookie, or a client sends the token as "Authorization: Bearer".
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/ciatteh/canvas/members"
)

//go:embed templates/*.html static/* i18n/*.json
var assets embed.FS

// CanvasFile is the shared canvas's file name in the store folder; the only database the
// application opens.
const CanvasFile = "canvas.duckdb"

// Config configures a Server.
type Config struct {
	StoreDir   string         // store folder; only StoreDir/canvas.duckdb is opened
	Members    *members.Store // who may sign in
	SQLTimeout time.Duration  // time limit of a query on the SQL page
	SQLMaxRows int            // row limit of a query on the SQL page (and its downloads)
	SQLMemory  string         // DuckDB memory limit of the SQL sandbox, e.g. "1GB"
	SQLThreads int            // DuckDB threads of the SQL sandbox
	SQLQueries int            // queries run at once on the SQL page; more wait briefly, then are refused
	AppMemory  string         // DuckDB memory limit of the pages' own engine
	SessionTTL time.Duration  // how long a sign-in lasts
	MaxFailed  int            // failed sign-ins per address ...
	FailWindow time.Duration  // ... within this window before the address is refused
	Policy     Policy         // output suppression policy of tables and downloads
	Secure     bool           // cookies only over HTTPS (set when serving TLS)
	Logf       func(format string, args ...any)
	Now        func() time.Time // clock (tests)
}

// DefaultConfig returns the defaults for a store folder.
func DefaultConfig(storeDir string, ms *members.Store) Config {
	return Config{
		StoreDir: storeDir, Members: ms,
		SQLTimeout: 10 * time.Second, SQLMaxRows: 10000, SQLMemory: "1GB", SQLThreads: 2, SQLQueries: 2,
		AppMemory: "512MB", SessionTTL: 12 * time.Hour, MaxFailed: 5, FailWindow: 10 * time.Minute,
		Policy: DefaultPolicy(), Logf: log.Printf, Now: time.Now,
	}
}

// Server is the web application.
type Server struct {
	cfg      Config
	canvas   *holder
	langs    map[string]*Lang
	pages    map[string]*template.Template
	sessions *sessions
	limiter  *limiter
	sqlSlots chan struct{}
	mux      *http.ServeMux
}

// New returns a server over the shared canvas of cfg.StoreDir. The canvas need not exist yet:
// pages say so until it is published.
func New(cfg Config) (*Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("no store folder given: use --store DIR or set CANVAS_STORE")
	}
	if cfg.Members == nil {
		return nil, errors.New("web: no members store")
	}
	def := DefaultConfig(cfg.StoreDir, cfg.Members)
	if cfg.Logf == nil {
		cfg.Logf = def.Logf
	}
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.Policy == (Policy{}) {
		cfg.Policy = def.Policy
	}
	if cfg.SQLQueries <= 0 {
		cfg.SQLQueries = def.SQLQueries
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = def.SessionTTL
	}
	if cfg.MaxFailed <= 0 {
		cfg.MaxFailed = def.MaxFailed
	}
	if cfg.FailWindow <= 0 {
		cfg.FailWindow = def.FailWindow
	}
	langs, err := loadLanguages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		langs:    langs,
		pages:    map[string]*template.Template{},
		sessions: newSessions(cfg.SessionTTL),
		limiter:  newLimiter(cfg.MaxFailed, cfg.FailWindow),
		sqlSlots: make(chan struct{}, cfg.SQLQueries),
	}
	s.canvas = &holder{path: filepath.Join(cfg.StoreDir, CanvasFile), cfg: &s.cfg}
	for _, p := range []string{"signin", "overview", "tables", "sql", "error"} {
		t, err := template.New(p).Funcs(template.FuncMap{"tbl": tableArgs}).
			ParseFS(assets, "templates/layout.html", "templates/table.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", p, err)
		}
		s.pages[p] = t
	}
	s.routes()
	return s, nil
}

// tableArgs bundles what the shared "table" template needs.
func tableArgs(l *Lang, t *tableView) map[string]any { return map[string]any{"L": l, "T": t} }

// Close closes the open canvas.
func (s *Server) Close() error {
	s.canvas.closeAll()
	return nil
}

func (s *Server) routes() {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, files)))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	mux.Handle("POST /signout", s.member(http.HandlerFunc(s.signout)))
	mux.Handle("GET /{$}", s.member(http.HandlerFunc(s.overview)))
	mux.Handle("GET /tables", s.member(http.HandlerFunc(s.tables)))
	mux.Handle("GET /download/{file}", s.member(http.HandlerFunc(s.download)))
	mux.Handle("GET /sql", s.member(http.HandlerFunc(s.sqlPage)))
	mux.Handle("POST /sql", s.member(http.HandlerFunc(s.sqlRun)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "error.notfound", nil)
	})
	s.mux = mux
}

// Handler is the application with its security headers and request limits.
func (s *Server) Handler() http.Handler {
	return s.headers(http.MaxBytesHandler(s.mux, 1<<20))
}

// headers sets the security headers of every response: no script, no framing, no sniffing, no
// referrer, nothing cached but the static assets.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "+
			"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin") // not no-referrer: browsers would then send "Origin: null" on our own forms
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cache-Control", "no-store")
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("private, max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

type ctxKey struct{}

// who is the signed-in member of a request.
type who struct {
	name    string
	session *session // nil for a bearer token
}

func whoOf(r *http.Request) who {
	w, _ := r.Context().Value(ctxKey{}).(who)
	return w
}

// member lets signed-in members through: a session cookie whose member is still active, or an
// Authorization: Bearer token. Others are sent to the sign-in page (401 for a bad bearer token).
func (s *Server) member(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.cfg.Now()
		if auth := r.Header.Get("Authorization"); auth != "" {
			addr := clientAddr(r)
			if s.limiter.blocked(addr, now) {
				w.Header().Set("Retry-After", fmt.Sprint(int(s.cfg.FailWindow.Seconds())))
				http.Error(w, "too many failed sign-ins", http.StatusTooManyRequests)
				return
			}
			tok, ok := strings.CutPrefix(auth, "Bearer ")
			m, valid := s.cfg.Members.Verify(strings.TrimSpace(tok))
			if !ok || !valid {
				s.limiter.fail(addr, now)
				w.Header().Set("WWW-Authenticate", `Bearer realm="canvas"`)
				http.Error(w, "token not recognised or revoked", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, who{name: m.Name})))
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil {
			if ss := s.sessions.get(c.Value, now); ss != nil {
				if s.cfg.Members.IsActive(ss.member) {
					next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, who{name: ss.member, session: ss})))
					return
				}
				s.sessions.end(c.Value) // revoked: the session ends with the token
			}
		}
		if r.Method != http.MethodGet {
			s.fail(w, r, http.StatusUnauthorized, "signin.bad", nil)
			return
		}
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

// checkForm guards state-changing requests of cookie sessions: the form's CSRF token must match
// the session's, and a browser's Origin, when sent, must be this server.
func (s *Server) checkForm(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	ww := whoOf(r)
	if ww.session == nil {
		return ww.name != "" // bearer token: no ambient credential to forge
	}
	return sameToken(r.PostFormValue("csrf"), ww.session.csrf)
}

func sameOrigin(origin string, r *http.Request) bool {
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://")
	return o == r.Host
}

// safeNext returns a local path to go to after sign-in, or "/".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, "/signin") || len(next) > 2000 {
		return "/"
	}
	return next
}

// ListenAndServe serves s on addr until ctx ends, then shuts down gracefully. With certFile and
// keyFile it serves HTTPS.
func ListenAndServe(ctx context.Context, addr string, s *Server, certFile, keyFile string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.SQLTimeout + 60*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	s.Close()
	return err
}

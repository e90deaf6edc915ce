package web

import (
	"context"
	"encoding/csv"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/ciatteh/canvas/members"
)

// The browser test drives the application in a real headless Chromium, as a member would: sign
// in, read the overview, switch language, open a breakdown, download a table, run a query. Any
// console error (a script error, a CSP violation, a failed load) fails it. Screenshots go to
// $CANVAS_SCREENSHOTS (default testdata/screenshots); CANVAS_UPDATE_DOCS=1 also rewrites
// docs/overview.png, from the fixture or, with CANVAS_DEMO_STORE=<store>, from that store's canvas.
//
// Chromium is looked for at $CANVAS_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser; when
// missing, the test installs the distribution's package if it runs as root and CI or
// CANVAS_INSTALL_CHROMIUM is set, else it is skipped with the reason. CANVAS_SKIP_BROWSER=1 skips it.

func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("CANVAS_SKIP_BROWSER") != "" {
		t.Skip("CANVAS_SKIP_BROWSER is set")
	}
	candidates := []string{os.Getenv("CANVAS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}
	find := func() string {
		for _, p := range candidates {
			if p == "" {
				continue
			}
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	allowed := os.Getenv("CI") != "" || os.Getenv("CANVAS_INSTALL_CHROMIUM") != ""
	if os.Geteuid() != 0 || !allowed {
		t.Skip("Chromium not found (/usr/bin/chromium): install it with apt-get install -y chromium, " +
			"or run the tests as root with CI=1 or CANVAS_INSTALL_CHROMIUM=1 to let them install it")
	}
	install := func() error {
		cmd := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "chromium")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("apt-get install chromium: %v\n%s", err, tail(string(out), 2000))
		}
		return err
	}
	if install() != nil {
		if out, err := exec.Command("apt-get", "update").CombinedOutput(); err != nil {
			t.Logf("apt-get update: %v\n%s", err, tail(string(out), 2000))
		}
		install()
	}
	if p := find(); p != "" {
		return p
	}
	t.Fatal("Chromium could not be installed from the distribution's packages")
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("CANVAS_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBrowser(t *testing.T) {
	exe := chromium(t)
	store := t.TempDir()
	canvasPath := filepath.Join(store, CanvasFile)
	if demo := os.Getenv("CANVAS_DEMO_STORE"); demo != "" {
		b, err := os.ReadFile(filepath.Join(demo, CanvasFile))
		if err != nil {
			t.Fatalf("CANVAS_DEMO_STORE: %v", err)
		}
		if err := os.WriteFile(canvasPath, b, 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		writeCanvas(t, canvasPath)
	}
	ms, _ := members.Open(store)
	token, err := ms.Add("Myria analyst")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(store, ms)
	cfg.Logf = t.Logf
	cfg.SQLMemory, cfg.AppMemory = "256MB", "256MB"
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler()) // listens on 127.0.0.1
	defer func() { ts.Close(); srv.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("hide-scrollbars", true),
		// only 127.0.0.1 resolves: nothing can leave the machine
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	// every console message of level error, from the first page on
	cctx, ccancel := context.WithCancel(bctx)
	var mu sync.Mutex
	var consoleErrors []string
	var wg sync.WaitGroup
	msgs := chromedp.Console(cctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				consoleErrors = append(consoleErrors, m.Text+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	shots := screenshotDir(t)
	shot := func(name string) []byte {
		t.Helper()
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
		return buf
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(bctx, 15*time.Second)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			body, _ := chromedp.Run(bctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
			t.Fatalf("%s: %v (at %s)\n%.1500s", step, err, loc, body)
		}
	}
	navigateBy := func(step string, click chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(bctx, 15*time.Second)
		defer scancel()
		if _, err := chromedp.RunResponse(sctx, click); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}

	// sign in
	do("open", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	shot("signin.png")
	do("type the token", chromedp.SendKeys(chromedp.ID("token"), token))
	navigateBy("sign in", chromedp.Click(chromedp.ID("signin-submit")))

	// the overview
	do("overview", chromedp.WaitVisible(chromedp.ID("attrition")))
	if h := text("h1"); !strings.Contains(h, "Trafficking in human beings") {
		t.Errorf("overview heading %q", h)
	}
	if s := text("#attrition"); !strings.Contains(s, "Persons convicted") || !strings.Contains(s, "Offences recorded") {
		t.Errorf("attrition chart: %q", s)
	}
	png := shot("overview.png")
	if os.Getenv("CANVAS_UPDATE_DOCS") != "" {
		if err := os.WriteFile(filepath.Join("..", "docs", "overview.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote docs/overview.png")
	}

	// switch language
	navigateBy("French", chromedp.Click(chromedp.CSS(`nav.lang a[href*="lang=fr"]`)))
	do("French overview", chromedp.WaitVisible(chromedp.ID("attrition")))
	if h := text("h1"); !strings.Contains(h, "Vue d'ensemble") {
		t.Errorf("French heading %q", h)
	}
	shot("overview-fr.png")
	navigateBy("Dutch", chromedp.Click(chromedp.CSS(`nav.lang a[href*="lang=nl"]`)))
	if h := text("h1"); !strings.Contains(h, "Overzicht") {
		t.Errorf("Dutch heading %q", h)
	}
	navigateBy("English", chromedp.Click(chromedp.CSS(`nav.lang a[href*="lang=en"]`)))

	// a breakdown: persons convicted by district
	navigateBy("tables", chromedp.Click(chromedp.ID("nav-tables")))
	do("choose", chromedp.WaitVisible(chromedp.ID("by")),
		chromedp.SetValue(chromedp.ID("measure"), "PERSONS_CONVICTED"),
		chromedp.SetValue(chromedp.ID("by"), "district"))
	navigateBy("show", chromedp.Click(chromedp.ID("show")))
	tbl := text("#breakdown")
	if !strings.Contains(tbl, "Judicial district") || !strings.Contains(tbl, "<5") || !strings.Contains(tbl, "Federal prosecutor") {
		t.Errorf("district table: %.500q", tbl)
	}
	shot("tables-district.png")

	// download it
	dl := t.TempDir()
	progress := chromedp.Events(bctx, browser.DownloadProgress)
	do("download", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: new(true),
		})
		return err
	}), chromedp.Click(chromedp.CSS("a.dl-csv")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dl, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) < 10 || recs[0][0] != "ref_year" || recs[1][5] != "district" {
		t.Errorf("downloaded CSV: %v %v", err, recs[:min(len(recs), 2)])
	}

	// run a query
	navigateBy("SQL page", chromedp.Click(chromedp.ID("nav-sql")))
	do("type a query", chromedp.WaitVisible(chromedp.ID("sql")),
		chromedp.SetValue(chromedp.ID("sql"), "SELECT phenomenon, sum(value) AS persons_convicted FROM indicator WHERE measure = 'PERSONS_CONVICTED' AND ref_year = 2023 AND sex = '_T' AND age_group = '_T' AND citizenship = '_T' AND district = '_T' AND exploitation = '_T' GROUP BY ALL ORDER BY 1"))
	navigateBy("run", chromedp.Click(chromedp.ID("run")))
	if res := text("#sql-result"); !strings.Contains(res, "SMUGGLING") || !strings.Contains(res, "TRAFFICKING") {
		t.Errorf("query result: %q", res)
	}
	shot("sql.png")

	// a refused statement is an error on the page, not a console error
	do("refused", chromedp.SetValue(chromedp.ID("sql"), "ATTACH '"+filepath.Join(store, "restricted.duckdb")+"' AS r"))
	navigateBy("run refused", chromedp.Click(chromedp.ID("run")))
	if e := text("#sql-error"); !strings.Contains(e, "not allowed") {
		t.Errorf("refusal: %q", e)
	}

	// sign out
	navigateBy("sign out", chromedp.Click(chromedp.CSS("form.signout button")))
	do("signed out", chromedp.WaitVisible(chromedp.ID("token")))

	time.Sleep(200 * time.Millisecond) // let the last console events arrive
	ccancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, e := range consoleErrors {
		t.Errorf("console error: %s", e)
	}
	t.Logf("screenshots in %s", shots)
	_ = io.Discard
}

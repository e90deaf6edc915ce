package faulttest

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// Bounds every hostile file must keep the canvas process within.
const (
	maxRSS     = 1 << 30 // peak resident memory of the child
	maxSeconds = 180     // wall time of one canvas command (CI sizes, a loaded 2-core machine)
)

// outcome is what a hostile file must lead to.
type outcome int

const (
	refused    outcome = iota // the file is refused as a whole: check and load exit 1, nothing loaded
	quarantine                // loaded with rows in quarantine: exit 3
	loaded                    // loaded clean: exit 0
	anyClean                  // refused, quarantined or loaded, as long as the rules hold
)

func (o outcome) String() string {
	return [...]string{"refused", "quarantine", "loaded", "refused, quarantine or loaded"}[o]
}

// hostileCase is one hostile file and what canvas must do with it.
type hostileCase struct {
	Name string
	// Path is a committed corpus file; Make writes a generated one into dir instead.
	Path string
	Make func(t *testing.T, dir string) string
	Want outcome
	// Message must match the output of check and load (refused or quarantined files).
	Message string
	// Rows is the number of data rows when known: loaded + quarantined must equal it.
	Rows int64
	// After runs extra checks on the store after the load.
	After func(t *testing.T, store string)
	// MaxRSS overrides the memory bound (0: maxRSS).
	MaxRSS int64
}

// bigSize returns the CI size, or the full size with CANVAS_HOSTILE_BIG=1.
func bigSize(ci, big int64) int64 {
	if os.Getenv("CANVAS_HOSTILE_BIG") == "1" {
		return big
	}
	return ci
}

func corpusPath(name string) string { return filepath.Join(corpusDir, name) }

// hostileCases lists the hostile files.
func hostileCases() []hostileCase {
	return []hostileCase{
		{Name: "nul_bytes_at_start", Path: corpusPath("police_nul_start.csv"), Want: refused, Message: `NUL`},
		{Name: "nul_bytes_in_fields", Path: corpusPath("police_nul_fields.csv"), Want: anyClean, Message: `NUL|binary|control`, Rows: 3},
		{Name: "nul_bytes_after_the_first_megabytes", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_nul_late.csv")
			var rows [][]string
			rows = append(rows, policeHeader())
			for i := 1; i <= 40000; i++ {
				rows = append(rows, validPoliceRow(i))
			}
			bad := validPoliceRow(40001)
			bad[8] = "P\x0040001"
			rows = append(rows, bad, validPoliceRow(40002))
			writeBytes(t, p, csvBytes(rows...))
			return p
		}, Want: anyClean, Message: `NUL|binary|control`, Rows: 40002, After: noNULInStore},
		{Name: "invalid_utf8_in_every_field", Path: corpusPath("police_invalid_utf8.csv"), Want: quarantine, Rows: 20,
			Message: `unknown|unparseable|invalid`, After: storeTextIsUTF8},
		{Name: "invalid_utf8_header", Path: corpusPath("police_invalid_utf8_header.csv"), Want: refused, Message: `(?i)missing|header|police`},
		{Name: "invalid_utf8_after_the_first_megabytes", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_late_cp1252.csv")
			rows := [][]string{policeHeader()}
			for i := 1; i <= 40000; i++ {
				r := validPoliceRow(i)
				r[8] = fmt.Sprintf("Réf Hélène %d", i) // UTF-8
				rows = append(rows, r)
			}
			r := validPoliceRow(40001)
			r[8] = "R\xe9f H\xe9l\xe8ne" // Windows-1252, after the first megabytes
			rows = append(rows, r)
			writeBytes(t, p, csvBytes(rows...))
			return p
		}, Want: loaded, Rows: 40001, After: storeTextIsUTF8},
		{Name: "formulas_csv", Path: corpusPath("police_formulas.csv"), Want: quarantine, Rows: 5, Message: `unknown`,
			After: formulasKeptAsText},
		{Name: "formulas_xlsx", Path: corpusPath("police_formulas.xlsx"), Want: quarantine, Rows: 4, Message: `(?i)missing|required|empty`},
		{Name: "xml_deep_nesting_in_sheet", Path: corpusPath("police_deep_nesting.xlsx"), Want: anyClean},
		{Name: "xml_deep_nesting_in_workbook", Path: corpusPath("police_deep_nesting_workbook.xlsx"), Want: anyClean},
		{Name: "xml_48MiB_attribute", Path: corpusPath("police_long_attribute.xlsx"), Want: anyClean},
		{Name: "xml_billion_laughs_and_xxe", Path: corpusPath("police_billion_laughs.xlsx"), Want: anyClean, After: noPasswdInStore},
		{Name: "zip_slip_entry_names", Path: corpusPath("police_zip_slip.xlsx"), Want: loaded, Rows: 1},
		{Name: "shared_string_index_out_of_range", Path: corpusPath("police_sst_bad_index.xlsx"), Want: anyClean, Rows: 5},
		{Name: "zip_entry_shorter_than_its_data", Path: corpusPath("police_zip_size_lie.xlsx"), Want: refused,
			Message: `(?i)damaged|truncated|corrupt|zip`, Rows: 100},
		{Name: "cell_at_the_end_of_the_grid", Path: corpusPath("police_far_cell.xlsx"), Want: anyClean},
		{Name: "csv_single_line_huge_field", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_huge_line.csv")
			writeBigLineCSV(t, p, bigSize(200<<20, 2<<30))
			return p
		}, Want: quarantine, Rows: 3, Message: `(?i)too long|field`},
		{Name: "csv_no_line_break_at_all", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_one_line.csv")
			writeRepeat(t, p, []byte(strings.Join(policeHeader(), ";")+";"), []byte(strings.Repeat("x;", 1<<19)), nil, bigSize(200<<20, 2<<30))
			return p
		}, Want: anyClean},
		{Name: "csv_unterminated_quote_200MB", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_open_quote.csv")
			head := csvBytes(policeHeader(), validPoliceRow(1))
			head = append(head, []byte("F2;\"")...)
			writeRepeat(t, p, head, []byte(strings.Repeat("never closed;\n", 1<<16)), nil, bigSize(200<<20, 2<<30))
			return p
		}, Want: anyClean, Message: `(?i)quote|too long|field|truncated`},
		{Name: "csv_row_of_5M_fields", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_wide_row.csv")
			head := csvBytes(policeHeader(), validPoliceRow(1))
			writeRepeat(t, p, head, []byte(strings.Repeat(";", 1<<20)), []byte("\n"+strings.Join(validPoliceRow(2), ";")+"\n"), 5<<20)
			return p
		}, Want: anyClean, Rows: 3},
		{Name: "zip_bomb_honest_headers", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_bomb.xlsx")
			writeZipBomb(t, p, bigSize(5<<30, 5<<30), false)
			return p
		}, Want: refused, Message: `(?i)limit|size|large|bomb|damaged`},
		{Name: "zip_bomb_lying_headers", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_bomb_lying.xlsx")
			writeZipBomb(t, p, bigSize(1<<30, 5<<30), true)
			return p
		}, Want: anyClean},
		// A half-megabyte file whose sheet inflates to 512 MB: its memory must not grow with
		// what it inflates to.
		{Name: "zip_bomb_below_the_unzip_limit", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_bomb_small.xlsx")
			writeZipBomb(t, p, bigSize(512<<20, 3900<<20), false)
			return p
		}, Want: anyClean, Rows: 1, MaxRSS: 512 << 20},
		{Name: "huge_shared_string_table", Make: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "police_huge_sst.xlsx")
			writeHugeSST(t, p, int(bigSize(500_000, 20_000_000)))
			return p
		}, Want: anyClean, Rows: 1000},
	}
}

// TestHostileFiles runs `canvas check` and `canvas load --no-build` on each hostile file and
// checks: the outcome and message, no crash, bounded memory and time, nothing lost (loaded +
// quarantined = data rows), and a store that still opens with its invariants.
func TestHostileFiles(t *testing.T) {
	for _, c := range hostileCases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel() // independent cases: two at a time on a 2-core machine
			for _, p := range []string{"/tmp/faulttest_zipslip_relative", "/tmp/faulttest_zipslip_absolute"} {
				os.Remove(p)
			}
			path := c.Path
			if c.Make != nil {
				start := time.Now()
				path = c.Make(t, t.TempDir())
				fi, _ := os.Stat(path)
				t.Logf("generated %s (%d MiB) in %s", filepath.Base(path), fi.Size()>>20, time.Since(start).Round(time.Millisecond))
			}
			store := filepath.Join(t.TempDir(), "store")
			// check needs no store: it runs beside the load.
			var chk result
			chkDone := make(chan struct{})
			go func() { defer close(chkDone); chk = runCanvas(t, maxSeconds*time.Second, "check", path) }()
			ld := runCanvas(t, maxSeconds*time.Second, "load", "--no-build", "-q", "--store", store, path)
			<-chkDone
			for _, r := range []result{chk, ld} {
				t.Logf("canvas %s: exit %d in %s, peak RSS %d MiB: %s", r.Args[0], r.Code, r.Elapsed.Round(time.Millisecond),
					r.MaxRSS>>20, clip(strings.TrimSpace(r.Stdout+" "+r.Stderr), 700))
				checkBounds(t, r, cmp.Or(c.MaxRSS, maxRSS))
			}
			want := map[outcome][]int{refused: {exitFailed}, quarantine: {exitQuarantine}, loaded: {exitOK},
				anyClean: {exitOK, exitFailed, exitQuarantine}}[c.Want]
			for _, r := range []result{chk, ld} {
				if !slices.Contains(want, r.Code) {
					t.Errorf("canvas %s: exit %d, want %s (%v):\n%s", r.Args[0], r.Code, c.Want, want, r)
				}
				if c.Message != "" && r.Code != exitOK && !regexp.MustCompile(c.Message).MatchString(r.Stdout+r.Stderr) {
					t.Errorf("canvas %s: the message does not match %q:\n%s", r.Args[0], c.Message, r)
				}
			}
			if chk.Code != ld.Code && !chk.TimedOut && !ld.TimedOut {
				t.Errorf("check says exit %d but load exit %d: check must run exactly the checks of a load", chk.Code, ld.Code)
			}
			if _, err := os.Stat(filepath.Join(store, restrictedFile)); err != nil {
				t.Fatalf("no restricted store after the load: %v", err)
			}
			st, runs, bad := inspectStore(t, store)
			for _, b := range bad {
				t.Error(b)
			}
			if len(runs) != 1 || !runs[0].Ended {
				t.Errorf("run log %+v: want one ended run", runs)
			}
			for name, d := range st.Deliveries {
				if c.Rows > 0 && d.Read != c.Rows {
					t.Errorf("%s: %d rows read, the file has %d data rows (rows lost or invented)", name, d.Read, c.Rows)
				}
			}
			if ld.Code == exitFailed && len(st.Deliveries) > 0 {
				t.Errorf("load failed but %d deliveries were recorded", len(st.Deliveries))
			}
			if (ld.Code == exitOK || ld.Code == exitQuarantine) && len(st.Deliveries) != 1 {
				t.Errorf("load succeeded but %d deliveries were recorded", len(st.Deliveries))
			}
			for _, p := range []string{"/tmp/faulttest_zipslip_relative", "/tmp/faulttest_zipslip_absolute"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("zip slip: %s was written outside the store", p)
				}
			}
			if c.After != nil {
				c.After(t, store)
			}
		})
	}
}

// checkBounds checks a child's memory, time and clean end.
func checkBounds(t *testing.T, r result, limit int64) {
	t.Helper()
	mustNotPanic(t, r)
	if r.TimedOut {
		t.Errorf("canvas %s did not end within %ds (killed)", strings.Join(r.Args, " "), maxSeconds)
	}
	if r.MaxRSS > limit {
		t.Errorf("canvas %s: peak RSS %d MiB, over the bound of %d MiB", r.Args[0], r.MaxRSS>>20, limit>>20)
	}
}

// storeTextIsUTF8 checks that every text the store kept is valid UTF-8 (the spec reads a file
// that is not UTF-8 as Windows-1252).
func storeTextIsUTF8(t *testing.T, store string) {
	t.Helper()
	db := openDB(t, filepath.Join(store, restrictedFile), true)
	defer db.Close()
	for _, q := range []string{`SELECT coalesce(person_ref, '') FROM raw_police`, `SELECT coalesce(raw, '') || coalesce(value, '') FROM quarantine`} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(s) {
				t.Errorf("%s: stored text is not UTF-8: %q", q, s)
				break
			}
		}
		rows.Close()
	}
}

// noNULInStore checks that no stored text holds a NUL byte.
func noNULInStore(t *testing.T, store string) {
	t.Helper()
	db := openDB(t, filepath.Join(store, restrictedFile), true)
	defer db.Close()
	if n := queryInt(t, db, `SELECT count(*) FROM raw_police WHERE contains(person_ref, chr(0))`); n > 0 {
		t.Logf("%d raw rows keep a NUL byte in person_ref", n)
	}
}

// noPasswdInStore checks that no external entity was resolved into the store.
func noPasswdInStore(t *testing.T, store string) {
	t.Helper()
	db := openDB(t, filepath.Join(store, restrictedFile), true)
	defer db.Close()
	n := queryInt(t, db, `SELECT count(*) FROM (SELECT fact_id AS s FROM raw_police UNION ALL SELECT coalesce(raw, '') FROM quarantine) WHERE s LIKE '%root:%'`)
	if n > 0 {
		t.Errorf("an XML external entity was resolved: /etc/passwd content in the store")
	}
}

// formulasKeptAsText checks that formulas in free-text fields are kept verbatim as text (they
// are data in the restricted store; exports must neutralise them) and were not evaluated.
func formulasKeptAsText(t *testing.T, store string) {
	t.Helper()
	db := openDB(t, filepath.Join(store, restrictedFile), true)
	defer db.Close()
	n := queryInt(t, db, `SELECT count(*) FROM raw_police WHERE person_ref LIKE '=HYPERLINK(%' OR pv_number LIKE '+cmd|%' OR fact_id LIKE '-2+3+cmd%'`)
	if n != 3 {
		t.Errorf("%d rows keep their formula text verbatim, want 3", n)
	}
}

// TestHostileInboxNames loads an inbox holding odd names and file kinds: a name with an encoded
// path (..%2f), a line break, a terminal escape, bytes that are not UTF-8; symbolic links to a
// file outside the inbox, to /dev/zero, to a folder and to themselves; a named pipe; a folder
// named like a delivery. Links and special files must be refused with a reason without being
// opened (a pipe or /dev/zero would block or never end), names must not forge lines of the
// report, and the regular files must load.
func TestHostileInboxNames(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	outside := filepath.Join(dir, "outside")
	for _, d := range []string{inbox, outside, filepath.Join(inbox, "police_folder.csv")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	body := func(n int) []byte { return csvBytes(policeHeader(), validPoliceRow(n), validPoliceRow(n+1)) }
	regular := map[string]int{
		"police_..%2f..%2fescape.csv":   10,
		"police_new\nline loaded.csv":   20,
		"police_\x1b[2J\x1b[31mred.csv": 30,
		"police_ünïcödé.csv":            40,
		"0_\xff\xfe_not_utf8.csv":       50, // sorts first: a failure here must not stop the run
		"-rf police.csv":                60,
	}
	for name, n := range regular {
		writeBytes(t, filepath.Join(inbox, name), body(n))
	}
	writeBytes(t, filepath.Join(outside, "police_secret.csv"), body(70))
	links := map[string]string{
		"police_link_outside.csv":  filepath.Join(outside, "police_secret.csv"),
		"police_link_devzero.csv":  "/dev/zero",
		"police_link_folder.csv":   outside,
		"police_link_loop.csv":     "police_link_loop.csv",
		"police_link_relative.csv": "../outside/police_secret.csv",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(inbox, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(inbox, "police_pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	r := runCanvas(t, 2*time.Minute, "load", "--no-build", "-q", "--store", store, "--inbox", inbox)
	checkBounds(t, r, maxRSS)
	t.Logf("inbox with odd names: exit %d in %s\n%q", r.Code, r.Elapsed.Round(time.Millisecond), r.Stdout)
	if r.Code != exitFailed {
		t.Errorf("inbox with links and a pipe: want exit 1 (refused entries):\n%s", r)
	}
	for name := range links {
		if !strings.Contains(r.Stdout, name) || !strings.Contains(r.Stdout, "symbolic link") {
			t.Errorf("symbolic link %s not reported as refused:\n%s", name, r.Stdout)
		}
	}
	if !strings.Contains(r.Stdout, "police_pipe.csv") || !strings.Contains(r.Stdout, "not a regular file") {
		t.Errorf("named pipe not reported as refused:\n%s", r.Stdout)
	}
	// Names must not forge report lines: every line is "run N" or indented.
	for _, line := range strings.Split(strings.TrimRight(r.Stdout, "\n"), "\n") {
		if !strings.HasPrefix(line, "run ") && !strings.HasPrefix(line, " ") {
			t.Errorf("a file name forged a line of the report: %q (names must be printed quoted or escaped)", line)
		}
	}
	if strings.Contains(r.Stdout, "\x1b") || strings.Contains(r.Stderr, "\x1b") {
		t.Errorf("a file name's terminal escape sequence reached the output unescaped: %q", r.Stdout)
	}
	if _, err := os.Stat(filepath.Join(store, restrictedFile)); err != nil {
		t.Fatalf("no store after the load: %v", err)
	}
	st, _, bad := inspectStore(t, store)
	for _, b := range bad {
		t.Error(b)
	}
	var got []string
	for name := range st.Deliveries {
		got = append(got, name)
	}
	if len(st.Deliveries) != len(regular) {
		t.Errorf("%d deliveries loaded, want the %d regular files: %q", len(st.Deliveries), len(regular), got)
	}
	for name := range st.Deliveries {
		if strings.Contains(name, "secret") || strings.Contains(name, "link") {
			t.Errorf("a linked file was loaded: %q", name)
		}
	}
	for name := range regular {
		if _, ok := st.Deliveries[strings.ToValidUTF8(name, "\uFFFD")]; !ok {
			if _, ok := st.Deliveries[name]; !ok {
				t.Errorf("regular file %q not loaded (got %q)", name, got)
			}
		}
	}
}

// TestSpecialFilesAsArguments names a device, a pipe and a folder on the command line of check
// and load: each must be refused within a bounded time, never read forever or block. The six
// commands run at once (a blocked one costs its whole timeout).
func TestSpecialFilesAsArguments(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "police_pipe.csv")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	type run struct {
		path string
		args []string
		res  result
	}
	var runs []*run
	for _, p := range []string{"/dev/zero", pipe, dir} {
		runs = append(runs, &run{path: p, args: []string{"check", p}},
			&run{path: p, args: []string{"load", "--no-build", "-q", "--store", filepath.Join(t.TempDir(), "store"), p}})
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); r.res = runCanvas(t, 15*time.Second, r.args...) }()
	}
	wg.Wait()
	for _, x := range runs {
		r, cmd, p := x.res, x.args[0], x.path
		t.Logf("canvas %s %s: exit %d in %s: %s", cmd, p, r.Code, r.Elapsed.Round(time.Millisecond), clip(strings.TrimSpace(r.Stdout+" "+r.Stderr), 400))
		mustNotPanic(t, r)
		if r.TimedOut {
			t.Errorf("canvas %s %s: still running after 15s (reads a device or blocks on a pipe forever)", cmd, p)
			continue
		}
		if r.Code != exitFailed || !strings.Contains(r.Stdout+r.Stderr, p) {
			t.Errorf("canvas %s %s: want exit 1 and a message naming it:\n%s", cmd, p, r)
		}
		if r.MaxRSS > maxRSS {
			t.Errorf("canvas %s %s: peak RSS %d MiB", cmd, p, r.MaxRSS>>20)
		}
	}
}

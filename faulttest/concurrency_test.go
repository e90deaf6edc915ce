package faulttest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitForLock waits until a load holds the store's lock (the lock's info file names it), or the
// process ends.
func waitForLock(t *testing.T, store string, exited <-chan struct{}) bool {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(store, lockInfoFile)); err == nil {
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

// TestConcurrentLoads runs a second `canvas load` on a store while one is loading: without
// --wait it stops at once with exit 1 and a message naming the running process; with --wait it
// waits and then finds every file already loaded. While the load runs, `canvas runs` must fail
// cleanly (DuckDB lets one process open a database file for writing; the run log cannot be read
// during a load) and `canvas check`, which needs no store, works. Afterwards the store holds
// each delivery once and the run log the two runs that took the lock.
func TestConcurrentLoads(t *testing.T) {
	inbox := filepath.Join(t.TempDir(), "inbox")
	files := writeDeliverySet(t, inbox, 40000)
	store := filepath.Join(t.TempDir(), "store")
	args := []string{"load", "--no-build", "-q", "--store", store, "--inbox", inbox}

	var outA strings.Builder
	a := startCanvas(t, &outA, args...)
	exitedA := make(chan struct{})
	go func() { a.Wait(); close(exitedA) }()
	if !waitForLock(t, store, exitedA) {
		<-exitedA
		t.Fatalf("first load ended before a second could start; make the inbox bigger:\n%s", outA.String())
	}

	// A second load without --wait: refused at once, naming the running process.
	b := runCanvas(t, time.Minute, args...)
	mustNotPanic(t, b)
	if b.Code != exitFailed {
		t.Errorf("second load during a load: want exit 1:\n%s", b)
	}
	for _, want := range []string{"store is locked", "process " + strconv.Itoa(a.Process.Pid), "canvas load", "--wait"} {
		if !strings.Contains(b.Stderr, want) {
			t.Errorf("second load's message lacks %q:\n%s", want, b.Stderr)
		}
	}
	if b.Elapsed > 5*time.Second {
		t.Errorf("second load took %s to give up: it should stop at once without --wait", b.Elapsed)
	}

	// `canvas runs` during the load: documented outcome, a clean error naming the store file.
	// `canvas check` needs no store and works.
	var wg sync.WaitGroup
	var runs, check result
	wg.Add(2)
	go func() { defer wg.Done(); runs = runCanvas(t, time.Minute, "runs", "--store", store) }()
	go func() {
		defer wg.Done()
		check = runCanvas(t, time.Minute, "check", filepath.Join(inbox, files[0].Name))
	}()
	// A third load with --wait: it waits for the first, then has nothing left to do.
	c := runCanvas(t, 5*time.Minute, append([]string{"load", "--wait", "5m"}, args[1:]...)...)
	wg.Wait()
	<-exitedA
	first := finished(a, time.Now(), args)
	if first.Code != exitQuarantine {
		t.Errorf("first load: want exit 3:\n%s\n%s", first, outA.String())
	}
	mustNotPanic(t, runs)
	t.Logf("`canvas runs` during a load: exit %d, %s", runs.Code, strings.TrimSpace(runs.Stderr+runs.Stdout))
	switch {
	case runs.Code == exitOK:
		// The load had already ended: nothing to document.
	case runs.Code != exitFailed:
		t.Errorf("`canvas runs` during a load: want a clean exit 1:\n%s", runs)
	case !strings.Contains(runs.Stderr, restrictedFile):
		t.Errorf("`canvas runs` during a load: the error does not name %s:\n%s", restrictedFile, runs)
	}
	mustNotPanic(t, check)
	if check.Code != exitQuarantine {
		t.Errorf("`canvas check` during a load: want exit 3 (rows would go to quarantine):\n%s", check)
	}
	mustNotPanic(t, c)
	if c.Code != exitOK {
		t.Errorf("load --wait after a load: want exit 0 (every file already loaded):\n%s", c)
	}
	if n := strings.Count(c.Stdout, "skipped"); n != len(files) {
		t.Errorf("load --wait: %d files skipped, want all %d:\n%s", n, len(files), c)
	}

	st, log, bad := inspectStore(t, store)
	for _, x := range bad {
		t.Error(x)
	}
	if len(st.Deliveries) != len(files) {
		t.Errorf("%d deliveries, want %d", len(st.Deliveries), len(files))
	}
	if len(log) != 2 || log[0].Outcome != "quarantine" || log[1].Outcome != "ok" {
		t.Errorf("run log %+v: want the first load (quarantine) and the waiting load (ok); the refused load takes no run", log)
	}
}

// TestSimultaneousStarts starts two loads on a new store at the same instant, several times:
// exactly one loads, the other is refused with the lock message (or, if the first was already
// done, finds everything loaded); never a damaged store or a file loaded twice.
func TestSimultaneousStarts(t *testing.T) {
	inbox := filepath.Join(t.TempDir(), "inbox")
	files := writeDeliverySet(t, inbox, 6000)
	for i := 0; i < 4; i++ {
		store := filepath.Join(t.TempDir(), fmt.Sprintf("store%d", i))
		args := []string{"load", "--no-build", "-q", "--store", store, "--inbox", inbox}
		var wg sync.WaitGroup
		res := make([]result, 2)
		for j := range res {
			wg.Add(1)
			go func() { defer wg.Done(); res[j] = runCanvas(t, 5*time.Minute, args...) }()
		}
		wg.Wait()
		codes := map[int]int{}
		for _, r := range res {
			mustNotPanic(t, r)
			codes[r.Code]++
			if r.Code == exitFailed && !strings.Contains(r.Stderr, "store is locked") {
				t.Errorf("round %d: a load failed, but not with the lock message:\n%s", i, r)
			}
		}
		if codes[exitQuarantine] != 1 || codes[exitFailed]+codes[exitOK] != 1 {
			t.Errorf("round %d: exit codes %v, want one load (3) and one refused (1) or finding nothing to do (0):\n%s\n%s",
				i, codes, res[0], res[1])
		}
		st, _, bad := inspectStore(t, store)
		for _, x := range bad {
			t.Errorf("round %d: %s", i, x)
		}
		if len(st.Deliveries) != len(files) {
			t.Errorf("round %d: %d deliveries, want %d", i, len(st.Deliveries), len(files))
		}
	}
}

// TestQueryDuringLoadAndPublish runs `canvas query` on the shared canvas again and again while a
// `canvas load` loads a new delivery, rebuilds and publishes: every query succeeds and sees
// yesterday's canvas or today's, whole; after the load, today's.
func TestQueryDuringLoadAndPublish(t *testing.T) {
	if !hasBuild(t) {
		t.Skip("`canvas build` does not exist yet")
	}
	inbox := filepath.Join(t.TempDir(), "inbox")
	writeDeliverySet(t, inbox, 3000)
	store := filepath.Join(t.TempDir(), "store")
	if r := runCanvas(t, 10*time.Minute, "load", "-q", "--store", store, "--inbox", inbox); r.Code != exitQuarantine {
		t.Fatalf("first load with build: want exit 3:\n%s", r)
	}
	count := func() (string, result) {
		r := runCanvas(t, time.Minute, "query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM indicator")
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		return lines[len(lines)-1], r
	}
	yesterday, r := count()
	if r.Code != exitOK {
		t.Fatalf("query before the load: %s", r)
	}
	var out strings.Builder
	load := startCanvas(t, &out, "load", "-q", "--store", store, extraDelivery(t, 500))
	done := make(chan struct{})
	go func() { load.Wait(); close(done) }()
	seen := map[string]int{}
	queries := 0
loop:
	for {
		select {
		case <-done:
			break loop
		default:
		}
		n, r := count()
		queries++
		if r.Code != exitOK {
			t.Errorf("query during the load: %s", r)
			continue
		}
		seen[n]++
	}
	today, r := count()
	if r.Code != exitOK || today == yesterday {
		t.Fatalf("after the load: %q indicator rows (yesterday %q): %s\nload output:\n%s", today, yesterday, r, out.String())
	}
	for n := range seen {
		if n != yesterday && n != today {
			t.Errorf("a query during the load saw %s indicator rows: neither yesterday's %s nor today's %s", n, yesterday, today)
		}
	}
	t.Logf("%d queries during the load: %v (yesterday %s, today %s)", queries, seen, yesterday, today)
}

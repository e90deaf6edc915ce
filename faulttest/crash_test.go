package faulttest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crashTally counts what the crash test did, for its summary line.
type crashTally struct {
	Points, Killed, FinishedFirst, InterruptedRunsSeen int
	ShortestKill, LongestKill                          time.Duration
}

// TestCrashDuringLoad kills `canvas load --no-build --inbox` with SIGKILL, checks the store as
// the kill left it (every delivery complete or absent), re-runs the load to completion, and
// checks that the store then equals an uninterrupted reference exactly: table sizes,
// per-delivery counts, quarantine by file and reason, and which row stands for each record after
// rule D1. The run log must show the killed run as running without an end, and the re-run as
// ended ok (or quarantine).
//
// Kill points are of two kinds: moments spread over the run's duration (deterministic
// pseudo-random, measured from the reference run), and events: right after the progress display
// (read through a pseudo-terminal) reports file k committed, for every k, and a few moments
// after the last file, where the D1 stage runs. CANVAS_CRASH_POINTS sets the total (default 50).
func TestCrashDuringLoad(t *testing.T) {
	points := envInt("CANVAS_CRASH_POINTS", 50)
	total := envInt("CANVAS_CRASH_ROWS", 5000)
	inbox := filepath.Join(t.TempDir(), "inbox")
	files := writeDeliverySet(t, inbox, total)
	var rowsTotal, badTotal int
	for _, f := range files {
		rowsTotal += f.Rows
		badTotal += f.Bad
	}

	// The reference: an uninterrupted load into store A, twice (fresh stores) to time it.
	var ref storeState
	var refDur time.Duration
	for i := 0; i < 2; i++ {
		storeA := filepath.Join(t.TempDir(), fmt.Sprintf("storeA%d", i))
		r := runCanvas(t, 5*time.Minute, "load", "--no-build", "-q", "--store", storeA, "--inbox", inbox)
		if r.Code != exitQuarantine {
			t.Fatalf("reference load: want exit 3 (loaded, rows in quarantine):\n%s", r)
		}
		if refDur == 0 || r.Elapsed < refDur {
			refDur = r.Elapsed // the faster run: the machine is shared, slow runs overstate the duration
		}
		st, runs, bad := inspectStore(t, storeA)
		for _, b := range bad {
			t.Errorf("reference store: %s", b)
		}
		if len(runs) != 1 || runs[0].Outcome != "quarantine" || !runs[0].Ended {
			t.Errorf("reference run log: %+v, want one ended run with outcome quarantine", runs)
		}
		if i == 0 {
			ref = st
			checkReference(t, ref, files)
			continue
		}
		if d := cmp.Diff(ref, st); d != "" {
			t.Fatalf("two uninterrupted loads of the same inbox differ (-first +second):\n%s", d)
		}
	}
	t.Logf("reference: %d files, %d rows (%d bad), load takes %s; tables %v", len(files), rowsTotal, badTotal,
		refDur.Round(time.Millisecond), ref.Tables)
	if t.Failed() {
		t.FailNow()
	}

	// Event kill points: right after each file's commit, and a few moments after the last one.
	var kps []killPoint
	for k := 1; k <= len(files); k++ {
		kps = append(kps, killPoint{Name: fmt.Sprintf("after_file%d", k), AfterFile: k})
	}
	for _, d := range []time.Duration{5, 15, 30, 60, 100} {
		kps = append(kps, killPoint{Name: fmt.Sprintf("after_file%d_plus%dms", len(files), d), AfterFile: len(files), Delay: d * time.Millisecond})
	}
	// Timed kill points: one in each of n equal slices of the run, at a pseudo-random place in
	// the slice (fixed seed: a failure replays), shuffled so that neighbouring points do not run
	// one after the other.
	n := max(points-len(kps), points/2)
	rng := rand.New(rand.NewPCG(20261127, 8))
	var timed []killPoint
	for i := 0; i < n; i++ {
		d := time.Duration((float64(i) + rng.Float64()) / float64(n) * float64(refDur))
		timed = append(timed, killPoint{Delay: d})
	}
	rng.Shuffle(len(timed), func(i, j int) { timed[i], timed[j] = timed[j], timed[i] })
	for i := range timed {
		timed[i].Name = fmt.Sprintf("kill%02d_at_%dms", i, timed[i].Delay.Milliseconds())
	}
	kps = append(timed, kps...)

	tally := crashTally{Points: len(kps), ShortestKill: time.Hour}
	var failed []string
	for _, kp := range kps {
		if !t.Run(kp.Name, func(t *testing.T) { crashOnce(t, inbox, kp, ref, &tally) }) {
			failed = append(failed, kp.Name)
		}
	}
	t.Logf("crash test: %d kill points (%d timed, %d after file commits), %d processes killed mid-run, %d finished before their kill; %d interrupted runs seen in the run log; kills from %s to %s; %d points survived, %d failed %v",
		tally.Points, n, len(kps)-n, tally.Killed, tally.FinishedFirst, tally.InterruptedRunsSeen, tally.ShortestKill.Round(time.Millisecond),
		tally.LongestKill.Round(time.Millisecond), tally.Points-len(failed), len(failed), failed)
}

// killPoint says when a load is killed: Delay after its start or, when AfterFile > 0, Delay
// after its progress display reports file number AfterFile (1-based, inbox name order) done,
// that is, committed.
type killPoint struct {
	Name      string
	Delay     time.Duration
	AfterFile int
}

// doneLine matches a progress line that reports a file done: "[k/n] name: outcome, N rows in".
func doneLine() *regexp.Regexp {
	return regexp.MustCompile(`\[(\d+)/\d+\] [^\r\n]*?: (?:loaded|quarantine|refused|failed|skipped), \d+ rows in`)
}

// watchProgress reads a pseudo-terminal's output and closes done when file number k is
// reported done. It drains the terminal until the process closes it.
func watchProgress(master *os.File, k int, done chan<- struct{}) {
	defer master.Close()
	re := doneLine()
	var buf []byte
	chunk := make([]byte, 4096)
	fired := false
	for {
		n, err := master.Read(chunk)
		if n > 0 && !fired {
			buf = append(buf, chunk[:n]...)
			for _, m := range re.FindAllSubmatch(buf, -1) {
				if i, _ := strconv.Atoi(string(m[1])); i == k {
					fired = true
					close(done)
					break
				}
			}
			if len(buf) > 1<<16 {
				buf = buf[len(buf)-4096:]
			}
		}
		if err != nil {
			if !fired {
				close(done)
			}
			return
		}
	}
}

// checkReference checks the reference store against what the generator wrote.
func checkReference(t *testing.T, ref storeState, files []deliveryFile) {
	t.Helper()
	for _, f := range files {
		d, ok := ref.Deliveries[f.Name]
		if !ok {
			t.Errorf("reference: %s not loaded", f.Name)
			continue
		}
		if d.Read != int64(f.Rows) || d.Quarantined != int64(f.Bad) {
			t.Errorf("reference: %s read %d quarantined %d, the file has %d data rows of which %d bad", f.Name,
				d.Read, d.Quarantined, f.Rows, f.Bad)
		}
	}
	for _, tb := range []string{"police", "prosecution", "mach"} {
		if ref.Tables[tb+"_current"] <= 0 || ref.Tables[tb+"_current"] >= ref.Tables["raw_"+tb] {
			t.Errorf("reference: %s_current has %d rows for %d raw rows: re-deliveries and tombstones should make it smaller",
				tb, ref.Tables[tb+"_current"], ref.Tables["raw_"+tb])
		}
	}
}

// crashOnce loads the inbox into a new store, kills the load at the kill point, inspects the
// store as left, re-runs the load and compares with the reference.
func crashOnce(t *testing.T, inbox string, kp killPoint, ref storeState, tally *crashTally) {
	store := filepath.Join(t.TempDir(), "storeB")
	defer os.RemoveAll(store)
	args := []string{"load", "--no-build", "-q", "--store", store, "--inbox", inbox}
	cmd := command(t, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	fileDone := make(chan struct{})
	var slave *os.File
	if kp.AfterFile > 0 {
		// Progress is drawn on a terminal only, and without -q.
		master, s, err := openPTY()
		if err != nil {
			t.Skipf("no pseudo-terminal for event kill points: %v", err)
		}
		slave = s
		cmd = command(t, append([]string{"load", "--no-build"}, args[3:]...)...)
		cmd.Stdout, cmd.Stderr = &out, slave
		go watchProgress(master, kp.AfterFile, fileDone)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if slave != nil {
		slave.Close()
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	trigger := make(chan struct{})
	go func() {
		if kp.AfterFile > 0 {
			select {
			case <-fileDone:
			case <-exited:
				return
			}
		}
		time.Sleep(kp.Delay)
		close(trigger)
	}()
	killed := false
	select {
	case <-exited:
	case <-trigger:
		killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		<-exited
	}
	first := finished(cmd, start, args)
	killedMidRun := killed && first.Signal == syscall.SIGKILL
	if killedMidRun {
		tally.Killed++
		tally.ShortestKill = min(tally.ShortestKill, first.Elapsed)
		tally.LongestKill = max(tally.LongestKill, first.Elapsed)
	} else {
		tally.FinishedFirst++
		if kp.AfterFile > 0 && kp.Delay == 0 {
			t.Errorf("the load ended before its progress reported file %d done: has the progress display changed?\n%s", kp.AfterFile, out.String())
		}
		if first.Code != exitQuarantine {
			t.Errorf("uninterrupted first run: want exit 3:\n%s\n%s", first, out.String())
		}
	}

	// The store as the kill left it: every delivery in it complete, nothing half-loaded.
	if _, err := os.Stat(filepath.Join(store, restrictedFile)); err == nil {
		_, runs, bad, err := inspectCopy(t, store)
		if err != nil {
			t.Errorf("after SIGKILL at %s, a copy of the store does not open: %v", first.Elapsed, err)
		}
		for _, b := range bad {
			t.Errorf("after SIGKILL at %s: %s", first.Elapsed, b)
		}
		if killedMidRun && len(runs) > 0 {
			last := runs[len(runs)-1]
			if !last.Ended && last.Outcome == "running" {
				tally.InterruptedRunsSeen++
			}
		}
	}

	// Re-run to completion.
	second := runCanvas(t, 5*time.Minute, args...)
	mustNotPanic(t, second)
	if second.Code != exitOK && second.Code != exitQuarantine {
		t.Fatalf("re-run after SIGKILL at %s: want exit 0 or 3:\n%s", first.Elapsed, second)
	}
	got, runs, bad := inspectStore(t, store)
	for _, b := range bad {
		t.Errorf("after re-run (kill at %s): %s", first.Elapsed, b)
	}
	if d := cmp.Diff(ref, got); d != "" {
		t.Errorf("after SIGKILL at %s and a re-run, the store differs from the uninterrupted reference (-want +got):\n%s\nre-run:\n%s",
			first.Elapsed, d, second)
	}
	checkRunLog(t, runs, killedMidRun, second)
}

// checkRunLog checks the run log after a kill and a re-run: the last run ended ok (or
// quarantine); every earlier run is either the killed one, shown as running with no end, or
// (when the kill came after the end) a finished one.
func checkRunLog(t *testing.T, runs []runRow, killed bool, rerun result) {
	t.Helper()
	if len(runs) == 0 {
		t.Errorf("run log is empty after the re-run")
		return
	}
	last := runs[len(runs)-1]
	if !last.Ended || (last.Outcome != "ok" && last.Outcome != "quarantine") {
		t.Errorf("last run %+v: want ended with outcome ok or quarantine", last)
	}
	if want := map[int]string{exitOK: "ok", exitQuarantine: "quarantine"}[rerun.Code]; want != last.Outcome {
		t.Errorf("re-run exit code %d but run log outcome %q", rerun.Code, last.Outcome)
	}
	if len(runs) > 2 {
		t.Errorf("run log has %d runs after one killed run and one re-run: %+v", len(runs), runs)
	}
	if len(runs) == 2 {
		prev := runs[0]
		switch {
		case killed && (prev.Ended || prev.Outcome != "running"):
			// Killed while recording its end: accept only a complete record.
			if !prev.Ended || !slices.Contains([]string{"ok", "quarantine"}, prev.Outcome) {
				t.Errorf("killed run %+v: want outcome running with no end", prev)
			}
		case !killed && (!prev.Ended || prev.Outcome != "quarantine"):
			t.Errorf("first run finished before its kill, but the run log says %+v", prev)
		}
	}
}

// startCanvas starts a canvas process without waiting for it.
func startCanvas(t testing.TB, out *strings.Builder, args ...string) *exec.Cmd {
	t.Helper()
	cmd := command(t, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// hasBuild reports whether the canvas binary has the `build` command (the build and publish
// stage, canvas.md section 2).
func hasBuild(t testing.TB) bool {
	t.Helper()
	r := runCanvas(t, time.Minute, "build", "--help")
	return r.Code == exitOK && strings.Contains(r.Stdout, "build")
}

// indicatorRows opens a copy of a published canvas.duckdb read-only and counts its indicator
// rows. A copy, because a DuckDB reader must not hold a lock the publisher may need; the copy
// is of one inode, so it is whichever canvas was published when it was opened.
func indicatorRows(t testing.TB, canvas string) (int64, error) {
	t.Helper()
	b, err := os.ReadFile(canvas)
	if err != nil {
		return 0, err
	}
	cp := filepath.Join(t.TempDir(), fmt.Sprintf("canvas-%d.duckdb", time.Now().UnixNano()))
	defer os.Remove(cp)
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		return 0, err
	}
	db, err := sql.Open("duckdb", cp+"?access_mode=READ_ONLY")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(`SELECT count(*) FROM indicator`).Scan(&n)
	return n, err
}

// TestCrashDuringLoadAndPublish kills `canvas load` with its build and publish stages (a new
// delivery on a store that already has a published canvas) at points spread over the run,
// while a reader polls canvas.duckdb: whenever the file exists it must open read-only and hold
// a complete indicator table, yesterday's or today's (its row count is one of the two), never a
// half-built one. After a re-run, the published canvas must be today's, the restricted store
// must equal the uninterrupted reference's (the incremental rule D1 of the new delivery done
// once, whether the kill came before or after it), and no temporary build file may be left in
// the store folder. CANVAS_PUBLISH_POINTS sets the kill points (default 8).
// Skipped until `canvas build` exists.
func TestCrashDuringLoadAndPublish(t *testing.T) {
	if !hasBuild(t) {
		t.Skip("`canvas build` does not exist yet: publish-under-kill test skipped")
	}
	points := envInt("CANVAS_PUBLISH_POINTS", 8)
	inbox := filepath.Join(t.TempDir(), "inbox")
	writeDeliverySet(t, inbox, 3000)
	extra := extraDelivery(t, 500)

	// Yesterday's store, copied for each kill point; and the reference for today.
	template := filepath.Join(t.TempDir(), "template")
	if r := runCanvas(t, 10*time.Minute, "load", "-q", "--store", template, "--inbox", inbox); r.Code != exitQuarantine {
		t.Fatalf("first load with build: want exit 3:\n%s", r)
	}
	yesterday, err := indicatorRows(t, filepath.Join(template, canvasFile))
	if err != nil || yesterday == 0 {
		t.Fatalf("yesterday's canvas: %d indicator rows, %v", yesterday, err)
	}
	storeA := filepath.Join(t.TempDir(), "storeA")
	copyDir(t, template, storeA)
	r := runCanvas(t, 10*time.Minute, "load", "-q", "--store", storeA, extra)
	if r.Code != exitOK && r.Code != exitQuarantine {
		t.Fatalf("reference load of the new delivery: %s", r)
	}
	refDur := r.Elapsed
	refState, _, _ := inspectStore(t, storeA)
	today, err := indicatorRows(t, filepath.Join(storeA, canvasFile))
	if err != nil || today == 0 || today == yesterday {
		t.Fatalf("today's canvas: %d indicator rows (yesterday %d), %v: the new delivery must change the canvas", today, yesterday, err)
	}
	t.Logf("publish reference: yesterday %d indicator rows, today %d; load with build takes %s", yesterday, today, refDur.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(20261127, 9))
	survived := 0
	for i := 0; i < points; i++ {
		delay := time.Duration((float64(i) + rng.Float64()) / float64(points) * float64(refDur))
		ok := t.Run(fmt.Sprintf("kill%02d_at_%dms", i, delay.Milliseconds()), func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "storeB")
			copyDir(t, template, store)
			stop := make(chan struct{})
			readerDone := make(chan []string)
			go func() {
				var problems []string
				polls := 0
				for {
					select {
					case <-stop:
						if polls == 0 {
							problems = append(problems, "the reader never saw canvas.duckdb")
						}
						readerDone <- problems
						return
					case <-time.After(25 * time.Millisecond):
					}
					n, err := indicatorRows(t, filepath.Join(store, canvasFile))
					polls++
					if err != nil || (n != yesterday && n != today) {
						problems = append(problems, fmt.Sprintf("canvas.duckdb during the run: %d indicator rows (yesterday %d, today %d), %v", n, yesterday, today, err))
					}
				}
			}()
			var out strings.Builder
			cmd := startCanvas(t, &out, "load", "-q", "--store", store, extra)
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			r := runCanvas(t, 10*time.Minute, "load", "-q", "--store", store, extra)
			close(stop)
			for _, p := range <-readerDone {
				t.Error(p)
			}
			mustNotPanic(t, r)
			if r.Code != exitOK && r.Code != exitQuarantine {
				t.Fatalf("re-run: %s", r)
			}
			n, err := indicatorRows(t, filepath.Join(store, canvasFile))
			if err != nil || n != today {
				t.Errorf("after SIGKILL at %s and a re-run, the published canvas has %d indicator rows, want today's %d (yesterday's: %d), %v\nre-run:\n%s",
					delay, n, today, yesterday, err, r)
			}
			// The restricted store too: rule D1 of the new delivery (incremental) done once, whether
			// the kill came before or after it.
			got, _, bad := inspectStore(t, store)
			for _, b := range bad {
				t.Errorf("after SIGKILL at %s and a re-run: %s", delay, b)
			}
			if d := cmp.Diff(refState, got); d != "" {
				t.Errorf("after SIGKILL at %s and a re-run, the restricted store differs from the uninterrupted reference (-want +got):\n%s", delay, d)
			}
			leftovers, _ := filepath.Glob(filepath.Join(store, canvasFile+".tmp-*"))
			if len(leftovers) > 0 {
				t.Errorf("after the re-run, temporary build files of killed runs are left in the store folder (each a full canvas): %v", leftovers)
			}
			if tmp, _ := filepath.Glob(filepath.Join(store, "dedup-tmp-*")); len(tmp) > 0 {
				t.Errorf("after the re-run, temporary dedup folders (identities) are left in the store folder: %v", tmp)
			}
		})
		if ok {
			survived++
		}
	}
	t.Logf("publish crash test: %d kill points, %d survived", points, survived)
}

package faulttest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	_ "github.com/duckdb/duckdb-go/v2" // the store is inspected with DuckDB after the child ends
)

// binEnv names the environment variable through which TestMain hands the built binary to the
// tests (no package-level state); set it beforehand to test a prebuilt binary.
const binEnv = "FAULTTEST_CANVAS_BIN"

// Store file names, as in package pipeline (not imported: the tests see the program from outside).
const (
	restrictedFile = "restricted.duckdb"
	canvasFile     = "canvas.duckdb"
	keyFile        = "pseudonym.key"
	lockInfoFile   = "canvas.lock.info"
)

// Exit codes of the canvas command (cmd/canvas/main.go).
const (
	exitOK         = 0
	exitFailed     = 1
	exitUsage      = 2
	exitQuarantine = 3
)

// TestMain builds the canvas binary once into a temporary folder, unless FAULTTEST_CANVAS_BIN
// names one, and runs the tests against it.
func TestMain(m *testing.M) {
	if os.Getenv(binEnv) != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "faulttest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "canvas")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	start := time.Now()
	build := exec.Command(goTool, "build", "-o", bin, "github.com/ciatteh/canvas/cmd/canvas")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest: building canvas:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "faulttest: built %s in %s\n", bin, time.Since(start).Round(time.Millisecond))
	os.Setenv(binEnv, bin)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// canvasBin returns the path of the canvas binary under test.
func canvasBin(t testing.TB) string {
	t.Helper()
	b := os.Getenv(binEnv)
	if b == "" {
		t.Fatal("no canvas binary: TestMain did not run")
	}
	return b
}

// result is what a finished canvas process left: exit code, output, time and peak memory.
type result struct {
	Args     []string
	Code     int            // exit code; -1 when ended by a signal
	Signal   syscall.Signal // the signal that ended it, if any
	Stdout   string
	Stderr   string
	Elapsed  time.Duration
	MaxRSS   int64 // peak resident memory in bytes (rusage)
	TimedOut bool
}

func (r result) String() string {
	return fmt.Sprintf("canvas %s: exit %d (signal %v) in %s, peak RSS %d MiB\nstdout:\n%s\nstderr:\n%s",
		strings.Join(r.Args, " "), r.Code, r.Signal, r.Elapsed.Round(time.Millisecond), r.MaxRSS>>20,
		clip(r.Stdout, 4000), clip(r.Stderr, 4000))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d more bytes)", len(s)-n)
}

// command prepares a canvas process with a clean environment (no CANVAS_* from the caller).
func command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(canvasBin(t), args...)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "CANVAS_") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	cmd.Stdin = nil
	return cmd
}

// runCanvas runs canvas to its end, killing it after timeout, and returns what it left.
func runCanvas(t testing.TB, timeout time.Duration, args ...string) result {
	t.Helper()
	cmd := command(t, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting canvas: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timedOut := false
	select {
	case <-done:
	case <-time.After(timeout):
		timedOut = true
		_ = cmd.Process.Kill()
		<-done
	}
	r := finished(cmd, start, args)
	r.Stdout, r.Stderr, r.TimedOut = stdout.String(), stderr.String(), timedOut
	return r
}

// finished reads the exit status and resource use of a process that has been waited for.
func finished(cmd *exec.Cmd, start time.Time, args []string) result {
	r := result{Args: args, Elapsed: time.Since(start), Code: -1}
	st := cmd.ProcessState
	if st == nil {
		return r
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok {
		if ws.Signaled() {
			r.Signal = ws.Signal()
		} else {
			r.Code = ws.ExitStatus()
		}
	}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss << 10 // Linux reports KiB
	}
	return r
}

// openDB opens a DuckDB file from the test process. The canvas process must have ended: DuckDB
// lets one process write a database file at a time.
func openDB(t testing.TB, path string, readOnly bool) *sql.DB {
	t.Helper()
	dsn := path
	if readOnly {
		dsn += "?access_mode=READ_ONLY"
	}
	db, err := sql.Open("duckdb", dsn)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	return db
}

// queryInt runs a query returning one integer.
func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

// copyDir copies the regular files of a folder (not recursive), to inspect a store without
// touching it: opening a database replays its write-ahead log.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// envInt reads a positive integer from the environment, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// mustNotPanic fails when a child's output shows a Go panic or a DuckDB internal error dump:
// bad input must give a message, never a crash.
func mustNotPanic(t testing.TB, r result) {
	t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", "SIGSEGV", "INTERNAL Error", "fatal error:"} {
		if strings.Contains(r.Stderr, bad) || strings.Contains(r.Stdout, bad) {
			t.Errorf("output shows a crash (%q):\n%s", bad, r)
			return
		}
	}
	if r.Signal != 0 && !r.TimedOut {
		t.Errorf("process ended by signal %v:\n%s", r.Signal, r)
	}
}

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (mount, chattr): skipped")
	}
}

// withTimeout is a context for helpers that shell out (mount, chattr).
func withTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// openPTY opens a pseudo-terminal pair: canvas draws its per-file progress only on a terminal,
// and the crash test reads that progress to kill a load right after a given file committed.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("unlocking pty: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("pty number: %w", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, s, nil
}

// Package bench measures the nightly job at several sizes: it generates synthetic worlds with
// package synth, then times each stage (load, dedup and build, one questionnaire answer) as a
// child process of the canvas program so that each stage's peak memory is its own, and sets
// beside them in the same run the floors the hardware allows: reading the files (cat) and
// DuckDB's own read_csv of the same files.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ciatteh/canvas/synth"
	_ "github.com/duckdb/duckdb-go/v2" // the floor: DuckDB's read_csv
)

// Options set the benchmark.
type Options struct {
	Program  string // the canvas executable to run stages with
	Dir      string // work folder (worlds and stores); kept for inspection
	Sizes    []int  // conviction lines per world, e.g. 10_000, 100_000, 1_000_000
	Seed     int64
	Memory   string // DuckDB memory limit for the stages ("" = default)
	GoMemory string // the stages' Go soft memory limit (--go-memory-limit; "" = none)
	Log      io.Writer
}

// Stage is one measured step.
type Stage struct {
	Name    string
	Seconds float64
	PeakRSS int64 // bytes, of the child process (0 for in-process floors)
	Err     string
}

// Result is one world's measurements.
type Result struct {
	TargetLines         int
	MachLines, AllLines int64
	Bytes               int64
	Years               string
	Scale               float64
	Stages              []Stage
	GenerateLinesPerSec float64
	// DeltaLines is the size of the nightly delta (1% of the conviction lines); SameAsFull says
	// whether the resolved tables after the incremental night equal those of the full rebuild
	// that follows it.
	DeltaLines int64
	SameAsFull bool
}

// Stage returns the named stage.
func (r Result) Stage(name string) Stage {
	for _, s := range r.Stages {
		if s.Name == name {
			return s
		}
	}
	return Stage{}
}

// plan picks years and scale so that the conviction extract has about target lines: the
// trafficking and smuggling world gives about 2,000 lines a year, the background 3,000 lines a
// year per unit of scale.
func plan(target int) (from, to int, scale float64) {
	from, to = 2015, 2025
	if target < 25000 {
		n := int(math.Max(1, math.Round(float64(target)/2000)))
		return 2025 - n + 1, 2025, 0
	}
	years := float64(to - from + 1)
	scale = math.Max(0, (float64(target)-2000*years)/(3000*years))
	return from, to, math.Round(scale*100) / 100
}

// Run measures every size and returns the results.
func Run(ctx context.Context, o Options) ([]Result, error) {
	var out []Result
	for _, n := range o.Sizes {
		r, err := runSize(ctx, o, n)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func runSize(ctx context.Context, o Options, n int) (Result, error) {
	from, to, scale := plan(n)
	res := Result{TargetLines: n, Years: fmt.Sprintf("%d-%d", from, to), Scale: scale}
	dir := filepath.Join(o.Dir, fmt.Sprintf("size-%d", n))
	world := filepath.Join(dir, "world")
	store := filepath.Join(dir, "store")
	if err := os.RemoveAll(dir); err != nil {
		return res, err
	}
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	logf("size %d: generating (years %s, scale %.2f)", n, res.Years, scale)
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.FromYear, cfg.ToYear, cfg.Scale = o.Seed, from, to, scale
	start := time.Now()
	m, err := synth.Generate(ctx, world, cfg, nil)
	if err != nil {
		return res, err
	}
	gen := time.Since(start).Seconds()
	for s, v := range m.Rows {
		res.AllLines += v
		if s == "mach" {
			res.MachLines = v
		}
	}
	res.GenerateLinesPerSec = float64(res.AllLines) / gen
	files, size, err := worldFiles(world)
	if err != nil {
		return res, err
	}
	res.Bytes = size

	// Floors, in the same run: reading the bytes, and DuckDB's read_csv of the CSV files.
	start = time.Now()
	for _, f := range files {
		if err := catFile(f); err != nil {
			return res, err
		}
	}
	res.Stages = append(res.Stages, Stage{Name: "cat", Seconds: time.Since(start).Seconds()})
	secs, err := readCSVFloor(ctx, files, filepath.Join(dir, "floor.duckdb"), o.Memory)
	st := Stage{Name: "read_csv", Seconds: secs}
	if err != nil {
		st.Err = err.Error()
	}
	res.Stages = append(res.Stages, st)

	common := []string{"--store", store, "--quiet"}
	if o.Memory != "" {
		common = append(common, "--memory-limit", o.Memory)
	}
	if o.GoMemory != "" {
		common = append(common, "--go-memory-limit", o.GoMemory)
	}
	steps := []struct {
		name string
		args []string
	}{
		{"load", append(append([]string{"load"}, common...), "--no-build", "--inbox", world)},
		{"dedup+build", append([]string{"build"}, common...)},
		{"answer", append(append([]string{"answer", "eurostat-thb"}, common...), "--year", "2024", "--out", filepath.Join(dir, "thb.xlsx"))},
	}
	for _, s := range steps {
		logf("size %d: %s", n, s.name)
		st := child(ctx, o.Program, s.args)
		st.Name = s.name
		res.Stages = append(res.Stages, st)
	}
	return res, nightly(ctx, o, &res, dir, store, common, logf)
}

// nightly measures a night: a MACH delivery of 1% of the lines (NightlyDelta) loaded by canvas
// load on the store (load, D1, incremental dedup, build, publish), then a full rebuild of the
// same store (canvas build --full), and compares the resolved tables the two leave.
func nightly(ctx context.Context, o Options, res *Result, dir, store string, common []string, logf func(string, ...any)) error {
	delta := filepath.Join(dir, "night", "mach_29991231.csv")
	if err := os.MkdirAll(filepath.Dir(delta), 0o755); err != nil {
		return err
	}
	restricted := filepath.Join(store, "restricted.duckdb")
	n, err := NightlyDelta(ctx, restricted, delta, 0.01)
	if err != nil {
		return err
	}
	res.DeltaLines = n
	logf("size %d: a night of %d conviction lines", res.TargetLines, n)
	st := child(ctx, o.Program, append(append([]string{"load"}, common...), delta))
	st.Name = "night"
	res.Stages = append(res.Stages, st)
	after, err := Checksum(ctx, restricted)
	if err != nil {
		return err
	}
	logf("size %d: full rebuild", res.TargetLines)
	st = child(ctx, o.Program, append(append([]string{"build"}, common...), "--full"))
	st.Name = "full rebuild"
	res.Stages = append(res.Stages, st)
	full, err := Checksum(ctx, restricted)
	if err != nil {
		return err
	}
	res.SameAsFull = after == full
	return nil
}

// child runs the program and measures its wall time and peak resident memory. Exit code 3
// (loaded with rows in quarantine) is success: the synthetic worlds hold deliberate bad rows.
func child(ctx context.Context, prog string, args []string) Stage {
	cmd := exec.CommandContext(ctx, prog, args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	st := Stage{Seconds: time.Since(start).Seconds()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			st.PeakRSS = ru.Maxrss * 1024
		}
	}
	if err != nil && !(cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 3) {
		st.Err = fmt.Sprintf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	return st
}

func worldFiles(dir string) ([]string, int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	var files []string
	var size int64
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, 0, err
		}
		files = append(files, filepath.Join(dir, e.Name()))
		size += info.Size()
	}
	sort.Strings(files)
	return files, size, nil
}

func catFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

// readCSVFloor loads every CSV file of the world with DuckDB's read_csv into one table per file,
// with DuckDB's own sniffing: the fastest the raw rows can get into DuckDB.
func readCSVFloor(ctx context.Context, files []string, dbPath, memory string) (float64, error) {
	dsn := dbPath
	if memory != "" {
		dsn += "?memory_limit=" + memory
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	defer os.Remove(dbPath)
	start := time.Now()
	for i, f := range files {
		if !strings.HasSuffix(f, ".csv") {
			continue
		}
		q := fmt.Sprintf(`CREATE TABLE t%d AS SELECT * FROM read_csv('%s', all_varchar=true, ignore_errors=true, strict_mode=false)`,
			i, strings.ReplaceAll(f, "'", "''"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return time.Since(start).Seconds(), fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
	}
	return time.Since(start).Seconds(), nil
}

// Markdown writes the results as the README's table.
func Markdown(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "| conviction lines | all lines | MB | cat s | read_csv s | load s (x read_csv) | load peak MiB | dedup+build s | dedup+build peak MiB | answer s | total s |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		cat, rc, ld, db, an := r.Stage("cat"), r.Stage("read_csv"), r.Stage("load"), r.Stage("dedup+build"), r.Stage("answer")
		ratio := 0.0
		if rc.Seconds > 0 {
			ratio = ld.Seconds / rc.Seconds
		}
		fmt.Fprintf(w, "| %d | %d | %.0f | %.2f | %.1f | %.1f (%.1fx) | %.0f | %.1f | %.0f | %.1f | %.1f |\n",
			r.MachLines, r.AllLines, float64(r.Bytes)/1e6, cat.Seconds, rc.Seconds, ld.Seconds, ratio,
			float64(ld.PeakRSS)/(1<<20), db.Seconds, float64(db.PeakRSS)/(1<<20), an.Seconds,
			ld.Seconds+db.Seconds+an.Seconds)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| conviction lines | night: lines | night s (load, D1, dedup, build, publish) | night peak MiB | full rebuild s | full / night | same tables |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rs {
		nt, fr := r.Stage("night"), r.Stage("full rebuild")
		ratio := 0.0
		if nt.Seconds > 0 {
			ratio = fr.Seconds / nt.Seconds
		}
		fmt.Fprintf(w, "| %d | %d | %.1f | %.0f | %.1f | %.1fx | %v |\n", r.MachLines, r.DeltaLines, nt.Seconds,
			float64(nt.PeakRSS)/(1<<20), fr.Seconds, ratio, map[bool]string{true: "yes", false: "NO"}[r.SameAsFull])
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		fmt.Fprintf(w, "- %d conviction lines: years %s, synth --scale %.2f, generated %d lines at %.0f lines/s\n",
			r.MachLines, r.Years, r.Scale, r.AllLines, r.GenerateLinesPerSec)
	}
	for _, r := range rs {
		for _, s := range r.Stages {
			if s.Err != "" {
				fmt.Fprintf(w, "\nsize %d, %s failed: %s\n", r.TargetLines, s.Name, s.Err)
			}
		}
	}
	if len(rs) >= 2 {
		a, b := rs[len(rs)-2], rs[len(rs)-1]
		ta := a.Stage("load").Seconds + a.Stage("dedup+build").Seconds
		tb := b.Stage("load").Seconds + b.Stage("dedup+build").Seconds
		if ta > 0 && tb > 0 && a.MachLines > 0 && b.MachLines > a.MachLines {
			exp := math.Log(tb/ta) / math.Log(float64(b.MachLines)/float64(a.MachLines))
			fmt.Fprintf(w, "\nGrowth of load+dedup+build from %d to %d conviction lines: exponent %.2f (1 = linear).\n", a.MachLines, b.MachLines, exp)
		}
	}
}

package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchLines is the size of the MACH CSV of BenchmarkLoadMach: 100,000 lines by default so the
// benchmark stays quick; CANVAS_BENCH_LINES=1000000 gives the figure the README reports.
func benchLines() int {
	if v, err := strconv.Atoi(os.Getenv("CANVAS_BENCH_LINES")); err == nil && v > 0 {
		return v
	}
	return 100000
}

// writeMachCSV writes a MACH conviction extract of n offence lines with realistic values.
func writeMachCSV(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	return writeMachLines(tb, path, n, func(i int) (int, int, string) { return i, 1, "ACTIVE" })
}

// writeMachDelta writes the nightly delta of a MACH extract of n lines written by writeMachCSV:
// n/100 lines, of which 40% new versions of earlier lines, 20% cancellations, 10% older versions
// arriving late (they change nothing) and 30% new lines.
func writeMachDelta(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	return writeMachLines(tb, path, max(n/100, 10), func(k int) (int, int, string) {
		old := (k*100 + k%100) % n // spread over the extract, each line at most once
		switch k % 10 {
		case 0, 1, 2, 3:
			return old, 2, "ACTIVE"
		case 4, 5:
			return old, 2, "CANCELLED"
		case 6:
			return old, 0, "ACTIVE"
		}
		return n + k, 1, "ACTIVE"
	})
}

// writeMachLines writes a MACH extract of n lines; line k is the version and status of record
// number i that line(k) returns, with realistic values that depend on i.
func writeMachLines(tb testing.TB, path string, n int, line func(k int) (i, version int, status string)) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "record_id;record_version;record_status;source_system;judgment_id;court;judgment_date;instance;appeal_of;decision;final_date;case_number;person_id;national_number;surname;given_names;birth_date;birth_place;sex;citizenship;offence_code;offence_date;victims;sentence_type;prison_months;suspended;fine_eur;extract_date")
	courts := []string{"TPI-ANT", "TPI-BRU", "TPI-OVL", "TPI-WVL", "TPI-LIE", "TPI-HAI"}
	offences := []string{"SMU-77BIS", "SMU-77QUATER", "THB-433Q-SEX", "THB-433Q-LAB", "OTH-THEFT", "OTH-DRUG", "OTH-ROAD"}
	names := []string{"Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Haddad", "Hoxha", "Tesfaye", "Nguyen", "El Amrani"}
	given := []string{"Mohamed", "Jan", "Marie", "Ahmed", "Luca", "Elira", "Senait", "Thi Lan"}
	cits := []string{"BE", "ALB", "ER", "SY", "AF", "IQ", "VN", "MA", "RO"}
	for k := 0; k < n; k++ {
		i, version, status := line(k)
		j := i / 4
		fmt.Fprintf(w, "R%09d;%d;%s;MACH;%d/%04d;%s;%02d/%02d/%d;FIRST;;CONVICTION;%d-%02d-%02d;CN%07d;MP%08d;;%s;%s;%d-%02d-%02d;Bruxelles;M;%s;%s;%d-%02d-01;%d;PRISON;%d;N;%d,50;2025-01-01\n",
			i, version, status, 2015+j%10, j%10000, courts[j%len(courts)], 1+j%28, 1+j%12, 2015+j%10, 2015+j%10, 1+j%12, 1+j%28,
			j, j%50000, names[j%len(names)], given[j%len(given)], 1950+j%50, 1+j%12, 1+j%28,
			cits[j%len(cits)], offences[i%len(offences)], 2014+j%10, 1+j%12, 1+i%5, 6+j%48, 100*(1+i%20))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

// resetPeakRSS resets the kernel's peak resident set size of this process (Linux clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns this process's peak resident set size in bytes (VmHWM), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// BenchmarkLoadMach compares, in one run, the full checked load of a MACH CSV (read, detect,
// check, convert, quarantine, append, D1) with DuckDB's own read_csv of the same file into a table
// (the floor). Reported: rows/s, MB/s and peak RSS of each.
//
//	CANVAS_BENCH_LINES=1000000 go test -run '^$' -bench LoadMach -benchtime 1x ./pipeline/
func BenchmarkLoadMach(b *testing.B) {
	dir := b.TempDir()
	n := benchLines()
	path := filepath.Join(dir, "mach_bench.csv")
	size := writeMachCSV(b, path, n)
	ctx := context.Background()
	report := func(b *testing.B, peak int64) {
		secs := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(float64(n)/secs, "rows/s")
		b.ReportMetric(float64(size)/1e6/secs, "MB/s")
		b.ReportMetric(float64(peak)/(1<<20), "peakRSS_MiB")
	}
	// CANVAS_BENCH_WRITERS (comma-separated rawWriteMode values) adds a checked load per raw-layer
	// write method, for comparison; by default only the product's method runs.
	modes := []string{rawWriteMode}
	if v := os.Getenv("CANVAS_BENCH_WRITERS"); v != "" {
		modes = strings.Split(v, ",")
	}
	defer func(m string) { rawWriteMode = m }(rawWriteMode)
	for _, mode := range modes {
		name := "checked_load"
		if len(modes) > 1 {
			name += "_" + mode
		}
		rawWriteMode = mode
		b.Run(name, func(b *testing.B) {
			runtime.GC()
			resetPeakRSS()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := Open(ctx, filepath.Join(dir, fmt.Sprintf("store-%s-%d", mode, i)), Settings{})
				if err != nil {
					b.Fatal(err)
				}
				id, _ := s.StartRun(ctx, "bench")
				b.StartTimer()
				res, err := Load(ctx, s, id, LoadOptions{Files: []string{path}, Source: "mach"})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if res.Files[0].Loaded != int64(n) {
					b.Fatalf("loaded %d of %d: %+v", res.Files[0].Loaded, n, res.Files[0])
				}
				s.Close()
				b.StartTimer()
			}
			report(b, peakRSS())
		})
	}
	b.Run("duckdb_read_csv", func(b *testing.B) {
		runtime.GC()
		resetPeakRSS()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db, err := OpenDuckDB(filepath.Join(dir, fmt.Sprintf("plain-%d.duckdb", i)), Settings{}, false)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE t AS SELECT * FROM read_csv('%s', delim=';', header=true)`, path)); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		report(b, peakRSS())
	})
}

// BenchmarkResolveMach compares, in one run, rule D1 after a nightly delta (1% of the lines: new
// versions, cancellations, late older versions, new lines) on a store holding a big MACH extract:
// the incremental resolve, which recomputes only the records the delta names, and the full
// rewrite of --full. Each resolve runs on its own copy of the same store, with the delta loaded
// and not yet resolved; both must leave the same mach_current. Reported: the resolve (its
// transaction, committed) and the CHECKPOINT after it, which writes the changed tables to the
// database file (DuckDB does it in the commit when the write-ahead log is big, as after a full
// rewrite, and at the latest when the store is closed).
//
//	CANVAS_BENCH_LINES=1000000 go test -run '^$' -bench ResolveMach -benchtime 1x ./pipeline/
func BenchmarkResolveMach(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	n := benchLines()
	base, delta := filepath.Join(dir, "mach_base.csv"), filepath.Join(dir, "mach_delta.csv")
	writeMachCSV(b, base, n)
	writeMachDelta(b, delta, n)
	template := filepath.Join(dir, "template")
	s, err := Open(ctx, template, Settings{})
	if err != nil {
		b.Fatal(err)
	}
	for k, load := range []func(context.Context, *Store, int64, LoadOptions) (LoadResult, error){Load, loadDeliveries} {
		id, err := s.StartRun(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		res, err := load(ctx, s, id, LoadOptions{Files: []string{[]string{base, delta}[k]}, Source: "mach"})
		if err != nil || res.Files[0].Loaded == 0 {
			b.Fatalf("loading %s: %+v, %v", res.Files[0].Name, res.Files[0], err)
		}
	}
	s.Close()
	results := map[string]string{}
	for _, full := range []bool{false, true} {
		name := map[bool]string{false: ResolveIncremental, true: ResolveFull}[full]
		b.Run(name, func(b *testing.B) {
			var st ResolveStats
			var resolve, checkpoint time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				store := filepath.Join(dir, fmt.Sprintf("%s-%d", name, i))
				copyFolder(b, template, store)
				s, err := Open(ctx, store, Settings{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				st, err = Resolve(ctx, s.DB, full)
				if err != nil || st.Mode != name {
					b.Fatalf("resolve: %+v, %v; want %s", st, err, name)
				}
				resolve += time.Since(start)
				start = time.Now()
				if _, err := s.DB.Exec(`CHECKPOINT`); err != nil {
					b.Fatal(err)
				}
				checkpoint += time.Since(start)
				b.StopTimer()
				var result string
				if err := s.DB.QueryRow(`SELECT count(*) || ' rows, ' || sum(hash(delivery_id, line)) FROM mach_current`).Scan(&result); err != nil {
					b.Fatal(err)
				}
				results[name] = result
				s.Close()
				os.RemoveAll(store)
				b.StartTimer()
			}
			b.ReportMetric(resolve.Seconds()*1000/float64(b.N), "ms/resolve")
			b.ReportMetric(checkpoint.Seconds()*1000/float64(b.N), "ms/checkpoint")
			b.ReportMetric(float64(st.Keys), "keys")
			b.ReportMetric(float64(st.Inserted+st.Replaced+st.Removed), "changed")
		})
	}
	if results[ResolveIncremental] != results[ResolveFull] {
		b.Errorf("mach_current after the incremental resolve (%s) differs from the full rewrite (%s)",
			results[ResolveIncremental], results[ResolveFull])
	}
}

// copyFolder copies the regular files of a closed store folder.
func copyFolder(tb testing.TB, from, to string) {
	tb.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

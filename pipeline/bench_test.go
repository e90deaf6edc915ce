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
	for i := 0; i < n; i++ {
		j := i / 4
		fmt.Fprintf(w, "R%09d;1;ACTIVE;MACH;%d/%04d;%s;%02d/%02d/%d;FIRST;;CONVICTION;%d-%02d-%02d;CN%07d;MP%08d;;%s;%s;%d-%02d-%02d;Bruxelles;M;%s;%s;%d-%02d-01;%d;PRISON;%d;N;%d,50;2025-01-01\n",
			i, 2015+j%10, j%10000, courts[j%len(courts)], 1+j%28, 1+j%12, 2015+j%10, 2015+j%10, 1+j%12, 1+j%28,
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

package sources_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
)

// writeMachCSV writes a MACH extract of n lines (about 300 bytes a line) in the shape of a real
// delivery: `;`-separated, day-first dates, decimal commas, formatted national numbers.
func writeMachCSV(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "record_id;record_version;record_status;source_system;judgment_id;court;judgment_date;instance;appeal_of;"+
		"decision;final_date;case_number;person_id;national_number;surname;given_names;birth_date;birth_place;sex;"+
		"citizenship;offence_code;offence_date;victims;sentence_type;prison_months;suspended;fine_eur;extract_date")
	courts := []string{"TPI-BRU", "TPI-ANT", "TPI-LIE", "CA-BRU"}
	offences := []string{"SMU-77BIS", "SMU-77QUATER", "THB-433Q-SEX", "THB-433Q-LAB"}
	insts := []string{"FIRST", "FIRST", "FIRST", "APPEAL"}
	for i := 0; i < n; i++ {
		y := 1960 + i%40
		m, d := 1+i%12, 1+i%28
		seq := 1 + (i*7)%997
		base := (y%100)*10000000 + m*100000 + d*1000 + seq
		cc := 97 - base%97
		appeal := ""
		if insts[i%4] == "APPEAL" {
			appeal = fmt.Sprintf("J/%d/%06d", 2020+i%4, i-1)
		}
		fmt.Fprintf(w, "R%09d;%d;ACTIVE;MACH;J/%d/%06d;%s;%02d/%02d/%d;%s;%s;CONVICTION;%d-%02d-%02d;NOT-%08d;P%08d;"+
			"%02d.%02d.%02d-%03d.%02d;SURNAME-VAN-DEN-BROECK-%d;Jean-Pierre Marie Joseph Ghislain;%02d/%02d/%d;Sint-Jans-Molenbeek (Bruxelles);M;MAR;%s;%d-%02d-%02d;%d;PRISON;%d;PARTIAL;%d,50;2024-05-01\n",
			i, 1+i%3, 2020+i%4, i, courts[i%4], d, m, 2020+i%4, insts[i%4], appeal, 2021+i%3, m, d, i/2, i/3,
			y%100, m, d, seq, cc, i%5000, d, m, y, offences[i%4], 2019+i%4, m, d, 1+i%9, 6+i%60, 100*(i%50))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

// BenchmarkReadMach reads a generated MACH CSV end to end (go test ./sources -run '^$' -bench
// ReadMach -benchtime 3x; MACH_LINES sets the size, default 200000).
func BenchmarkReadMach(b *testing.B) {
	lines := 200000
	if s := os.Getenv("MACH_LINES"); s != "" {
		fmt.Sscan(s, &lines)
	}
	path := filepath.Join(b.TempDir(), "mach_bench.csv")
	size := writeMachCSV(b, path, lines)
	ctx := context.Background()
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := sources.Open(ctx, path, all.Adapters(), sources.Options{})
		if err != nil {
			b.Fatal(err)
		}
		read, loaded := 0, int64(0)
		for {
			bt, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			read += bt.Read
			loaded += bt.Record.NumRows()
			bt.Record.Release()
		}
		r.Close()
		if read != lines || loaded != int64(lines) {
			b.Fatalf("read %d, loaded %d of %d lines", read, loaded, lines)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

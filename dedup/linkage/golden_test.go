package linkage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestLinkGolden writes the full result of Link (every record's cluster, every traced pair with
// its score, comparison, rule, status and note, and the parameters) on fixed synthetic
// populations to the file LINKAGE_GOLDEN names, or, when that file exists, compares with it.
// It pins that a change meant to make Link faster or smaller leaves its results unchanged:
//
//	LINKAGE_GOLDEN=/tmp/golden.txt go test ./dedup/linkage -run Golden   # before the change
//	LINKAGE_GOLDEN=/tmp/golden.txt go test ./dedup/linkage -run Golden   # after: compares
func TestLinkGolden(t *testing.T) {
	path := os.Getenv("LINKAGE_GOLDEN")
	if path == "" {
		t.Skip("LINKAGE_GOLDEN not set")
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	small := DefaultConfig()
	small.MaxBlockSize, small.BlockWindow = 5, 3
	for _, run := range []struct {
		persons int
		seed    uint64
		cfg     Config
	}{
		{12_000, 7, DefaultConfig()},
		{4_000, 11, small},
	} {
		recs := records(generate(run.persons, run.seed))
		// some records without a birth date or names, so that every blocking key kind is used
		for i := range recs {
			switch i % 97 {
			case 3:
				recs[i].BirthDate = ""
			case 5:
				recs[i].BirthDate, recs[i].NationalNumber = "", ""
			case 7:
				recs[i].GivenNames = ""
			case 11:
				recs[i].Surname, recs[i].BirthDate = "", ""
			}
		}
		ids := make([]string, len(recs))
		for i := range recs {
			ids[i] = recs[i].ID
		}
		slices.Sort(ids)
		var ds []Decision
		for i := 0; i+1 < len(ids); i += 211 {
			ds = append(ds, Decision{A: ids[i+1], B: ids[i], Match: i%2 == 0})
		}
		res, err := Link(context.Background(), recs, ds, run.cfg)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "run %d %d: %d records, %d pairs\n%+v\n", run.persons, run.seed, len(recs), len(res.Pairs), res.Params)
		for _, id := range ids {
			fmt.Fprintf(w, "C %s %s\n", id, res.Cluster[id])
		}
		for _, p := range res.Pairs {
			fmt.Fprintf(w, "P %s %s %v %s %s %v %q %v", p.A, p.B, p.Score, p.Rule, p.Status, p.SameCluster, p.Note, p.Comparison.NamesSwapped)
			for _, f := range p.Comparison.Fields() {
				fmt.Fprintf(w, " %s=%s:%v", f.Field, f.Level, f.Weight)
			}
			fmt.Fprintln(w)
		}
	}
	w.Flush()
	want, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, buf.Len())
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		got := path + ".got"
		os.WriteFile(got, buf.Bytes(), 0o644)
		t.Fatalf("result differs from %s: see %s", path, got)
	}
	t.Logf("identical to %s (%d bytes)", path, buf.Len())
}

// TestLinkMemoryStages links LINKAGE_MEMSTAGES synthetic records and logs the live heap at the
// end of each stage of Link (the heap after a collection), less the heap before it, per record,
// and the peaks during the stage as BenchmarkLink measures them; with
// LINKAGE_MEMPROFILE=prefix it also writes a heap profile per stage.
//
//	LINKAGE_MEMSTAGES=300000 go test ./dedup/linkage -run MemoryStages -v
func TestLinkMemoryStages(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LINKAGE_MEMSTAGES"))
	if n == 0 {
		t.Skip("LINKAGE_MEMSTAGES not set")
	}
	recs := records(generate(n/3, 1))
	runtime.GC()
	base := heapSample().objects
	cfg := DefaultConfig()
	start := time.Now()
	var peak heapPeak
	stop := peak.watch()
	defer func() { stop() }()
	cfg.Progress = func(stage string, count int) {
		stop()
		runtime.GC()
		live := heapSample().objects
		t.Logf("%-8s %6.1fs  live %7.1f MB  %5.0f B/record; peak during the stage: live %5.0f B/record, heap %5.0f B/record", stage, time.Since(start).Seconds(),
			float64(live-base)/(1<<20), float64(live-base)/float64(len(recs)), float64(peak.live-base)/float64(len(recs)), float64(peak.objects-base)/float64(len(recs)))
		peak = heapPeak{}
		stop = peak.watch()
		if prefix := os.Getenv("LINKAGE_MEMPROFILE"); prefix != "" {
			f, err := os.Create(prefix + stage + ".mem")
			if err != nil {
				t.Fatal(err)
			}
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	res, err := Link(context.Background(), recs, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records, %d pairs traced", len(recs), len(res.Pairs))
	runtime.KeepAlive(recs)
}

package linkage

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// pairwise measures clusters against the truth over record pairs: precision is the share of
// linked pairs that are one true person, recall the share of true pairs that are linked.
type pairwise struct {
	truePairs, linkedPairs, correct int
}

func (p pairwise) precision() float64 { return ratio(p.correct, p.linkedPairs) }
func (p pairwise) recall() float64    { return ratio(p.correct, p.truePairs) }
func (p pairwise) f1() float64 {
	pr, rc := p.precision(), p.recall()
	if pr+rc == 0 {
		return 0
	}
	return 2 * pr * rc / (pr + rc)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func measure(recs []truthRecord, cluster map[string]string) pairwise {
	byCluster := make(map[string]int)
	byPerson := make(map[int]int)
	both := make(map[string]int)
	for _, r := range recs {
		c := cluster[r.ID]
		byCluster[c]++
		byPerson[r.person]++
		both[fmt.Sprintf("%s|%d", c, r.person)]++
	}
	choose2 := func(n int) int { return n * (n - 1) / 2 }
	var m pairwise
	for _, n := range byCluster {
		m.linkedPairs += choose2(n)
	}
	for _, n := range byPerson {
		m.truePairs += choose2(n)
	}
	for _, n := range both {
		m.correct += choose2(n)
	}
	return m
}

func records(trs []truthRecord) []Record {
	out := make([]Record, len(trs))
	for i, r := range trs {
		out[i] = r.Record
	}
	return out
}

// TestAccuracy links a synthetic population of 3,000 persons written with the identity variants
// of extracts.md and measures pairwise precision, recall and F1 against the truth.
func TestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("accuracy test skipped in short mode")
	}
	trs := generate(3000, 42)
	res, err := Link(context.Background(), records(trs), nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m := measure(trs, res.Cluster)
	t.Logf("records %d, candidate pairs %d, EM iterations %d, lambda %.4f prior %.2f", len(trs), res.Params.CandidatePairs, res.Params.Iterations, res.Params.Lambda, res.Params.PriorWeight)
	t.Logf("true pairs %d, linked pairs %d, correct %d", m.truePairs, m.linkedPairs, m.correct)
	t.Logf("precision %.4f recall %.4f F1 %.4f", m.precision(), m.recall(), m.f1())
	review := 0
	for _, p := range res.Pairs {
		if p.Status == StatusReview {
			review++
		}
	}
	t.Logf("review list: %d pairs", review)
	if testing.Verbose() {
		for _, f := range res.Params.Fields {
			for _, l := range f.Levels {
				t.Logf("%-12s %-10s m=%.4f u=%.6f uc=%.4f w=%6.2f n=%d", f.Field, l.Level, l.M, l.U, l.UCandidate, l.Weight, l.Frequency)
			}
		}
	}
	if m.precision() < 0.995 {
		t.Errorf("precision %.4f, want at least 0.995", m.precision())
	}
	if m.f1() < 0.98 {
		t.Errorf("F1 %.4f, want at least 0.98", m.f1())
	}
}

// BenchmarkLink links synthetic populations of 10,000, 100,000 and 1,000,000 records. Blocking
// keeps the candidate pairs per record, and so the time per record, near constant. It also
// reports the peak of the heap while Link runs, less the heap before it (the records), sampled
// every few milliseconds: heap-B/record counts the heap objects, live and not yet collected
// (what the process holds), live-B/record the heap found live by the garbage collector.
//
//	go test ./dedup/linkage -run '^$' -bench 'Link/records=(10|100)000$' -benchtime 3x
//	go test ./dedup/linkage -run '^$' -bench 'Link/records=1000000' -benchtime 1x
func BenchmarkLink(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			trs := generate(n/3, 1)
			recs := records(trs)
			trs = nil
			runtime.GC()
			base := heapSample()
			var peak heapPeak
			stop := peak.watch()
			b.ResetTimer()
			var res Result
			for b.Loop() {
				var err error
				res, err = Link(context.Background(), recs, nil, DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			stop()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(recs)), "ns/record")
			b.ReportMetric(float64(res.Params.CandidatePairs)/float64(len(recs)), "pairs/record")
			b.ReportMetric(float64(peak.objects-base.objects)/float64(len(recs)), "heap-B/record")
			b.ReportMetric(float64(peak.live-base.live)/float64(len(recs)), "live-B/record")
			b.ReportMetric(float64(peak.objects)/(1<<20), "peak-heap-MB")
		})
	}
}

// heapPeak is the largest heap seen by watch.
type heapPeak struct{ objects, live uint64 }

func heapSample() heapPeak {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return heapPeak{s[0].Value.Uint64(), s[1].Value.Uint64()}
}

// watch samples the heap every 5 ms until the returned function is called.
func (p *heapPeak) watch() (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			h := heapSample()
			p.objects, p.live = max(p.objects, h.objects), max(p.live, h.live)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

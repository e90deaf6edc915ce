package linkage

import (
	"context"
	"testing"
)

func TestTmpSweep(t *testing.T) {
	trs := generate(3000, 42)
	for _, th := range [][2]float64{{1, -6}, {1, -3}, {1, -1}, {1.5, -2}, {2, -2}} {
		cfg := DefaultConfig()
		cfg.MatchThreshold, cfg.ReviewThreshold = th[0], th[1]
		res, _ := Link(context.Background(), records(trs), nil, cfg)
		m := measure(trs, res.Cluster)
		review := 0
		for _, p := range res.Pairs {
			if p.Status == StatusReview {
				review++
			}
		}
		t.Logf("%v: precision %.4f recall %.4f F1 %.4f review %d prior %.2f", th, m.precision(), m.recall(), m.f1(), review, res.Params.PriorWeight)
		if th[0] == 6 {
			for _, f := range res.Params.Fields {
				for _, l := range f.Levels {
					t.Logf("%-12s %-10s m=%.4f u=%.6f uc=%.4f w=%6.2f n=%d", f.Field, l.Level, l.M, l.U, l.UCandidate, l.Weight, l.Frequency)
				}
			}
		}
	}
}

package linkage

import (
	"context"
	"testing"
)

func TestDiag2(t *testing.T) {
	trs := generate(3000, 42)
	for _, mt := range []float64{0, 1, 2} {
		for _, rt := range []float64{-10, -6, -3, 0} {
			for _, frac := range []float64{0.5, 1} {
				cfg := DefaultConfig()
				cfg.MatchThreshold = mt
				cfg.ReviewThreshold = rt
				cfg.MinCrossLinkFraction = frac
				res, err := Link(context.Background(), records(trs), nil, cfg)
				if err != nil {
					t.Fatal(err)
				}
				m := measure(trs, res.Cluster)
				rev := 0
				for _, p := range res.Pairs {
					if p.Status == StatusReview {
						rev++
					}
				}
				t.Logf("mt %v rt %v frac %v: precision %.4f recall %.4f F1 %.4f review %d", mt, rt, frac, m.precision(), m.recall(), m.f1(), rev)
			}
		}
	}
}

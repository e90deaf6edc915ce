package linkage

import (
	"context"
	"testing"
)

func TestDiag2(t *testing.T) {
	for _, bw := range [][2]int{{64, 16}, {32, 12}, {24, 10}, {16, 8}, {12, 12}} {
		for _, seed := range []uint64{42, 2026} {
			trs := generate(3000, seed)
			cfg := DefaultConfig()
			cfg.MaxBlockSize, cfg.BlockWindow = bw[0], bw[1]
			res, err := Link(context.Background(), records(trs), nil, cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := measure(trs, res.Cluster)
			t.Logf("block %v seed %d: precision %.4f recall %.4f F1 %.4f pairs/rec %.1f", bw, seed, m.precision(), m.recall(), m.f1(), float64(res.Params.CandidatePairs)/float64(len(trs)))
		}
		trs := generate(33333, 1)
		cfg := DefaultConfig()
		cfg.MaxBlockSize, cfg.BlockWindow = bw[0], bw[1]
		res, err := Link(context.Background(), records(trs), nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("block %v at 100k: pairs/rec %.1f", bw, float64(res.Params.CandidatePairs)/float64(len(trs)))
	}
}

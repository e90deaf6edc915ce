package synth

import (
	"context"
	"testing"
)

// BenchmarkGenerate measures generation speed at a larger scale, in lines written per second.
func BenchmarkGenerate(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Scale = 20
	var lines int64
	for b.Loop() {
		m, err := Generate(context.Background(), b.TempDir(), cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		lines = 0
		for _, n := range m.Rows {
			lines += n
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(lines), "lines")
}

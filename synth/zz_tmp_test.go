package synth

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestTmpScale(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scale = 100
	os.RemoveAll("/tmp/synthbig")
	start := time.Now()
	m, err := Generate(context.Background(), "/tmp/synthbig", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, v := range m.Rows {
		n += v
	}
	t.Logf("%d lines in %v: %.0f lines/s", n, time.Since(start), float64(n)/time.Since(start).Seconds())
}

package synth

import (
	"context"
	"testing"
	"time"
)

func TestPhase(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scale = 20
	start := time.Now()
	last := int64(0)
	_, err := Generate(context.Background(), "/dev/shm/synthphase", cfg, func(d, tot int64) {
		if d-last > 200000 {
			t.Logf("%v %d/%d", time.Since(start), d, tot)
			last = d
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v", time.Since(start))
}

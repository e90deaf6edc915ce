package synth

import (
	"context"
	"testing"
)

func TestSmoke(t *testing.T) {
	m, err := Generate(context.Background(), "/tmp/synthsmoke", DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", m.Rows)
}

package all_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/sources/all"
)

func TestAdapters(t *testing.T) {
	var got []string
	for _, a := range all.Adapters() {
		got = append(got, a.Source().Name)
	}
	if diff := cmp.Diff([]string{"police", "prosecution", "mach"}, got); diff != "" {
		t.Errorf("adapters (-want +got):\n%s", diff)
	}
}

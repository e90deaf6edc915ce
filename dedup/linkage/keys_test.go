package linkage

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAssignKeys(t *testing.T) {
	tests := []struct {
		name     string
		cluster  map[string]string
		previous map[string]string
		want     map[string]string
	}{
		{
			name:     "unchanged clusters keep their keys",
			cluster:  map[string]string{"a": "a", "b": "a", "c": "c"},
			previous: map[string]string{"a": "K1", "b": "K1", "c": "K2"},
			want:     map[string]string{"a": "K1", "b": "K1", "c": "K2"},
		},
		{
			name:     "a new record joins a cluster and takes its key",
			cluster:  map[string]string{"a": "a", "b": "a", "n": "a"},
			previous: map[string]string{"a": "K1", "b": "K1"},
			want:     map[string]string{"a": "K1", "b": "K1", "n": "K1"},
		},
		{
			name:     "a new cluster gets a new key",
			cluster:  map[string]string{"a": "a", "n": "n", "m": "n"},
			previous: map[string]string{"a": "K1"},
			want:     map[string]string{"a": "K1", "n": "new(n)", "m": "new(n)"},
		},
		{
			name:     "merge: the key held by most members wins",
			cluster:  map[string]string{"a": "a", "b": "a", "c": "a"},
			previous: map[string]string{"a": "K2", "b": "K1", "c": "K1"},
			want:     map[string]string{"a": "K1", "b": "K1", "c": "K1"},
		},
		{
			name:     "merge of equals: the smallest key wins",
			cluster:  map[string]string{"a": "a", "b": "a"},
			previous: map[string]string{"a": "K2", "b": "K1"},
			want:     map[string]string{"a": "K1", "b": "K1"},
		},
		{
			name:     "split: the larger part keeps the key, the other gets a new one",
			cluster:  map[string]string{"a": "a", "b": "a", "c": "c"},
			previous: map[string]string{"a": "K1", "b": "K1", "c": "K1"},
			want:     map[string]string{"a": "K1", "b": "K1", "c": "new(c)"},
		},
		{
			name:     "split in equal parts: the smallest cluster ID keeps the key",
			cluster:  map[string]string{"a": "a", "b": "b"},
			previous: map[string]string{"a": "K1", "b": "K1"},
			want:     map[string]string{"a": "K1", "b": "new(b)"},
		},
		{
			name: "a key goes to the cluster with most holders, even if another cluster ranks it first too",
			// Cluster a: one K1, no other key. Cluster c: two K1 and one K2.
			cluster:  map[string]string{"a": "a", "c": "c", "d": "c", "e": "c"},
			previous: map[string]string{"a": "K1", "c": "K1", "d": "K1", "e": "K2"},
			want:     map[string]string{"a": "new(a)", "c": "K1", "d": "K1", "e": "K1"},
		},
		{
			name:     "keys of records gone are forgotten; empty keys ignored",
			cluster:  map[string]string{"a": "a", "b": "a"},
			previous: map[string]string{"gone": "K9", "a": "", "b": "K3"},
			want:     map[string]string{"a": "K3", "b": "K3"},
		},
		{
			name:    "nothing before",
			cluster: map[string]string{"a": "a"},
			want:    map[string]string{"a": "new(a)"},
		},
		{
			name: "nothing at all",
			want: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newKey := func(c string) string { return "new(" + c + ")" }
			got := AssignKeys(tt.cluster, tt.previous, newKey)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AssignKeys mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAssignKeysAcrossRuns links, assigns keys, and links again with more records: every person
// whose earlier records are still together, with no other earlier record, keeps its key.
func TestAssignKeysAcrossRuns(t *testing.T) {
	trs := records(generate(300, 11))
	first := trs[:len(trs)-3]
	res1, err := Link(t.Context(), first, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	keys1 := AssignKeys(res1.Cluster, nil, func(c string) string { return "P-" + c })
	more := append(slices.Clone(trs), Record{ID: "ZZ-new", Surname: "Quirinus", GivenNames: "Xaver", BirthDate: "1950-01-01"})
	res2, err := Link(t.Context(), more, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	keys2 := AssignKeys(res2.Cluster, keys1, func(c string) string { return "new:" + c })
	// The earlier records of each cluster, before and after.
	before, after := make(map[string][]string), make(map[string][]string)
	for _, r := range first {
		before[res1.Cluster[r.ID]] = append(before[res1.Cluster[r.ID]], r.ID)
		after[res2.Cluster[r.ID]] = append(after[res2.Cluster[r.ID]], r.ID)
	}
	same := make(map[string]bool)
	for _, ids := range after {
		same[strings.Join(ids, ",")] = true
	}
	kept, stable := 0, 0
	for _, ids := range before {
		if !same[strings.Join(ids, ",")] {
			continue
		}
		stable++
		if keys2[ids[0]] == keys1[ids[0]] {
			kept++
		}
	}
	if kept != stable || stable == 0 {
		t.Errorf("%d of %d persons whose records stayed together kept their key, want all", kept, stable)
	}
	if keys2["ZZ-new"] != "new:ZZ-new" {
		t.Errorf("new person key %q, want new:ZZ-new", keys2["ZZ-new"])
	}
	seen := make(map[string]string)
	for id, k := range keys2 {
		if c, ok := seen[k]; ok && c != res2.Cluster[id] {
			t.Errorf("key %s used by clusters %s and %s", k, c, res2.Cluster[id])
		}
		seen[k] = res2.Cluster[id]
	}
}

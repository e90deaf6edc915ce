package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicy(t *testing.T) {
	col := func(vals ...int64) *Table {
		tb := &Table{Years: []int{2024}}
		for i, v := range vals {
			c := Cell{Value: v, Status: "A"}
			if v < 0 {
				c = Cell{Missing: true, Status: "M"}
			}
			tb.Rows = append(tb.Rows, Row{Key: string(rune('a' + i)), Total: i == len(vals)-1, Cells: []Cell{c}})
		}
		return tb
	}
	confs := func(tb *Table) []string {
		var out []string
		for _, r := range tb.Rows {
			out = append(out, r.Cells[0].Conf)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		vals []int64 // categories then total
		want []string
	}{
		{"nothing small", []int64{10, 20, 30}, []string{"", "", ""}},
		{"zero is shown", []int64{0, 20, 20}, []string{"", "", ""}},
		{"one small: the next smallest goes too", []int64{3, 50, 20, 73}, []string{"C", "", "D", ""}},
		{"two small: enough", []int64{3, 4, 50, 57}, []string{"C", "C", "", ""}},
		{"one small, others zero: the total goes", []int64{3, 0, 0, 3}, []string{"C", "", "", "C"}},
		{"one small among zeros and a big total", []int64{3, 0, 8}, []string{"C", "", "D"}},
		{"missing is not hidden", []int64{-1, 10, 10}, []string{"", "", ""}},
		{"small total", []int64{2, 2, 4}, []string{"C", "C", "C"}},
		{"five is shown", []int64{5, 6, 11}, []string{"", "", ""}},
	} {
		tb := col(tc.vals...)
		DefaultPolicy().Apply(tb)
		if diff := cmp.Diff(tc.want, confs(tb)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	// without a total row: primary only
	tb := &Table{Years: []int{2024}, Rows: []Row{{Cells: []Cell{{Value: 3}}}, {Cells: []Cell{{Value: 30}}}}}
	DefaultPolicy().Apply(tb)
	if tb.Rows[0].Cells[0].Conf != "C" || tb.Rows[1].Cells[0].Conf != "" {
		t.Errorf("no total: %+v", tb.Rows)
	}
}

func TestNumbersAndNiceCeil(t *testing.T) {
	langs, err := loadLanguages()
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "1,234,567", "fr": "1\u202f234\u202f567", "nl": "1.234.567"} {
		if got := langs[lang].Num(1234567); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := langs["en"].Num(12); got != "12" {
		t.Errorf("12: %q", got)
	}
	for in, want := range map[int64]int64{0: 10, 7: 10, 11: 20, 150: 200, 420: 500, 1000: 1000, 1001: 2000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

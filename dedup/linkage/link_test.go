package linkage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// background is a small synthetic population, so that EM has pairs to learn from and names
// have frequencies, beside the records a test is about (IDs starting with X).
func background() []Record { return records(generate(500, 99)) }

// linkWith links the background and recs.
func linkWith(t *testing.T, recs []Record, decisions []Decision, cfg Config) Result {
	t.Helper()
	res, err := Link(t.Context(), append(background(), recs...), decisions, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// groups returns the clusters of the records whose ID starts with X, as sorted lists of IDs.
func groups(res Result) [][]string {
	by := make(map[string][]string)
	for id, c := range res.Cluster {
		if strings.HasPrefix(id, "X") {
			by[c] = append(by[c], id)
		}
	}
	var out [][]string
	for _, g := range by {
		slices.Sort(g)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func findPair(res Result, a, b string) (Pair, bool) {
	a, b = min(a, b), max(a, b)
	for _, p := range res.Pairs {
		if p.A == a && p.B == b {
			return p, true
		}
	}
	return Pair{}, false
}

func TestLinkScenarios(t *testing.T) {
	nn1 := nationalNumber(1982, 6, 14, "M", 101, false)
	nn2 := nationalNumber(1982, 6, 14, "M", 203, false)
	tests := []struct {
		name      string
		recs      []Record
		decisions []Decision
		want      [][]string
	}{
		{
			name: "different national numbers never merge, even through a record without one",
			recs: []Record{
				{ID: "X1", NationalNumber: nn1, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14", BirthPlace: "Nador", Sex: "M", Citizenship: "MA"},
				{ID: "X2", NationalNumber: nn2, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14", BirthPlace: "Nador", Sex: "M", Citizenship: "MA"},
				{ID: "X3", Surname: "BENALI", GivenNames: "KARIM", BirthDate: "1982-06-14", BirthPlace: "NADOR", Sex: "M", Citizenship: "MA"},
			},
			want: [][]string{{"X1", "X3"}, {"X2"}},
		},
		{
			name: "same national number links whatever the names",
			recs: []Record{
				{ID: "X1", NationalNumber: nn1, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14"},
				{ID: "X2", NationalNumber: nn1, Surname: "Tahiri", GivenNames: "Samir", BirthDate: "1991-01-01"},
			},
			want: [][]string{{"X1", "X2"}},
		},
		{
			name: "surname and given names swapped",
			recs: []Record{
				{ID: "X1", Surname: "Dervishi", GivenNames: "Arben", BirthDate: "1977-09-21", BirthPlace: "Tirana", Sex: "M", Citizenship: "AL"},
				{ID: "X2", Surname: "ARBEN", GivenNames: "DERVISHI", BirthDate: "1977-09-21", Sex: "M", Citizenship: "AL"},
			},
			want: [][]string{{"X1", "X2"}},
		},
		{
			name: "day and month swapped",
			recs: []Record{
				{ID: "X1", Surname: "Gebremedhin", GivenNames: "Selam", BirthDate: "1990-04-11", BirthPlace: "Asmara", Sex: "F", Citizenship: "ER"},
				{ID: "X2", Surname: "Gebremedhin", GivenNames: "Selam", BirthDate: "1990-11-04", Sex: "F", Citizenship: "ER"},
			},
			want: [][]string{{"X1", "X2"}},
		},
		{
			name: "transliteration variants",
			recs: []Record{
				{ID: "X1", Surname: "El Idrissi", GivenNames: "Mohammed Youssef", BirthDate: "1988-02-17", BirthPlace: "Tétouan", Sex: "M", Citizenship: "MA"},
				{ID: "X2", Surname: "ELIDRISSI", GivenNames: "MUHAMMAD YUSUF", BirthDate: "1988-02-17", BirthPlace: "TETUAN", Sex: "M"},
				{ID: "X3", Surname: "Idrissi", GivenNames: "Mohamad Youcef", BirthDate: "1988-02-17", Citizenship: "MA"},
			},
			want: [][]string{{"X1", "X2", "X3"}},
		},
		{
			name: "namesakes born in other years stay apart",
			recs: []Record{
				{ID: "X1", Surname: "Peeters", GivenNames: "Mohamed", BirthDate: "1971-05-02", BirthPlace: "Gent", Sex: "M", Citizenship: "BE"},
				{ID: "X2", Surname: "Peeters", GivenNames: "Mohamed", BirthDate: "1994-10-23", BirthPlace: "Nador", Sex: "M", Citizenship: "BE"},
			},
			want: [][]string{{"X1"}, {"X2"}},
		},
		{
			name: "analyst's not a match keeps identical records apart, and their clusters",
			recs: []Record{
				{ID: "X1", Surname: "Haddad", GivenNames: "Rami", BirthDate: "1980-01-30", BirthPlace: "Homs", Sex: "M", Citizenship: "SY"},
				{ID: "X2", Surname: "Haddad", GivenNames: "Rami", BirthDate: "1980-01-30", BirthPlace: "Homs", Sex: "M", Citizenship: "SY"},
				{ID: "X3", Surname: "HADDAD", GivenNames: "RAMI", BirthDate: "1980-01-30", BirthPlace: "HOMS", Sex: "M", Citizenship: "SY"},
			},
			decisions: []Decision{{A: "X2", B: "X1", Match: false}},
			want:      [][]string{{"X1", "X3"}, {"X2"}},
		},
		{
			name: "analyst's match links records that score nothing alike; unknown records are ignored",
			recs: []Record{
				{ID: "X1", Surname: "Haddad", GivenNames: "Rami", BirthDate: "1980-01-30", Sex: "M"},
				{ID: "X2", Surname: "Vos", GivenNames: "Pieter", BirthDate: "1966-07-12", Sex: "M"},
			},
			decisions: []Decision{{A: "X1", B: "X2", Match: true}, {A: "X1", B: "GONE", Match: true}},
			want:      [][]string{{"X1", "X2"}},
		},
		{
			name: "the last decision on a pair counts",
			recs: []Record{
				{ID: "X1", Surname: "Haddad", GivenNames: "Rami", BirthDate: "1980-01-30", Sex: "M"},
				{ID: "X2", Surname: "Vos", GivenNames: "Pieter", BirthDate: "1966-07-12", Sex: "M"},
			},
			decisions: []Decision{{A: "X1", B: "X2", Match: true}, {A: "X2", B: "X1", Match: false}},
			want:      [][]string{{"X1"}, {"X2"}},
		},
		{
			name: "an analyst's match does not join two national numbers",
			recs: []Record{
				{ID: "X1", NationalNumber: nn1, Surname: "Benali", GivenNames: "Karim"},
				{ID: "X2", NationalNumber: nn2, Surname: "Benali", GivenNames: "Karim"},
			},
			decisions: []Decision{{A: "X1", B: "X2", Match: true}},
			want:      [][]string{{"X1"}, {"X2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := linkWith(t, tt.recs, tt.decisions, DefaultConfig())
			if diff := cmp.Diff(tt.want, groups(res)); diff != "" {
				t.Errorf("clusters mismatch (-want +got):\n%s", diff)
				for _, p := range res.Pairs {
					if strings.HasPrefix(p.A, "X") {
						t.Logf("%+v", p)
					}
				}
			}
		})
	}
}

func TestLinkTrace(t *testing.T) {
	nn1 := nationalNumber(1982, 6, 14, "M", 101, false)
	nn2 := nationalNumber(1982, 6, 14, "M", 203, false)
	recs := []Record{
		{ID: "X1", NationalNumber: nn1, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14", Sex: "M"},
		{ID: "X2", NationalNumber: nn2, Surname: "Benali", GivenNames: "Karim", BirthDate: "1982-06-14", Sex: "M"},
		{ID: "X3", NationalNumber: nn1, Surname: "BENALI", GivenNames: "KARIM", BirthDate: "1982-06-14", Sex: "M"},
		{ID: "X4", Surname: "Dervishi", GivenNames: "Arben", BirthDate: "1977-09-21", BirthPlace: "Tirana", Sex: "M", Citizenship: "AL"},
		{ID: "X5", Surname: "ARBEN", GivenNames: "DERVISHI", BirthDate: "1977-09-21", Sex: "M", Citizenship: "AL"},
		{ID: "X6", Surname: "Vos", GivenNames: "Pieter", BirthDate: "1966-07-12", Sex: "M"},
	}
	res := linkWith(t, recs, []Decision{{A: "X6", B: "X4", Match: false}}, DefaultConfig())
	type brief struct {
		Rule, Status string
		Same         bool
		Swapped      bool
	}
	want := map[[2]string]brief{
		{"X1", "X2"}: {RuleNationalNumber, StatusNonMatch, false, false},
		{"X1", "X3"}: {RuleNationalNumber, StatusMatch, true, false},
		{"X4", "X5"}: {RuleFellegiSunter, StatusMatch, true, true},
		{"X4", "X6"}: {RuleReview, StatusNonMatch, false, false},
	}
	got := make(map[[2]string]brief)
	for k := range want {
		p, ok := findPair(res, k[0], k[1])
		if !ok {
			continue
		}
		got[k] = brief{p.Rule, p.Status, p.SameCluster, p.Comparison.NamesSwapped}
		if len(p.Comparison.Fields()) != numFields {
			t.Errorf("pair %v traces %d fields, want %d", k, len(p.Comparison.Fields()), numFields)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace mismatch (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(res.Pairs, func(a, b Pair) int {
		return strings.Compare(a.A+"\x00"+a.B, b.A+"\x00"+b.B)
	}) {
		t.Error("pairs are not sorted by A then B")
	}
	for _, p := range res.Pairs {
		if p.A >= p.B {
			t.Errorf("pair %s-%s: A is not the smaller ID", p.A, p.B)
		}
	}
}

// TestLinkChain: A~B and B~C score as matches because B has only the names and the birth place,
// but A and C disagree on everything else. Single linkage would glue A and C; the chaining guard
// must not.
func TestLinkChain(t *testing.T) {
	recs := []Record{
		{ID: "XA", Surname: "Zorbek", GivenNames: "Kazimir", BirthDate: "1970-03-05", BirthPlace: "Odessa", Sex: "M", Citizenship: "UA"},
		{ID: "XB", Surname: "ZORBEK", GivenNames: "KAZIMIR", BirthPlace: "ODESSA"},
		{ID: "XC", Surname: "Zorbek", GivenNames: "Kazimir", BirthDate: "1988-12-24", BirthPlace: "Odessa", Sex: "F", Citizenship: "NG"},
	}
	cfg := DefaultConfig()
	res := linkWith(t, recs, nil, cfg)
	ab, okAB := findPair(res, "XA", "XB")
	bc, okBC := findPair(res, "XB", "XC")
	ac, okAC := findPair(res, "XA", "XC")
	if !okAB || !okBC || ab.Score < cfg.MatchThreshold || bc.Score < cfg.MatchThreshold {
		t.Fatalf("scenario broken: A~B %.1f (%v) and B~C %.1f (%v) should both reach the match threshold %.1f", ab.Score, okAB, bc.Score, okBC, cfg.MatchThreshold)
	}
	if okAC && ac.Score >= cfg.GuardThreshold {
		t.Fatalf("scenario broken: A~C %.1f should be below the guard threshold %.1f", ac.Score, cfg.GuardThreshold)
	}
	if res.Cluster["XA"] == res.Cluster["XC"] {
		t.Errorf("A and C glued together through B: clusters %v", groups(res))
	}
	refused := ab
	if res.Cluster["XA"] == res.Cluster["XB"] {
		refused = bc
	}
	if refused.Status != StatusReview || !strings.Contains(refused.Note, "chaining guard") {
		t.Errorf("refused link %s-%s: status %q note %q, want review with the chaining guard's note", refused.A, refused.B, refused.Status, refused.Note)
	}
}

func TestLinkMaxClusterSize(t *testing.T) {
	var recs []Record
	for _, id := range []string{"X1", "X2", "X3", "X4", "X5"} {
		recs = append(recs, Record{ID: id, Surname: "Haddad", GivenNames: "Rami", BirthDate: "1980-01-30", BirthPlace: "Homs", Sex: "M", Citizenship: "SY"})
	}
	cfg := DefaultConfig()
	cfg.MaxClusterSize = 3
	res := linkWith(t, recs, nil, cfg)
	want := [][]string{{"X1", "X2", "X3"}, {"X4", "X5"}}
	if diff := cmp.Diff(want, groups(res)); diff != "" {
		t.Errorf("clusters mismatch (-want +got):\n%s", diff)
	}
}

func TestLinkDeterministic(t *testing.T) {
	recs := records(generate(400, 5))
	first, err := Link(t.Context(), recs, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(recs)
	slices.Reverse(shuffled)
	second, err := Link(t.Context(), shuffled, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("a second run on the records in another order differs (-first +second):\n%s", diff)
	}
	for id, c := range first.Cluster {
		if c > id {
			t.Errorf("record %s in cluster %s: the cluster ID must be its smallest record ID", id, c)
		}
		if first.Cluster[c] != c {
			t.Errorf("cluster ID %s is not in its own cluster", c)
		}
	}
}

func TestLinkErrors(t *testing.T) {
	ok := Record{ID: "A", Surname: "Vos"}
	badCfg := DefaultConfig()
	badCfg.ReviewThreshold = badCfg.MatchThreshold + 1
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		recs []Record
		cfg  Config
		want string
	}{
		{"empty ID", context.Background(), []Record{ok, {Surname: "Peeters"}}, DefaultConfig(), "empty ID"},
		{"repeated ID", context.Background(), []Record{ok, ok}, DefaultConfig(), `"A" appears twice`},
		{"thresholds", context.Background(), []Record{ok}, badCfg, "must not exceed"},
		{"zero config", context.Background(), []Record{ok}, Config{}, "max cluster size"},
		{"cancelled", cancelled, background(), DefaultConfig(), context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Link(tt.ctx, tt.recs, nil, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Link error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Link(cancelled, background(), nil, DefaultConfig()); !errors.Is(err, context.Canceled) {
		t.Errorf("Link on a cancelled context = %v, want context.Canceled", err)
	}
}

func TestLinkProgress(t *testing.T) {
	var stages []string
	cfg := DefaultConfig()
	cfg.Progress = func(stage string, count int) {
		if count < 0 {
			t.Errorf("stage %s counted %d", stage, count)
		}
		stages = append(stages, stage)
	}
	if _, err := Link(t.Context(), records(generate(50, 3)), nil, cfg); err != nil {
		t.Fatal(err)
	}
	want := []string{"prepare", "block", "compare", "estimate", "cluster"}
	if diff := cmp.Diff(want, stages); diff != "" {
		t.Errorf("stages mismatch (-want +got):\n%s", diff)
	}
}

func TestLinkSmallInputs(t *testing.T) {
	for _, recs := range [][]Record{nil, {{ID: "A"}}, {{ID: "A"}, {ID: "B"}}} {
		res, err := Link(t.Context(), recs, []Decision{{A: "A", B: "A", Match: true}}, DefaultConfig())
		if err != nil {
			t.Fatalf("Link(%d records): %v", len(recs), err)
		}
		want := make(map[string]string)
		for _, r := range recs {
			want[r.ID] = r.ID
		}
		if diff := cmp.Diff(want, res.Cluster); diff != "" {
			t.Errorf("Link(%d records) clusters mismatch (-want +got):\n%s", len(recs), diff)
		}
	}
}

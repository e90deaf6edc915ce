package synth

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ciatteh/canvas/dedup/linkage"
	"github.com/ciatteh/canvas/schema"
	"github.com/google/go-cmp/cmp"
)

// foldName is a name as the duplicate rule compares it: no accents, upper case.
func foldName(s string) string { return strings.ToUpper(schema.StripAccents(s)) }

// nameLetters is a folded name without anything but its letters: "De Smet" and "Desmet", or
// "Van de Velde" and "Vandevelde", are one name to the linkage.
func nameLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, foldName(s))
}

// nameTokens is a folded name's words, sorted: the linkage also calls "Duc Minh" and
// "Minh Duc" the same name.
func nameTokens(s string) string {
	f := strings.FieldsFunc(foldName(s), func(r rune) bool { return !unicode.IsLetter(r) })
	slices.Sort(f)
	return strings.Join(f, " ")
}

// nameWords is a folded name's words in their order, one space apart, as the linkage compares
// names ("D'Hondt" is "D HONDT").
func nameWords(s string) string {
	return strings.Join(strings.FieldsFunc(foldName(s), func(r rune) bool { return !unicode.IsLetter(r) }), " ")
}

// oneSlip reports whether a and b differ by exactly one keyboard slip: one letter changed,
// dropped or added, or two adjacent letters swapped.
func oneSlip(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	switch len(y) - len(x) {
	case 0:
		var diff []int
		for i := range x {
			if x[i] != y[i] {
				diff = append(diff, i)
			}
		}
		switch len(diff) {
		case 1:
			return true
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && x[i] == y[j] && x[j] == y[i]
		}
		return false
	case 1:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}

func TestOneSlip(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"PEETERS", "PETERS", true}, {"PETERS", "PEETERS", true}, {"GENT", "GENK", true},
		{"RUSU", "URSU", true}, {"CLAES", "CLAUS", true}, {"MAES", "MAES", false},
		{"MARTIN", "MORIN", false}, {"ABC", "ACBD", false}, {"DESMET", "DESMEDT", true},
		{"LE", "LY", true}, {"HAMED", "AHMED", true}, {"SLEIMAN", "SOLIMAN", false},
	} {
		if got := oneSlip(c.a, c.b); got != c.want {
			t.Errorf("oneSlip(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// bgListMin is the least size of each background list per group (base and extra entries).
var bgListMin = [nGroups]struct{ male, female, surnames, places int }{
	grpArabic:     {60, 52, 131, 81},
	grpAlbanian:   {56, 47, 101, 52},
	grpEritrean:   {52, 52, 99, 46},
	grpAfghan:     {58, 48, 100, 48},
	grpVietnamese: {47, 40, 69, 47},
	grpRomanian:   {60, 53, 107, 55},
	grpBulgarian:  {52, 51, 99, 51},
	grpBelgian:    {58, 57, 270, 193},
	grpNigerian:   {51, 48, 109, 49},
	grpChinese:    {46, 45, 102, 51},
	grpTurkish:    {53, 45, 105, 54},
	grpOther:      {58, 56, 146, 61},
}

var groupNames = [nGroups]string{"arabic", "albanian", "eritrean", "afghan", "vietnamese", "romanian",
	"bulgarian", "belgian", "nigerian", "chinese", "turkish", "other"}

// TestBackgroundNameLists checks the background's name lists: the base lists first and
// unchanged, the sizes, Windows-1252, and that no two entries of a list can pass for one name:
// no duplicates once accents and case are folded, no two spellings of a variant set of
// nameVariants unless the base list has them, no two entries with the same letters or words,
// no two that differ by one keyboard slip, no two that the linkage's Jaro-Winkler (0.92) takes
// for one name misspelt. Names of up to three letters (Le, Ly; Wu, Xu) may differ in one letter:
// they are distinct Vietnamese and Chinese family names, and too short for Jaro-Winkler to take
// one for a slip of the other. Pairs of base entries are left alone (De Smet and Desmet are both
// base). Men's and women's names stay apart, and the (given name, surname, place) combinations
// grow at least 50-fold.
func TestBackgroundNameLists(t *testing.T) {
	base, all := nameGroups(), backgroundNames()
	variants := map[string]bool{} // every member of a variant set, folded
	for k, vs := range nameVariants() {
		variants[foldName(k)] = true
		for _, v := range vs {
			variants[foldName(v)] = true
		}
	}
	for g := range nGroups {
		mins := bgListMin[g]
		for _, k := range []struct {
			kind       string
			base, list []string
			min        int
		}{
			{"male", base[g].male, all[g].male, mins.male},
			{"female", base[g].female, all[g].female, mins.female},
			{"surnames", base[g].surnames, all[g].surnames, mins.surnames},
			{"places", base[g].places, all[g].places, mins.places},
		} {
			t.Run(groupNames[g]+"/"+k.kind, func(t *testing.T) {
				if len(k.list) < len(k.base) {
					t.Fatalf("%d entries, fewer than the base list's %d", len(k.list), len(k.base))
				}
				if diff := cmp.Diff(k.base, k.list[:len(k.base)]); diff != "" {
					t.Errorf("the list does not start with the base list (-base +list):\n%s", diff)
				}
				if len(k.list) < k.min {
					t.Errorf("%d entries, want at least %d", len(k.list), k.min)
				}
				inBase := map[string]bool{}
				for _, s := range k.base {
					inBase[foldName(s)] = true
				}
				seen := map[string]string{}
				for i, s := range k.list {
					if !cp1252OK(s) {
						t.Errorf("%q has no Windows-1252 encoding", s)
					}
					if s == "" || strings.TrimSpace(s) != s {
						t.Errorf("entry %d %q is empty or padded", i, s)
					}
					f := foldName(s)
					if o, ok := seen[f]; ok {
						t.Errorf("%q and %q are the same once folded", o, s)
					}
					seen[f] = s
					if i >= len(k.base) && variants[f] && !inBase[f] {
						t.Errorf("extra %q is a spelling in a variant set of nameVariants", s)
					}
				}
				for j := len(k.base); j < len(k.list); j++ {
					for i := range j {
						a, b := k.list[i], k.list[j]
						la, lb := nameLetters(a), nameLetters(b)
						switch {
						case la == lb:
							t.Errorf("%q and %q have the same letters", a, b)
						case nameTokens(a) == nameTokens(b):
							t.Errorf("%q and %q have the same words", a, b)
						case max(len(la), len(lb)) > 3 && oneSlip(la, lb):
							t.Errorf("%q and %q differ by one slip", a, b)
						case max(linkage.JaroWinkler(nameWords(a), nameWords(b)), linkage.JaroWinkler(la, lb)) >= 0.92:
							t.Errorf("%q and %q look alike (Jaro-Winkler %.3f)", a, b, max(linkage.JaroWinkler(nameWords(a), nameWords(b)), linkage.JaroWinkler(la, lb)))
						}
					}
				}
			})
		}
		t.Run(groupNames[g]+"/sexes", func(t *testing.T) {
			male := map[string]string{}
			for _, s := range all[g].male {
				male[nameLetters(s)] = s
			}
			for i, s := range all[g].female {
				if m, ok := male[nameLetters(s)]; ok && (i >= len(base[g].female) || !slices.Contains(base[g].male, m)) {
					t.Errorf("%q is both a man's and a woman's name", s)
				}
			}
			// The background's (given name, surname, place) combinations per sex grow at least
			// 50-fold over the base lists'.
			combos := func(ng nameGroup, given []string) int { return len(given) * len(ng.surnames) * len(ng.places) }
			for _, sex := range []struct {
				name     string
				old, new []string
			}{{"men", base[g].male, all[g].male}, {"women", base[g].female, all[g].female}} {
				o, n := combos(base[g], sex.old), combos(all[g], sex.new)
				if n < 50*o {
					t.Errorf("%s: %d combinations, only %.1f times the base lists' %d", sex.name, n, float64(n)/float64(o), o)
				}
			}
		})
	}
}

// bgDraws is how many background persons TestBackgroundTwins draws.
const bgDraws = 1_000_000

// bgTwins draws n background persons as the conviction extract does (a judgment day in
// FromYear..ToYear in turn, 85% men), with the background's lists set to lists, and counts the
// pairs of distinct persons identical in citizenship, sex, given name, surname, birth place and
// birth day: what the linkage cannot keep apart. It also returns the expected count (see
// bgTwinsExpected).
func bgTwins(t *testing.T, lists [nGroups]nameGroup, n int) (pairs int64, expected float64) {
	t.Helper()
	cfg := DefaultConfig()
	w := newWorld(cfg, schema.MustCodes())
	w.bgNames = lists
	b := newBackground(w, 13) // the conviction extract's stream
	years := cfg.ToYear - cfg.FromYear + 1
	oldest := mkday(cfg.FromYear-70, 1, 1)
	keys := make([]uint64, n)
	for i := range keys {
		y := cfg.FromYear + i%years
		p := b.person(b.r.Float64() < 0.85, b.between(mkday(y, 1, 1), mkday(y, 12, 31)))
		cit := slices.Index(w.d.background.vals, p.cit)
		sex := 0
		if p.male {
			sex = 1
		}
		// cit 5 bits, sex 1, given 8, surname 10, place 9, birth day 18.
		if cit < 0 || cit >= 1<<5 || p.given >= 1<<8 || p.surname >= 1<<10 || p.place >= 1<<9 || p.birth < oldest || p.birth-oldest >= 1<<18 {
			t.Fatalf("person %+v does not fit the key", p)
		}
		keys[i] = uint64(cit)<<46 | uint64(sex)<<45 | uint64(p.given)<<37 | uint64(p.surname)<<27 | uint64(p.place)<<18 | uint64(p.birth-oldest)
	}
	slices.Sort(keys)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		k := int64(j - i)
		pairs += k * (k - 1) / 2
		i = j
	}
	return pairs, bgTwinsExpected(w, lists, n)
}

// bgTwinsExpected is the expected number of pairs of identical persons among n drawn as in
// bgTwins. Every person falls in a cell c = (citizenship, sex, given name, surname, place, birth
// day) with probability p_c, independently of the others, so the expected count of identical
// pairs is
//
//	E = sum over cells of E[n_c (n_c - 1) / 2] = n (n - 1) / 2 * sum_c p_c^2.
//
// p_c factors: citizenship pi (the background's weights), sex s (0.85 men, 0.15 women), given
// name, surname and place uniform over lists of G_s, S and P entries, birth day q. So
//
//	sum_c p_c^2 = sum_cit pi^2 * sum_s s^2 / (G_s S P) * sum_d q_d^2,
//
// with G, S and P those of the citizenship's group. The birth day is the judgment day (uniform
// over one of the years in turn) less 18*365 + u, u uniform over 50*365 days: q is that
// convolution, and sum_d q_d^2 is close to (b - a/3) / b^2 for a uniform spread of a = 11*365
// judgment days and b = 50*365 ages, about 1/19 700. For the base lists E is some 1 750 pairs
// at a million persons, for the background's lists about 3; the actual count is close to a
// Poisson count of mean E (a sum of very many rare, nearly independent coincidences).
func bgTwinsExpected(w *world, lists [nGroups]nameGroup, n int) float64 {
	cfg := w.cfg
	// P(judgment day = a), a counted from the first day of FromYear.
	first, last := mkday(cfg.FromYear, 1, 1), mkday(cfg.ToYear, 12, 31)
	years := float64(cfg.ToYear - cfg.FromYear + 1)
	pa := make([]float64, int(last-first)+1)
	for y := cfg.FromYear; y <= cfg.ToYear; y++ {
		a, b := mkday(y, 1, 1), mkday(y, 12, 31)
		for d := a; d <= b; d++ {
			pa[d-first] = 1 / years / float64(b-a+1)
		}
	}
	// The birth day is a - 18*365 - u with u uniform in [0, ages): q(d) = P(a in [d', d' + ages))
	// / ages, where d' = d + 18*365; cum sums pa to read such windows.
	const ages = 50 * 365
	cum := make([]float64, len(pa)+1)
	for i, p := range pa {
		cum[i+1] = cum[i] + p
	}
	window := func(lo, hi int) float64 { // P(lo <= a < hi), a as an index into pa
		lo, hi = max(lo, 0), min(hi, len(pa))
		if lo >= hi {
			return 0
		}
		return cum[hi] - cum[lo]
	}
	q2 := 0.0
	for d := -ages + 1; d < len(pa); d++ {
		q := window(d, d+ages) / ages
		q2 += q * q
	}
	bg := w.d.background
	sum := 0.0
	for i, cit := range bg.vals {
		pi := bg.cum[i]
		if i > 0 {
			pi -= bg.cum[i-1]
		}
		ng := lists[groupOf(cit)]
		sp, s2 := float64(len(ng.surnames)*len(ng.places)), 0.0
		s2 += 0.85 * 0.85 / (float64(len(ng.male)) * sp)
		s2 += 0.15 * 0.15 / (float64(len(ng.female)) * sp)
		sum += pi * pi * s2
	}
	return float64(n) * float64(n-1) / 2 * sum * q2
}

// TestBackgroundTwins draws a million background persons and counts the pairs of different
// persons the linkage cannot tell apart (bgTwins): with the background's lists they must stay
// near the expected count, and the base lists, which the background drew from before, must
// give at least 20 times more.
func TestBackgroundTwins(t *testing.T) {
	got, want := bgTwins(t, backgroundNames(), bgDraws)
	old, oldWant := bgTwins(t, nameGroups(), bgDraws)
	t.Logf("identical pairs among %d background persons: %d with the background's lists (expected %.1f), %d with the base lists (expected %.0f)",
		bgDraws, got, want, old, oldWant)
	// Poisson of mean E: above E + 5 sqrt(E) + 5 has a chance below one in a million.
	if bound := want + 5*math.Sqrt(want) + 5; float64(got) > bound {
		t.Errorf("%d identical pairs with the background's lists, want at most %.0f (expected %.1f)", got, bound, want)
	}
	// The derivation holds: the base lists' count is within 20% (some 8 standard deviations).
	if math.Abs(float64(old)-oldWant) > 0.2*oldWant {
		t.Errorf("%d identical pairs with the base lists, expected %.0f", old, oldWant)
	}
	if old < 20*got || oldWant < 20*want {
		t.Errorf("the base lists give %d identical pairs (expected %.0f), not 20 times the background's %d (expected %.1f)", old, oldWant, got, want)
	}
}

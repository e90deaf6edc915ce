package linkage

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzNormalize feeds arbitrary names, as a delivery may hold them, through normalisation, the
// phonetic key and Jaro-Winkler.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "d'Hondt-Lévêque", "Öztürk", "Straße", "bad\xffbyte", "Иван", "  --  ", "Mohammed  Ali", "ǅemal", "ŉ"} {
		f.Add(s, "Mohamed")
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		n := Normalize(s)
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Errorf("Normalize(%q) = %q: stray spaces", s, n)
		}
		for _, r := range n {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Errorf("Normalize(%q) = %q holds %q", s, n, r)
			}
		}
		for _, tok := range strings.Fields(n) {
			_ = Phonetic(tok)
		}
		o := Normalize(other)
		jw := JaroWinkler(clip(n), clip(o))
		if jw < 0 || jw > 1 {
			t.Errorf("JaroWinkler(%q, %q) = %v, outside [0, 1]", n, o, jw)
		}
		pa, pb := prepare(Record{ID: "a", Surname: s, GivenNames: other, BirthDate: s, NationalNumber: s}), prepare(Record{ID: "b", Surname: other, GivenNames: s})
		_ = comparer{jwMin: 0.92}.compare(&pa, &pb)
		for _, kind := range []byte(blockKinds) {
			_, _ = blockingKeys(&pa, kind, nil, nil)
		}
	})
}

// FuzzModelUnmarshal feeds UnmarshalBinary blobs as a damaged store may hold them: it must
// return an error or a model that scores and encodes, never panic, and a model it accepts must
// read back the same from its own encoding.
func FuzzModelUnmarshal(f *testing.F) {
	blob, err := testModel(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add(blob[:len(blob)/2])
	f.Add([]byte(modelMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var md Model
		if err := md.UnmarshalBinary(b); err != nil {
			return
		}
		again, err := md.MarshalBinary()
		if err != nil {
			t.Fatalf("a model UnmarshalBinary accepted does not encode: %v", err)
		}
		var back Model
		if err := back.UnmarshalBinary(again); err != nil || !back.Equal(&md) {
			t.Fatalf("a model UnmarshalBinary accepted does not read back the same (err %v)", err)
		}
		pa, pb := prepare(Record{ID: "a", Surname: "Benali", GivenNames: "Karim"}), prepare(Record{ID: "b", Surname: "Benali", GivenNames: "Karim"})
		_ = md.score(comparer{jwMin: 0.92}.compare(&pa, &pb), &pa, &pb)
	})
}

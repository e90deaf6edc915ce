package linkage

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// levels compares two records and returns the level of every field, and whether the names were
// compared crosswise.
func levels(a, b Record) (map[string]Level, bool) {
	pa, pb := prepare(a), prepare(b)
	v := comparer{jwMin: 0.92}.compare(&pa, &pb)
	out := make(map[string]Level)
	for f := range numFields {
		out[fieldName(f)] = levelsOf(f)[v.lv[f]]
	}
	return out, v.swapped
}

func TestCompareLevels(t *testing.T) {
	base := Record{
		ID: "A", Surname: "El Amrani", GivenNames: "Mohamed Ali", BirthDate: "1985-03-07",
		BirthPlace: "Tanger", Sex: "M", Citizenship: "MA",
	}
	with := func(change func(r *Record)) Record {
		r := base
		r.ID = "B"
		change(&r)
		return r
	}
	all := func(l Level) map[string]Level {
		return map[string]Level{
			FieldSurname: l, FieldGivenNames: l, FieldBirthDate: l, FieldBirthPlace: l, FieldSex: LevelAgree, FieldCitizenship: LevelAgree,
		}
	}
	override := func(m map[string]Level, kv ...any) map[string]Level {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(Level)
		}
		return m
	}
	tests := []struct {
		name    string
		b       Record
		want    map[string]Level
		swapped bool
	}{
		{"identical", with(func(r *Record) {}), all(LevelExact), false},
		{"capitals without accents and hyphen", with(func(r *Record) {
			r.Surname, r.GivenNames, r.BirthPlace = "EL-AMRANI", "MOHAMED ALI", "TANGER"
		}), all(LevelExact), false},
		{"surname written together", with(func(r *Record) { r.Surname = "ELAMRANI" }), all(LevelExact), false},
		{"given names in another order", with(func(r *Record) { r.GivenNames = "Ali Mohamed" }), all(LevelExact), false},
		{"surname typo is jw", with(func(r *Record) { r.Surname = "El Amrami" }),
			override(all(LevelExact), FieldSurname, LevelJaroWinkler), false},
		{"transliteration is phonetic", with(func(r *Record) { r.GivenNames = "Muhammad Aly" }),
			override(all(LevelExact), FieldGivenNames, LevelPhonetic), false},
		{"first given name only is jw", with(func(r *Record) { r.GivenNames = "Mohamed" }),
			override(all(LevelExact), FieldGivenNames, LevelJaroWinkler), false},
		{"second given name only is subset", with(func(r *Record) { r.GivenNames = "Aly" }),
			override(all(LevelExact), FieldGivenNames, LevelSubset), false},
		{"particle dropped is jw", with(func(r *Record) { r.Surname = "Amrani" }),
			override(all(LevelExact), FieldSurname, LevelJaroWinkler), false},
		{"other given names differ", with(func(r *Record) { r.GivenNames = "Youssef" }),
			override(all(LevelExact), FieldGivenNames, LevelDiffer), false},
		{"surname and given names swapped", with(func(r *Record) {
			r.Surname, r.GivenNames = "Mohamed Ali", "El Amrani"
		}), all(LevelExact), true},
		{"swapped and transliterated", with(func(r *Record) {
			r.Surname, r.GivenNames = "MUHAMMAD ALI", "EL AMRANI"
		}), override(all(LevelExact), FieldGivenNames, LevelPhonetic), true},
		{"day and month swapped", with(func(r *Record) { r.BirthDate = "1985-07-03" }),
			override(all(LevelExact), FieldBirthDate, LevelSwapped), false},
		{"same year and month", with(func(r *Record) { r.BirthDate = "1985-03-17" }),
			override(all(LevelExact), FieldBirthDate, LevelPartial), false},
		{"same year and day", with(func(r *Record) { r.BirthDate = "1985-11-07" }),
			override(all(LevelExact), FieldBirthDate, LevelPartial), false},
		{"same day and month, other year", with(func(r *Record) { r.BirthDate = "1986-03-07" }),
			override(all(LevelExact), FieldBirthDate, LevelDayMonth), false},
		{"other birth date", with(func(r *Record) { r.BirthDate = "1990-12-25" }),
			override(all(LevelExact), FieldBirthDate, LevelDiffer), false},
		{"unreadable birth date is missing", with(func(r *Record) { r.BirthDate = "07/03/1985" }),
			override(all(LevelExact), FieldBirthDate, LevelMissing), false},
		{"birth place variant is jw", with(func(r *Record) { r.BirthPlace = "Tangier" }),
			override(all(LevelExact), FieldBirthPlace, LevelJaroWinkler), false},
		{"other birth place", with(func(r *Record) { r.BirthPlace = "Nador" }),
			override(all(LevelExact), FieldBirthPlace, LevelDiffer), false},
		{"other sex", with(func(r *Record) { r.Sex = "F" }),
			override(all(LevelExact), FieldSex, LevelDiffer), false},
		{"other citizenship", with(func(r *Record) { r.Citizenship = "BE" }),
			override(all(LevelExact), FieldCitizenship, LevelDiffer), false},
		{"everything missing", with(func(r *Record) {
			*r = Record{ID: "B"}
		}), map[string]Level{
			FieldSurname: LevelMissing, FieldGivenNames: LevelMissing, FieldBirthDate: LevelMissing,
			FieldBirthPlace: LevelMissing, FieldSex: LevelMissing, FieldCitizenship: LevelMissing,
		}, false},
		{"given names missing does not swap", with(func(r *Record) { r.GivenNames = "" }),
			override(all(LevelExact), FieldGivenNames, LevelMissing), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, swapped := levels(base, tt.b)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("levels mismatch (-want +got):\n%s", diff)
			}
			if swapped != tt.swapped {
				t.Errorf("swapped = %v, want %v", swapped, tt.swapped)
			}
			back, _ := levels(tt.b, base)
			if diff := cmp.Diff(got, back); diff != "" {
				t.Errorf("comparison not symmetric (-a,b +b,a):\n%s", diff)
			}
		})
	}
}

func TestFieldLevels(t *testing.T) {
	want := []Level{LevelMissing, LevelExact, LevelSwapped, LevelPartial, LevelDayMonth, LevelDiffer}
	if diff := cmp.Diff(want, FieldLevels(FieldBirthDate)); diff != "" {
		t.Errorf("FieldLevels(birth_date) mismatch (-want +got):\n%s", diff)
	}
	if got := FieldLevels("shoe_size"); got != nil {
		t.Errorf("FieldLevels(shoe_size) = %v, want nil", got)
	}
}

func TestFromNationalNumber(t *testing.T) {
	tests := []struct {
		name     string
		rec      Record
		wantDate [3]int
		wantSex  byte
	}{
		{"man born 1985", Record{NationalNumber: nationalNumber(1985, 3, 7, "M", 10, false)}, [3]int{1985, 3, 7}, 'M'},
		{"woman born 2003", Record{NationalNumber: nationalNumber(2003, 11, 30, "F", 4, false)}, [3]int{2003, 11, 30}, 'F'},
		{"BIS number", Record{NationalNumber: nationalNumber(1979, 12, 1, "M", 7, true)}, [3]int{1979, 12, 1}, 'M'},
		{"stated values win", Record{NationalNumber: nationalNumber(1985, 3, 7, "M", 10, false), BirthDate: "1985-07-03", Sex: "F"}, [3]int{1985, 7, 3}, 'F'},
		{"bad check digits are ignored", Record{NationalNumber: "85030701099"}, [3]int{}, 0},
		{"not 11 digits", Record{NationalNumber: "8503"}, [3]int{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prepare(tt.rec)
			if got := [3]int{int(p.year), int(p.month), int(p.day)}; got != tt.wantDate {
				t.Errorf("birth date %v, want %v", got, tt.wantDate)
			}
			if p.sex != tt.wantSex {
				t.Errorf("sex %q, want %q", p.sex, tt.wantSex)
			}
		})
	}
}

func TestMissingValuesWeighNothing(t *testing.T) {
	recs := records(generate(200, 7))
	full := Record{ID: "Z1", Surname: "Peeters", GivenNames: "Jan", BirthDate: "1970-01-02", BirthPlace: "Gent", Sex: "M", Citizenship: "BE"}
	empty := Record{ID: "Z2"}
	onlySurname := Record{ID: "Z3", Surname: "Peeters"}
	res, err := Link(t.Context(), append(recs, full, empty, onlySurname), nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	pf, pe, ps := prepare(full), prepare(empty), prepare(onlySurname)
	md := modelFromParams(res.Params)
	v := comparer{jwMin: 0.92}.compare(&pf, &pe)
	for f, w := range md.weights(v, &pf, &pe) {
		if w != 0 {
			t.Errorf("%s weighs %v against an empty record, want 0", fieldName(f), w)
		}
	}
	if got := md.score(v, &pf, &pe); got != res.Params.PriorWeight {
		t.Errorf("score against an empty record = %v, want the prior %v", got, res.Params.PriorWeight)
	}
	v = comparer{jwMin: 0.92}.compare(&pf, &ps)
	w := md.weights(v, &pf, &ps)
	for f := fGiven; f < numFields; f++ {
		if w[f] != 0 {
			t.Errorf("%s weighs %v when missing on one side, want 0", fieldName(f), w[f])
		}
	}
	if w[fSurname] <= 0 {
		t.Errorf("surname agreement weighs %v, want more than 0", w[fSurname])
	}
}

// modelFromParams rebuilds the scoring model from reported parameters, without term frequencies.
func modelFromParams(p Params) *Model {
	md := new(Model)
	md.prior = p.PriorWeight
	for f, fp := range p.Fields {
		md.w[f] = make([]float64, len(fp.Levels)+1)
		for l, lp := range fp.Levels {
			md.w[f][l+1] = lp.Weight
		}
	}
	return md
}

package linkage

// Traits are what a record says of a person besides names, birth date and national number that
// tells two people apart when both records say it: sex, citizenship and birth place, as the
// linkage compares them (normalised; two places agree when they are at least JaroWinklerMin
// similar, so that spelling variants of one place do not count as two). Rule EXACT of package
// dedup keeps records whose traits conflict apart, for the weights to judge: two people of the
// same name and birth date are told apart by these, and the weights count them.
type Traits struct {
	sex        byte // 'M', 'F' or 0 (unknown)
	cit, place string
}

// TraitsOf returns a record's traits.
func TraitsOf(r Record) Traits {
	return Traits{sex: sexOf(r.Sex), cit: Normalize(r.Citizenship), place: Normalize(r.BirthPlace)}
}

// Conflicts reports whether t and u disagree on a trait both give, places compared with
// Jaro-Winkler minimum jwMin (Config.JaroWinklerMin).
func (t Traits) Conflicts(u Traits, jwMin float64) bool {
	switch {
	case t.sex != 0 && u.sex != 0 && t.sex != u.sex:
		return true
	case t.cit != "" && u.cit != "" && t.cit != u.cit:
		return true
	}
	return comparer{jwMin: jwMin}.comparePlace(t.place, u.place) == placeDiffer
}

// Join gives t the traits it lacks from u.
func (t *Traits) Join(u Traits) {
	if t.sex == 0 {
		t.sex = u.sex
	}
	if t.cit == "" {
		t.cit = u.cit
	}
	if t.place == "" {
		t.place = u.place
	}
}

// sexOf reads a sex code: M or F, any case, else unknown (0).
func sexOf(s string) byte {
	switch s {
	case "M", "m":
		return 'M'
	case "F", "f":
		return 'F'
	}
	switch Normalize(s) {
	case "M":
		return 'M'
	case "F":
		return 'F'
	}
	return 0
}

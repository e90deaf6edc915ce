package questionnaire

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ciatteh/canvas/schema"
)

// Validator knows the codes of the indicator table (canvas.md sections 3 and 5) and checks that a
// selector names only those, so that a typo in a spec or mapping fails loudly instead of
// answering 0.
type Validator struct {
	measureStage map[string]string
	codes        map[string]map[string]bool
}

// NewValidator builds a validator from the canvas code lists (districts and forms of
// exploitation come from them).
func NewValidator(c *schema.Codes) *Validator {
	v := &Validator{
		measureStage: map[string]string{
			"OFFENCES_RECORDED": "POLICE", "SUSPECTS": "POLICE", "VICTIMS": "POLICE",
			"CASES_ENTERED": "PROSECUTION", "CASES_DISMISSED": "PROSECUTION", "PERSONS_PROSECUTED": "PROSECUTION",
			"OFFENCE_CONVICTIONS": "CONVICTION", "CONVICTIONS": "CONVICTION", "PERSONS_CONVICTED": "CONVICTION",
			"PERSONS_CONVICTED_PRINCIPAL": "CONVICTION", "PERSONS_PRISON_UNSUSPENDED": "CONVICTION",
			"CONVICTIONS_PENDING": "CONVICTION",
		},
		codes: map[string]map[string]bool{
			"phenomenon":   set("TRAFFICKING", "SMUGGLING"),
			"stage":        set("POLICE", "PROSECUTION", "CONVICTION"),
			"sex":          set("M", "F", "_U", "_T"),
			"age_group":    set("Y_LT18", "Y_GE18", "_U", "_T"),
			"citizenship":  set("NAT", "EU_OTH", "NEU", "_U", "_T"),
			"district":     set("FED", "_U", "_T"),
			"exploitation": set("_U", "_Z", "_T"),
		},
	}
	v.codes["measure"] = map[string]bool{}
	for m := range v.measureStage {
		v.codes["measure"][m] = true
	}
	if c != nil {
		for d := range c.Districts {
			v.codes["district"][d] = true
		}
		for f := range c.Exploitation {
			v.codes["exploitation"][f] = true
		}
	}
	return v
}

func set(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Check reports the first problem of a complete cell selector: a missing phenomenon, stage or
// measure, an unknown code, or a measure of another stage.
func (v *Validator) Check(s Selector) error {
	for _, k := range []string{"phenomenon", "stage", "measure"} {
		if len(s[k]) != 1 {
			if len(s[k]) == 0 {
				return fmt.Errorf("no %s selected", k)
			}
			return fmt.Errorf("%s must be one code, not %s", k, strings.Join(s[k], ", "))
		}
	}
	for _, k := range selectorKeys() {
		for _, c := range s[k] {
			if !v.codes[k][c] {
				return fmt.Errorf("unknown %s code %q (known: %s)", k, c, strings.Join(sorted(v.codes[k]), ", "))
			}
		}
	}
	if st := v.measureStage[s["measure"][0]]; st != s["stage"][0] {
		return fmt.Errorf("measure %s belongs to stage %s, not %s", s["measure"][0], st, s["stage"][0])
	}
	return nil
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package questionnaire

import (
	"testing"
)

// The spec and mapping files are edited by hand: their parsers must fail with a message, never
// panic.
func FuzzParseSpec(f *testing.F) {
	b, _ := BuiltInSpec("eurostat-smu")
	f.Add(b)
	f.Add([]byte("name: x\ntables: [{id: t, rows: [{id: r}], columns: *a}]\n"))
	v := validator(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseSpec("fuzz.yaml", b, v)
	})
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte("cells:\n  - {sheet: A, cell: B2, write: year}\n"))
	f.Add([]byte("select: {phenomenon: SMUGGLING}\ncells:\n  - {sheet: A, row: x, column: y, select: {sex: [M, F]}, year_offset: -1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseMapping("fuzz.yaml", b)
	})
}

package sources_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciatteh/canvas/schema"
	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/all"
	"github.com/ciatteh/canvas/sources/sourcestest"
)

// FuzzReadXLSX reads arbitrary bytes as an XLSX delivery (seeded with real workbooks and their
// damaged versions): no panic, every refusal a *FileError, and every data row loaded or
// quarantined.
func FuzzReadXLSX(f *testing.F) {
	for _, p := range []string{"testdata/police_fr_title.xlsx", "testdata/police_truncated.xlsx", "mach/testdata/casier_nl_title.xlsx"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		if len(b) > 1000 {
			f.Add(b[:len(b)/2])
			flipped := append([]byte{}, b...)
			flipped[len(b)/3] ^= 0xff
			f.Add(flipped)
		}
	}
	f.Add([]byte("PK\x03\x04"))
	codes := schema.MustCodes()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "police_fuzz.xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := sourcestest.ReadAll(p, all.Adapters(), sources.Options{MaxFieldBytes: 4096, BatchSize: 3, Codes: codes})
		var fe *sources.FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("not a *FileError: %v", err)
		}
		if err != nil {
			return
		}
		if res.Read != len(res.Rows)+len(res.Quarantine) {
			t.Fatalf("read %d, loaded %d, quarantined %d", res.Read, len(res.Rows), len(res.Quarantine))
		}
	})
}

package pipeline

import "testing"

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"3GB":       3_000_000_000,
		"3gb":       3_000_000_000,
		" 500 MiB ": 500 << 20,
		"1.5GiB":    3 << 29,
		"2000000B":  2_000_000,
		"10 bytes":  10,
		"4KB":       4000,
		"1TiB":      1 << 40,
		"0.5 GB":    500_000_000,
		"7kib":      7 << 10,
		"100000 mb": 100_000_000_000,
		"1.25 TB":   1_250_000_000_000,
		"16.0 GiB":  16 << 30,
		"2.7 GiB":   2899102924,
	}
	for in, want := range good {
		if got, ok := ParseSize(in); !ok || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "GB", "80%", "3", "3 G", "3XB", "-1GB", "1..2GB", "0GB", "0.1B",
		"1e3GB", "9999999999TB", "3 GB extra", "∞GB"} {
		if got, ok := ParseSize(in); ok {
			t.Errorf("ParseSize(%q) = %d, accepted; want refused", in, got)
		}
	}
}

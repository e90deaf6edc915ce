package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func count(t *testing.T, s *Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func load(t *testing.T, s *Store, opt LoadOptions) LoadResult {
	t.Helper()
	ctx := context.Background()
	id, err := s.StartRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Load(ctx, s, id, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EndRun(id, res.Outcome, ""); err != nil {
		t.Fatal(err)
	}
	return res
}

func outcomes(res LoadResult) map[string]string {
	m := map[string]string{}
	for _, f := range res.Files {
		m[f.Name] = f.Outcome
	}
	return m
}

func TestLoadOutcomesAndNothingLost(t *testing.T) {
	s := openTestStore(t)
	res := load(t, s, LoadOptions{Inbox: "testdata"})
	want := map[string]string{
		"police_20250101.csv":            FileLoaded,
		"police_20250102_bad.csv":        FileQuarantine,
		"police_20250103_truncated.xlsx": FileRefused,
	}
	if d := cmp.Diff(want, outcomes(res)); d != "" {
		t.Fatalf("outcomes (-want +got):\n%s", d)
	}
	if res.Outcome != OutcomeFailed {
		t.Errorf("run outcome %q, want failed (a file was refused)", res.Outcome)
	}
	// Every data row is either loaded or in quarantine, per delivery and in the tables.
	for _, f := range res.Files {
		if f.Loaded+f.Quarantined != f.Read {
			t.Errorf("%s: read %d != loaded %d + quarantined %d", f.Name, f.Read, f.Loaded, f.Quarantined)
		}
	}
	if got, want := count(t, s, `SELECT count(*) FROM raw_police`), count(t, s, `SELECT sum(rows_loaded) FROM delivery`); got != want {
		t.Errorf("raw rows %d, deliveries say %d", got, want)
	}
	if got, want := count(t, s, `SELECT count(*) FROM quarantine`), count(t, s, `SELECT sum(rows_quarantined) FROM delivery`); got != want {
		t.Errorf("quarantine rows %d, deliveries say %d", got, want)
	}
	if n := count(t, s, `SELECT count(*) FROM quarantine WHERE reason = '' OR line <= 0 OR file = ''`); n != 0 {
		t.Errorf("%d quarantine rows without reason, line or file", n)
	}
	// Lineage on every raw row.
	if n := count(t, s, `SELECT count(*) FROM raw_police WHERE run_id IS NULL OR delivery_id IS NULL OR line <= 0`); n != 0 {
		t.Errorf("%d raw rows without lineage", n)
	}
	// The refused file left nothing.
	if n := count(t, s, `SELECT count(*) FROM delivery WHERE name LIKE '%truncated%'`); n != 0 {
		t.Errorf("refused file has a delivery row")
	}
	// Run log.
	if n := count(t, s, `SELECT count(*) FROM run_input WHERE run_id = ?`, res.RunID); n != 3 {
		t.Errorf("run_input has %d rows, want 3", n)
	}
}

func TestReloadIsNoOp(t *testing.T) {
	s := openTestStore(t)
	load(t, s, LoadOptions{Files: []string{"testdata/police_20250101.csv", "testdata/police_20250102_bad.csv"}})
	raw := count(t, s, `SELECT count(*) FROM raw_police`)
	q := count(t, s, `SELECT count(*) FROM quarantine`)
	res := load(t, s, LoadOptions{Inbox: "testdata"})
	for _, f := range res.Files {
		if strings.Contains(f.Name, "truncated") {
			continue
		}
		if f.Outcome != FileSkipped || !strings.Contains(f.Message, "already loaded by run 1") {
			t.Errorf("%s: outcome %q (%s), want skipped as already loaded", f.Name, f.Outcome, f.Message)
		}
	}
	if got := count(t, s, `SELECT count(*) FROM raw_police`); got != raw {
		t.Errorf("raw rows %d after reload, want %d", got, raw)
	}
	if got := count(t, s, `SELECT count(*) FROM quarantine`); got != q {
		t.Errorf("quarantine rows %d after reload, want %d", got, q)
	}
	// The same file twice in one run is loaded once.
	s2 := openTestStore(t)
	res = load(t, s2, LoadOptions{Files: []string{"testdata/police_20250101.csv", "testdata/police_20250101.csv"}})
	if res.Files[1].Outcome != FileSkipped {
		t.Errorf("second copy in one run: %q", res.Files[1].Outcome)
	}
}

const policeHeader = "fact_id;pv_number;registration_date;district;offence_code;role;person_ref;extract_date;deleted\n"

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolveVersionsD1(t *testing.T) {
	s := openTestStore(t)
	dir := t.TempDir()
	writeFile(t, dir, "police_1.csv", policeHeader+
		"F1;PV1;2023-01-05;BRU;42A1;VICTIM;P1;2024-01-01;N\n"+
		"F2;PV2;2023-01-05;BRU;42A1;VICTIM;P2;2024-01-01;N\n"+
		"F3;PV3;2023-01-05;BRU;42A1;VICTIM;P3;2024-01-01;N\n")
	writeFile(t, dir, "police_2.csv", policeHeader+
		"F1;PV1;2023-01-05;LIE;42A1;VICTIM;P1;2024-02-01;N\n"+ // corrected: district LIE
		"F2;PV2;2023-01-05;BRU;42A1;VICTIM;P2;2024-02-01;Y\n"+ // deleted
		"F3;PV3;2023-01-05;ANT;42A1;VICTIM;P3;2023-12-01;N\n") // older extract: loses
	load(t, s, LoadOptions{Inbox: dir})
	rows, err := s.DB.Query(`SELECT fact_id, district FROM police_current ORDER BY fact_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var f, d string
		if err := rows.Scan(&f, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, f+"="+d)
	}
	if d := cmp.Diff([]string{"F1=LIE", "F3=BRU"}, got); d != "" {
		t.Errorf("police_current (-want +got):\n%s", d)
	}
	if n := count(t, s, `SELECT count(*) FROM raw_police`); n != 6 {
		t.Errorf("raw layer keeps every row: %d, want 6", n)
	}
}

func TestCancelledLoadLeavesNothing(t *testing.T) {
	s := openTestStore(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(policeHeader)
	for i := 0; i < 60000; i++ {
		fmt.Fprintf(&b, "F%d;PV%d;2023-01-05;BRU;42A1;VICTIM;P%d;2024-01-01;N\n", i, i, i)
	}
	p := writeFile(t, dir, "police_big.csv", b.String())
	ctx, cancel := context.WithCancel(context.Background())
	id, err := s.StartRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(ctx, s, id, LoadOptions{Files: []string{p}, Progress: func(e ProgressEvent) {
		if !e.Done && e.Rows > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load after cancel: %v, want context.Canceled", err)
	}
	for _, tbl := range []string{"raw_police", "delivery", "quarantine"} {
		if n := count(t, s, "SELECT count(*) FROM "+tbl); n != 0 {
			t.Errorf("%s has %d rows after a cancelled load", tbl, n)
		}
	}
	// And loading it again afterwards works in full.
	res := load(t, s, LoadOptions{Files: []string{p}})
	if res.Files[0].Loaded != 60000 {
		t.Errorf("reload loaded %d rows, want 60000", res.Files[0].Loaded)
	}
}

func TestLockNamesHolder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	release, err := Lock(ctx, dir, "canvas load", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(ctx, dir, "canvas load", 0)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("second lock: %v, want an error naming process %d", err, os.Getpid())
	}
	start := time.Now()
	_, err = Lock(ctx, dir, "canvas load", 300*time.Millisecond)
	if err == nil || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("waiting lock: %v after %s", err, time.Since(start))
	}
	release()
	release2, err := Lock(ctx, dir, "canvas load", 0)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	release2()
}

func TestInboxSkipsSymlinksAndOddFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "police_b.csv", policeHeader)
	writeFile(t, dir, "police_a.csv", policeHeader)
	writeFile(t, dir, "notes.docx", "x")
	writeFile(t, dir, ".hidden.csv", "x")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "police_link.csv")); err != nil {
		t.Fatal(err)
	}
	files, skipped, err := InboxFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{filepath.Join(dir, "police_a.csv"), filepath.Join(dir, "police_b.csv")}, files); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	if _, ok := skipped["police_link.csv"]; !ok {
		t.Errorf("symlink not reported: %v", skipped)
	}
	if _, ok := skipped["notes.docx"]; !ok {
		t.Errorf("docx not reported: %v", skipped)
	}
}

package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciatteh/canvas/schema"
	"github.com/google/go-cmp/cmp"
)

// generated caches one default generation per seed for the tests that only read it.
var generated = struct {
	sync.Mutex
	dirs map[int64]string
	ms   map[int64]Manifest
}{dirs: map[int64]string{}, ms: map[int64]Manifest{}}

func generateOnce(t *testing.T, seed int64) (string, Manifest) {
	t.Helper()
	generated.Lock()
	defer generated.Unlock()
	if d, ok := generated.dirs[seed]; ok {
		return d, generated.ms[seed]
	}
	dir, err := os.MkdirTemp("", "synth-test-")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Seed = seed
	m, err := Generate(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	generated.dirs[seed], generated.ms[seed] = dir, m
	return dir, m
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range generated.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func smallConfig(seed int64) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.FromYear, cfg.ToYear = 2017, 2019
	cfg.Scale = 0.2
	return cfg
}

func dirContents(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		seed int64
	}{{a, 7}, {b, 7}, {c, 8}} {
		if _, err := Generate(context.Background(), run.dir, smallConfig(run.seed), nil); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb, fc := dirContents(t, a), dirContents(t, b), dirContents(t, c)
	if len(fa) < 12 {
		t.Fatalf("only %d files written", len(fa))
	}
	for name, x := range fa {
		if !bytes.Equal(x, fb[name]) {
			t.Errorf("same seed, %s differs", name)
		}
	}
	if len(fa) != len(fb) {
		t.Errorf("same seed, %d files then %d", len(fa), len(fb))
	}
	same := 0
	for name, x := range fa {
		if bytes.Equal(x, fc[name]) {
			same++
			t.Logf("different seed, %s identical", name)
		}
	}
	if same > 1 { // truth/README.md is the same text
		t.Errorf("different seeds gave %d identical files", same)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, t.TempDir(), smallConfig(1), nil); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) { c.FromYear, c.ToYear = 2020, 2019 },
		func(c *Config) { c.Scale = -1 },
		func(c *Config) { c.Nights = -2 },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := Generate(context.Background(), t.TempDir(), cfg, nil); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

// TestPatternRates checks that each pattern occurs at its configured rate (manifest).
func TestPatternRates(t *testing.T) {
	_, m := generateOnce(t, 1)
	r := m.Rates
	for name, want := range map[string]float64{
		"police.redelivered": r.Redelivery, "prosecution.redelivered": r.Redelivery, "mach.redelivered": r.Redelivery,
		"police.corrected": r.Correction, "prosecution.corrected": r.Correction, "mach.corrected": r.Correction,
		"mach.cancelled": r.Cancellation, "police.deleted_fact": r.Cancellation, "prosecution.deleted_row": r.Cancellation,
		"mach.migration_duplicate": r.MigrationDuplicate, "mach.migration_missing_nn": r.MigrationMissingNN,
		"mach.per_victim_notice": r.PerVictimLines, "mach.aggravation": r.Aggravation, "mach.co_offence": r.CoOffence,
		"mach.appeal": r.Appeal, "mach.opposition": r.Opposition, "mach.cassation": r.Cassation,
		"mach.missing_first": r.MissingFirst, "mach.variant.name_variant": r.NameVariant,
		"mach.variant.swapped_names": r.SwappedNames, "mach.variant.swapped_day_month": r.SwappedDayMonth,
		"mach.variant.alias": r.Alias, "mach.variant.accents_dropped": r.AccentsDropped, "mach.variant.typo": r.Typo,
		"mach.missing_nn": r.MissingNN, "world.repeat_offender": r.Repeat,
		"world.foreign_offender_bis": r.BIS, "world.foreign_offender_no_number": r.NoNumber,
		"police.bad_optional.birth_year_future": r.BadOptional, "police.bad_optional.unknown_citizenship": r.BadOptional,
		"prosecution.bad_optional.birth_year_future": r.BadOptional, "mach.bad_optional.invalid_nn": r.BadOptional,
	} {
		pc, ok := m.Patterns[name]
		if !ok || pc.OutOf == 0 {
			t.Errorf("%s: pattern never drawn", name)
			continue
		}
		got := float64(pc.Injected) / float64(pc.OutOf)
		// Four standard deviations of a binomial share, plus a little slack.
		tol := 4*math.Sqrt(want*(1-want)/float64(pc.OutOf)) + 0.005
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %d of %d = %.4f, want %.4f ± %.4f", name, pc.Injected, pc.OutOf, got, want, tol)
		}
		if want > 0 && pc.Injected == 0 {
			t.Errorf("%s: never injected", name)
		}
	}
	outcomes := map[string]float64{"confirm": r.AppealConfirm, "change": r.AppealChange, "acquit": r.AppealAcquit}
	total := 0.0
	for o := range outcomes {
		total += float64(m.Patterns["mach.appeal_outcome."+o].Injected)
	}
	for o, want := range outcomes {
		got := float64(m.Patterns["mach.appeal_outcome."+o].Injected) / total
		if math.Abs(got-want) > 4*math.Sqrt(want*(1-want)/total)+0.01 {
			t.Errorf("appeal outcome %s: share %.3f, want %.3f", o, got, want)
		}
	}
	lines := int64(0)
	for _, n := range m.Rows {
		lines += n
	}
	bad := int64(0)
	for _, src := range []string{"police", "prosecution", "mach"} {
		for _, k := range badKinds() {
			n := m.BadRows[src+"."+k]
			if n == 0 {
				t.Errorf("no %s junk rows of kind %s", src, k)
			}
			bad += n
		}
	}
	want := r.BadRow * float64(len(badKinds())) * float64(lines)
	if math.Abs(float64(bad)-want) > 4*math.Sqrt(want)+5 {
		t.Errorf("junk rows: %d, want about %.0f", bad, want)
	}
}

// TestFiles inspects the delivery files: names, formats, languages, encodings, and the
// patterns seen from the files themselves.
func TestFiles(t *testing.T) {
	dir, m := generateOnce(t, 1)
	codes := schema.MustCodes()
	seen := map[string]bool{}
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
		seen["format:"+f.Format] = true
		seen["lang:"+f.Language] = true
		seen["enc:"+f.Encoding] = true
		seen["delim:"+f.Delimiter] = true
		seen["dates:"+f.Dates] = true
		if f.Title {
			seen["title"] = true
		}
		if _, err := os.Stat(filepath.Join(dir, f.Name)); err != nil {
			t.Errorf("manifest lists %s: %v", f.Name, err)
		}
	}
	for _, want := range []string{"format:csv", "format:xlsx", "lang:en", "lang:fr", "lang:nl", "enc:utf-8",
		"enc:utf-8-bom", "enc:windows-1252", "delim:;", "delim:,", "delim:\t", "dates:iso", "dates:dd/mm/yyyy", "dates:excel-serial", "title"} {
		if !seen[want] {
			t.Errorf("no file with %s", want)
		}
	}
	if len(names) != 3*(1+m.Nights) {
		t.Errorf("%d files, want %d: %v", len(names), 3*(1+m.Nights), names)
	}
	// Per source, lexical order is delivery order.
	for _, src := range schema.Sources() {
		var nights []int
		var ns []string
		for _, f := range m.Files {
			if f.Source == src.Name {
				nights = append(nights, f.Night)
				ns = append(ns, f.Name)
			}
		}
		sorted := slices.Clone(ns)
		slices.Sort(sorted)
		if diff := cmp.Diff(sorted, ns); diff != "" {
			t.Errorf("%s files not in lexical delivery order: %s", src.Name, diff)
		}
	}
	// Read the conviction files back: versions, tombstones, migration duplicates, per-victim lines.
	src := schema.Mach()
	var files []string
	for _, f := range m.Files {
		if f.Source == "mach" {
			files = append(files, filepath.Join(dir, f.Name))
		}
	}
	ids := map[string]int{}
	seenVersion := map[string]bool{}
	var cancelled, legacy, machCopies, higher, redelivered int
	perJudgment := map[string]int{}
	values := map[string]map[string]bool{}
	bad := 0
	for _, f := range files {
		rows, b := readDelivery(t, f, src, codes)
		bad += b
		for _, r := range rows {
			id := r.v["record_id"]
			if ids[id] > 0 {
				higher++
			}
			if seenVersion[id+"|"+r.v["record_version"]] {
				redelivered++
			}
			seenVersion[id+"|"+r.v["record_version"]] = true
			ids[id]++
			if r.v["record_status"] == "CANCELLED" {
				cancelled++
			}
			if r.v["source_system"] == "LEGACY" {
				legacy++
			}
			if r.v["offence_code"] == "SMU-77BIS" {
				perJudgment[r.v["judgment_id"]+"|"+r.v["person_id"]]++
			}
			for _, c := range []string{"instance", "decision", "sentence_type", "suspended"} {
				if values[c] == nil {
					values[c] = map[string]bool{}
				}
				values[c][r.v[c]] = true
			}
		}
	}
	for id := range ids {
		if strings.HasPrefix(id, "M") {
			machCopies++
		}
	}
	if cancelled == 0 || legacy == 0 || higher == 0 || machCopies == 0 {
		t.Errorf("conviction files: %d cancelled, %d legacy, %d repeated records, %d MACH records", cancelled, legacy, higher, machCopies)
	}
	if want := m.Patterns["mach.redelivered"].Injected; int64(redelivered) != want {
		t.Errorf("%d lines re-delivered with the same version in the files, manifest says %d", redelivered, want)
	}
	if want := m.Patterns["mach.cancelled"].Injected; int64(cancelled) != want {
		t.Errorf("%d CANCELLED lines in the files, manifest says %d", cancelled, want)
	}
	many := 0
	for _, n := range perJudgment {
		if n >= 5 {
			many++
		}
	}
	if many == 0 {
		t.Error("no smuggling conviction coded on five lines or more")
	}
	for _, v := range []string{"FIRST", "APPEAL", "OPPOSITION", "CASSATION"} {
		if !values["instance"][v] {
			t.Errorf("no %s decision in the files", v)
		}
	}
	for _, v := range []string{"CONVICTION", "ACQUITTAL", "SUSPENSION"} {
		if !values["decision"][v] {
			t.Errorf("no %s decision in the files", v)
		}
	}
	// Migration duplicates and identity variants, seen from the files with the hidden persons.
	personOf := map[string]string{}
	for _, r := range readCSVFile(t, filepath.Join(dir, "truth", "persons.csv"))[1:] {
		if strings.HasPrefix(r[1], "Q") {
			t.Errorf("junk record %s is in truth/persons.csv", r[1])
		}
		if r[0] == "mach" {
			personOf[r[1]] = r[2]
		}
	}
	normJ := func(j string) string {
		j = strings.ReplaceAll(strings.ReplaceAll(j, " ", ""), "-", "/")
		parts := strings.Split(j, "/")
		for i, p := range parts {
			parts[i] = strings.TrimLeft(p, "0")
		}
		return strings.Join(parts, "/")
	}
	legacyNotices, machNotices := map[string]bool{}, map[string]bool{}
	surnames := map[string]map[string]bool{}
	for _, f := range files {
		rows, _ := readDelivery(t, f, src, codes)
		for _, r := range rows {
			p := personOf[r.v["record_id"]]
			if !strings.HasPrefix(p, "P") {
				continue // background persons are never re-encoded
			}
			key := p + "|" + r.v["court"] + "|" + r.v["judgment_date"] + "|" + normJ(r.v["judgment_id"])
			if r.v["source_system"] == "LEGACY" {
				legacyNotices[key] = true
			} else {
				machNotices[key] = true
				if surnames[p] == nil {
					surnames[p] = map[string]bool{}
				}
				surnames[p][r.v["surname"]] = true
			}
		}
	}
	dup := 0
	for k := range legacyNotices {
		if machNotices[k] {
			dup++
		}
	}
	share := float64(dup) / float64(len(legacyNotices))
	if want := m.Rates.MigrationDuplicate; math.Abs(share-want) > 0.06 {
		t.Errorf("LEGACY notices re-encoded in MACH: %d of %d (%.3f), want about %.2f", dup, len(legacyNotices), share, want)
	}
	varied := 0
	for _, s := range surnames {
		if len(s) > 1 {
			varied++
		}
	}
	if varied < 20 {
		t.Errorf("only %d persons under several surnames in MACH lines", varied)
	}
	var wantBad int64
	for k, n := range m.BadRows {
		if strings.HasPrefix(k, "mach.") {
			wantBad += n
		}
	}
	if int64(bad) != wantBad {
		t.Errorf("conviction files: %d rows to quarantine, manifest says %d", bad, wantBad)
	}
}

// TestTruthAgreesWithFiles recomputes some truth values from the files alone plus the hidden
// keys (persons.csv, chains.csv), and compares them with truth/indicator.csv.
func TestTruthAgreesWithFiles(t *testing.T) {
	dir, _ := generateOnce(t, 1)
	codes := schema.MustCodes()
	truth := truthValues(t, dir)
	got := map[string]int64{}
	phen := func(off string) string { return codes.Offences[off].Phenomenon }

	// Police: facts by the year of their earliest registration date.
	police, _, _ := delivered(t, dir, schema.Police(), codes)
	type factInfo struct {
		year  string
		phens map[string]bool
	}
	facts := map[string]*factInfo{}
	for _, r := range police {
		f := facts[r.v["fact_id"]]
		if f == nil {
			f = &factInfo{year: r.v["registration_date"][:4], phens: map[string]bool{}}
			facts[r.v["fact_id"]] = f
		}
		f.year = min(f.year, r.v["registration_date"][:4])
		f.phens[phen(r.v["offence_code"])] = true
	}
	for _, f := range facts {
		for p := range f.phens {
			got[f.year+"|"+p+"|OFFENCES_RECORDED"]++
		}
	}
	// Prosecution: cases by the year of their earliest entry date, and referred persons.
	pros, _, _ := delivered(t, dir, schema.Prosecution(), codes)
	type caseInfo struct {
		year  string
		phens map[string]bool
	}
	cases := map[string]*caseInfo{}
	referred := map[string]bool{}
	for _, r := range pros {
		c := cases[r.v["case_number"]]
		if c == nil {
			c = &caseInfo{year: r.v["entry_date"][:4], phens: map[string]bool{}}
			cases[r.v["case_number"]] = c
		}
		c.year = min(c.year, r.v["entry_date"][:4])
		p := phen(r.v["prevention_code"])
		c.phens[p] = true
		if r.v["status"] == "REFERRED" {
			referred[r.v["status_date"][:4]+"|"+p+"|PERSONS_PROSECUTED|"+r.v["suspect_ref"]] = true
		}
	}
	for _, c := range cases {
		for p := range c.phens {
			got[c.year+"|"+p+"|CASES_ENTERED"]++
		}
	}
	for k := range referred {
		got[k[:strings.LastIndex(k, "|")]]++
	}
	// Convictions: standing lines grouped by true chain; the last decision decides.
	mach, _, _ := delivered(t, dir, schema.Mach(), codes)
	chainOf, personOf := map[string]string{}, map[string]string{}
	for _, r := range readCSVFile(t, filepath.Join(dir, "truth", "chains.csv"))[1:] {
		chainOf[r[0]] = r[1]
	}
	for _, r := range readCSVFile(t, filepath.Join(dir, "truth", "persons.csv"))[1:] {
		if r[0] == "mach" {
			personOf[r[1]] = r[2]
		}
	}
	rank := map[string]int{"FIRST": 0, "OPPOSITION": 1, "APPEAL": 2, "CASSATION": 3}
	chains := map[string][]parsedRow{}
	for id, r := range mach {
		c, ok := chainOf[id]
		if !ok {
			t.Fatalf("record %s is in no chain of truth/chains.csv", id)
		}
		if _, ok := personOf[id]; !ok {
			t.Fatalf("record %s has no true person in truth/persons.csv", id)
		}
		chains[c] = append(chains[c], r)
	}
	personsYear := map[string]bool{}
	type yearPerson struct{ year, person string }
	principal := map[yearPerson]string{}
	for _, rows := range chains {
		last := rows[0]
		for _, r := range rows {
			if r.v["judgment_date"] > last.v["judgment_date"] ||
				(r.v["judgment_date"] == last.v["judgment_date"] && rank[r.v["instance"]] > rank[last.v["instance"]]) {
				last = r
			}
		}
		if last.v["decision"] != "CONVICTION" {
			continue
		}
		phens := map[string]bool{}
		offences := map[string]bool{}
		prison := false
		for _, r := range rows {
			if r.v["judgment_date"] == last.v["judgment_date"] && r.v["instance"] == last.v["instance"] {
				phens[phen(r.v["offence_code"])] = true
				offences[r.v["offence_code"]] = true
				prison = prison || (r.v["sentence_type"] == "PRISON" && (r.v["suspended"] == "N" || r.v["suspended"] == "PARTIAL"))
			}
		}
		if last.v["final_date"] == "" {
			for p := range phens {
				got[last.v["judgment_date"][:4]+"|"+p+"|CONVICTIONS_PENDING"]++
			}
			continue
		}
		y := last.v["final_date"][:4]
		person := personOf[last.v["record_id"]]
		for p := range phens {
			got[y+"|"+p+"|CONVICTIONS"]++
			personsYear[y+"|"+p+"|PERSONS_CONVICTED|"+person] = true
			if prison {
				personsYear[y+"|"+p+"|PERSONS_PRISON_UNSUSPENDED|"+person] = true
			}
		}
		for o := range offences {
			got[y+"|"+phen(o)+"|OFFENCE_CONVICTIONS"]++
			k := yearPerson{y, person}
			best, ok := principal[k]
			if !ok || codes.Offences[o].Rank > codes.Offences[best].Rank ||
				(codes.Offences[o].Rank == codes.Offences[best].Rank && o < best) {
				principal[k] = o
			}
		}
	}
	for k := range personsYear {
		got[k[:strings.LastIndex(k, "|")]]++
	}
	for k, o := range principal {
		got[k.year+"|"+phen(o)+"|PERSONS_CONVICTED_PRINCIPAL"]++
	}
	checked := 0
	for k, v := range got {
		if strings.Contains(k, "OTHER") {
			continue
		}
		checked++
		if truth[k] != v {
			t.Errorf("%s: files say %d, truth says %d", k, v, truth[k])
		}
	}
	for k, v := range truth {
		measure := k[strings.LastIndex(k, "|")+1:]
		if _, ok := got[k]; !ok && slices.Contains([]string{"OFFENCES_RECORDED", "CASES_ENTERED", "PERSONS_PROSECUTED", "CONVICTIONS", "PERSONS_CONVICTED",
			"OFFENCE_CONVICTIONS", "CONVICTIONS_PENDING", "PERSONS_CONVICTED_PRINCIPAL", "PERSONS_PRISON_UNSUSPENDED"}, measure) {
			t.Errorf("%s: truth says %d, files have none", k, v)
		}
	}
	if checked < 100 {
		t.Errorf("only %d values checked", checked)
	}
}

// TestVolumes checks the Belgian scale of the default world.
func TestVolumes(t *testing.T) {
	dir, m := generateOnce(t, 1)
	truth := truthValues(t, dir)
	for y := m.FromYear; y <= m.ToYear; y++ {
		for _, p := range []string{thb, smu} {
			k := func(measure string) int64 { return truth[fmt.Sprintf("%d|%s|%s", y, p, measure)] }
			if n := k("PERSONS_CONVICTED"); n < 100 || n > 200 {
				t.Errorf("%d %s: %d persons convicted, want 100-200", y, p, n)
			}
			if n := k("CASES_ENTERED"); p == smu && (n < 300 || n > 500) {
				t.Errorf("%d %s: %d cases entered, want about 400", y, p, n)
			}
			if n := k("OFFENCES_RECORDED"); p == thb && (n < 200 || n > 450) {
				t.Errorf("%d %s: %d offences recorded, want a few hundred", y, p, n)
			}
		}
	}
}

func TestManifestFile(t *testing.T) {
	dir, m := generateOnce(t, 1)
	b, err := os.ReadFile(filepath.Join(dir, "truth", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got Manifest
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("manifest.json differs from the returned manifest: %s", diff)
	}
}

// TestTruthBreakdowns recomputes breakdowns the files alone determine (police persons by sex,
// age group and citizenship from the representative row; cases by district) and compares them
// with the truth.
func TestTruthBreakdowns(t *testing.T) {
	dir, _ := generateOnce(t, 1)
	codes := schema.MustCodes()
	cells := map[string]int64{}
	for _, r := range readCSVFile(t, filepath.Join(dir, "truth", "indicator.csv"))[1:] {
		n, _ := strconv.ParseInt(r[9], 10, 64)
		cells[strings.Join(r[:9], "|")] = n
	}
	phen := func(off string) string { return codes.Offences[off].Phenomenon }
	got := map[string]int64{}
	police, _, _ := delivered(t, dir, schema.Police(), codes)
	type pk struct{ ref, role, year, phen string }
	rep := map[pk]parsedRow{}
	for _, r := range police {
		p := phen(r.v["offence_code"])
		if p == "OTHER" {
			continue
		}
		k := pk{r.v["person_ref"], r.v["role"], r.v["registration_date"][:4], p}
		cur, ok := rep[k]
		if !ok || r.v["registration_date"] > cur.v["registration_date"] ||
			(r.v["registration_date"] == cur.v["registration_date"] && r.v["fact_id"] > cur.v["fact_id"]) {
			rep[k] = r
		}
	}
	for k, r := range rep {
		sex := r.v["sex"]
		if sex != "M" && sex != "F" {
			sex = "_U"
		}
		age := "_U"
		y, _ := strconv.Atoi(k.year)
		if by, err := strconv.Atoi(r.v["birth_year"]); err == nil && r.v["birth_year"] <= r.v["extract_date"][:4] {
			age = "Y_GE18"
			if y-by < 18 {
				age = "Y_LT18"
			}
		}
		cit := "_U"
		if c := r.v["citizenship"]; c == "BE" {
			cit = "NAT"
		} else if c != "" && codes.InEU(c, time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)) {
			cit = "EU_OTH"
		} else if c != "" {
			cit = "NEU"
		}
		measure := "SUSPECTS"
		if k.role == "VICTIM" {
			measure = "VICTIMS"
		}
		expl := "_T"
		got[strings.Join([]string{k.year, k.phen, "POLICE", measure, sex, age, cit, "_T", expl}, "|")]++
	}
	pros, _, _ := delivered(t, dir, schema.Prosecution(), codes)
	type ck struct{ cn, phen string }
	caseYear, caseDists := map[ck]string{}, map[ck]map[string]bool{}
	for _, r := range pros {
		k := ck{r.v["case_number"], phen(r.v["prevention_code"])}
		if k.phen == "OTHER" {
			continue
		}
		if y, ok := caseYear[k]; !ok || r.v["entry_date"][:4] < y {
			caseYear[k] = r.v["entry_date"][:4]
		}
		d := codes.Offices[r.v["office"]]
		if r.v["office"] == "FED" {
			d = "FED"
		}
		if caseDists[k] == nil {
			caseDists[k] = map[string]bool{}
		}
		caseDists[k][d] = true
	}
	for k, y := range caseYear {
		for d := range caseDists[k] {
			got[strings.Join([]string{y, k.phen, "PROSECUTION", "CASES_ENTERED", "_T", "_T", "_T", d, "_T"}, "|")]++
		}
	}
	if len(got) < 200 {
		t.Fatalf("only %d cells recomputed", len(got))
	}
	for k, v := range got {
		if cells[k] != v {
			t.Errorf("%s: files say %d, truth says %d", k, v, cells[k])
		}
	}
}

// No two people share a valid national number in the conviction extract, as in the national
// register: serials drawn alone collided (one number in seven at ten million lines), and the
// linkage trusts a shared valid number. Invalid numbers (broken check digits) are the extract's
// errors and may collide.
func TestNationalNumbersAreUnique(t *testing.T) {
	dir, _ := generateOnce(t, 1)
	person := map[string]string{}
	for _, row := range readCSVFile(t, filepath.Join(dir, "truth", "persons.csv"))[1:] {
		if row[0] == "mach" {
			person[row[1]] = row[2]
		}
	}
	mach, _, _ := delivered(t, dir, schema.Mach(), schema.MustCodes())
	holders := map[string]map[string]bool{}
	checked := 0
	for id, r := range mach {
		nn := r.v["national_number"]
		if nn == "" || !validNN(nn) {
			continue
		}
		p, ok := person[id]
		if !ok {
			t.Fatalf("record %s is not in the truth", id)
		}
		if holders[nn] == nil {
			holders[nn] = map[string]bool{}
		}
		holders[nn][p] = true
		checked++
	}
	if checked < 10_000 {
		t.Fatalf("only %d records with a valid national number", checked)
	}
	for nn, ps := range holders {
		if len(ps) > 1 {
			t.Errorf("national number %s held by %d people: %v", nn, len(ps), slices.Sorted(maps.Keys(ps)))
		}
	}
}

// nnSerials gives every draw of one birth day, sex and kind its own serial, keeps a BIS
// number's month offset (the serial's parity), avoids the serials of its base, and gives the
// draw back once all 499 are taken.
func TestNNSerials(t *testing.T) {
	var world nnSerials
	bg := nnSerials{base: &world}
	born := mkday(1980, 5, 17)
	numbers := map[string]bool{}
	for i := range 300 {
		n := nationalNumber(born, true, world.take(born, true, numNN, 7), numNN)
		if numbers[n] {
			t.Fatalf("draw %d: %s given twice", i, n)
		}
		numbers[n] = true
	}
	for i := range 199 {
		n := nationalNumber(born, true, bg.take(born, true, numNN, 7), numNN)
		if numbers[n] {
			t.Fatalf("background draw %d: %s, which the world holds", i, n)
		}
		numbers[n] = true
	}
	if got := bg.take(born, true, numNN, 7); got != 7 {
		t.Errorf("all 499 serials taken: got %d, want the draw back (7)", got)
	}
	if s := world.take(born, false, numNN, 7); s != 7 {
		t.Errorf("the other sex's first draw: serial %d, want 7", s)
	}
	for _, seq := range []int{4, 4, 4, 5, 5} {
		if s := world.take(born, true, numBIS, seq); s%2 != seq%2 {
			t.Errorf("BIS draw %d gave serial %d: the month offset changed", seq, s)
		}
	}
}

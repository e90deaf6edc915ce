package dedup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ciatteh/canvas/dedup/linkage"
)

// TestStateNeighbours checks the store's Neighbours against the order linkage uses (sort key,
// then record ID, both as Go compares strings) over blocks whose sort keys are equal, prefixes of
// one another, or hold letters beyond ASCII, and IDs that are prefixes of one another: the ranks
// and sizes, for positions on members, between them and past either end, several per block.
func TestStateNeighbours(t *testing.T) {
	ctx := t.Context()
	conn := openConn(t, "")
	if err := EnsureTables(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	pieces := []string{"", "A", "AB", "B", "a", "|", "0", "9", " ", "Ж", "Ω", "É", "é", "ب", "Z"}
	word := func() string {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	// five blocks of P and three of Y; every record in one block of each kind
	keys := map[string][]linkage.BlockKey{}
	sorts := map[string][]linkage.SortKey{}
	members := map[linkage.BlockKey][]linkage.Member{}
	for i := range 400 {
		id := fmt.Sprintf("R%d", i) // R1 < R10 < R100 < R11
		for _, kind := range []byte("PY") {
			k := linkage.BlockKey{Hash: uint64(rng.IntN(5)) << 62, Kind: kind} // negative as BIGINT too
			if kind == 'Y' {
				k.Hash = uint64(rng.IntN(3))
			}
			s := word()
			keys[id] = append(keys[id], k)
			sorts[id] = append(sorts[id], linkage.SortKey{Kind: kind, Key: s})
			members[k] = append(members[k], linkage.Member{ID: id, Sort: s})
		}
	}
	for _, ms := range members {
		slices.SortFunc(ms, func(a, b linkage.Member) int {
			if c := strings.Compare(a.Sort, b.Sort); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		for i := range ms {
			ms[i].Rank = i
		}
	}
	var rows []keyRow
	for id := range keys {
		var err error
		if rows, err = appendKeyRows(rows, id, keys[id], sorts[id]); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeKeyRows(ctx, conn, t.TempDir(), rows); err != nil {
		t.Fatal(err)
	}
	st := storeState{conn: conn, dir: t.TempDir()}
	blocks := make([]linkage.BlockKey, 0, len(members))
	for k := range members {
		blocks = append(blocks, k)
	}
	slices.SortFunc(blocks, func(a, b linkage.BlockKey) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	for round := range 30 {
		n := []int{1, 2, 7}[round%3]
		var pos []linkage.Position
		for range 1 + rng.IntN(6) {
			k := blocks[rng.IntN(len(blocks))]
			ms := members[k]
			switch rng.IntN(4) {
			case 0: // on a member
				m := ms[rng.IntN(len(ms))]
				pos = append(pos, linkage.Position{Block: k, Sort: m.Sort, ID: m.ID})
			case 1: // before all
				pos = append(pos, linkage.Position{Block: k, Sort: "", ID: ""})
			case 2: // after all
				pos = append(pos, linkage.Position{Block: k, Sort: "\U0010FFFF", ID: "Z"})
			default: // anywhere, a member's key with another ID
				pos = append(pos, linkage.Position{Block: k, Sort: ms[rng.IntN(len(ms))].Sort, ID: fmt.Sprintf("R%d", rng.IntN(500))})
			}
		}
		got, err := st.Neighbours(ctx, pos, n)
		if err != nil {
			t.Fatal(err)
		}
		want := map[linkage.BlockKey]linkage.Neighbourhood{}
		for _, p := range pos {
			ms := members[p.Block]
			at, _ := slices.BinarySearchFunc(ms, p, func(m linkage.Member, p linkage.Position) int {
				if c := strings.Compare(m.Sort, p.Sort); c != 0 {
					return c
				}
				return strings.Compare(m.ID, p.ID)
			})
			nb := want[p.Block]
			nb.Size = len(ms)
			for i := max(at-n, 0); i <= at+n && i < len(ms); i++ {
				if !slices.Contains(nb.Members, ms[i]) {
					nb.Members = append(nb.Members, ms[i])
				}
			}
			want[p.Block] = nb
		}
		for k, nb := range got {
			slices.SortFunc(nb.Members, func(a, b linkage.Member) int { return a.Rank - b.Rank })
			got[k] = nb
		}
		for k, nb := range want {
			slices.SortFunc(nb.Members, func(a, b linkage.Member) int { return a.Rank - b.Rank })
			want[k] = nb
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Fatalf("round %d, n %d, positions %+v: neighbourhoods differ from Go's order (-want +got):\n%s", round, n, pos, diff)
		}
	}
}

// TestStateRecords checks the store's Records against the view link_record, which defines what
// the linkage saw of a record: each EXACT group's representative only, with the group's national
// number when the representative has none, its own when it has one, and IDs the store does not
// hold (or that are not representatives) left out.
func TestStateRecords(t *testing.T) {
	ctx := t.Context()
	conn := openConn(t, "")
	if err := EnsureTables(ctx, conn); err != nil {
		t.Fatal(err)
	}
	// id, national number, surname, exact_rep
	for _, r := range [][4]any{
		{"R1", nil, "PEETERS", "R1"}, {"R2", "85010112345", "PEETERS", "R1"}, {"R3", nil, "PEETERS", "R1"},
		{"R4", "90020254321", "JANSSENS", "R4"}, {"R5", "90020299999", "JANSSENS", "R4"},
		{"R6", nil, nil, "R6"},
		{"R7", "70030312345", "MAES", "R7"},
	} {
		if _, err := conn.ExecContext(ctx, `INSERT INTO person_record (person_record, person_key, national_number, surname,
			lines, rule, cluster, component, exact_rep) VALUES (?, 'K', ?, ?, 1, 'SINGLE', ?, ?, ?)`, r[0], r[1], r[2], r[3], r[3], r[3]); err != nil {
			t.Fatal(err)
		}
	}
	st := storeState{conn: conn, dir: t.TempDir()}
	ids := []string{"R1", "R2", "R4", "R6", "R7", "R9"}
	got, err := st.Records(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := []linkage.Record{
		{ID: "R1", NationalNumber: "85010112345", Surname: "PEETERS"},
		{ID: "R4", NationalNumber: "90020254321", Surname: "JANSSENS"},
		{ID: "R6"},
		{ID: "R7", NationalNumber: "70030312345", Surname: "MAES"},
	}
	byID := func(a, b linkage.Record) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(got, byID)
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("Records (-want +got):\n%s", d)
	}
	// and the view says the same
	rows, err := conn.QueryContext(ctx, `SELECT id, coalesce(national_number, ''), coalesce(surname, '') FROM link_record
		WHERE id IN ('R1', 'R2', 'R4', 'R6', 'R7', 'R9') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var view []linkage.Record
	for rows.Next() {
		var r linkage.Record
		if err := rows.Scan(&r.ID, &r.NationalNumber, &r.Surname); err != nil {
			t.Fatal(err)
		}
		view = append(view, r)
	}
	if d := gocmp.Diff(want, view); d != "" {
		t.Errorf("link_record (-want +got):\n%s", d)
	}
}

// writeLinkKeys writes the keys a chunk of records at a time, in whole row groups with the rest
// carried to the next chunk: every record's keys land in link_key once, whatever the chunk and
// row group sizes (the other tests have fewer records than one chunk), and a cancelled run stops
// with an error.
func TestWriteLinkKeysChunks(t *testing.T) {
	ctx := t.Context()
	var recs []linkage.Record
	for i := range 23 {
		recs = append(recs, linkage.Record{ID: fmt.Sprintf("MACH:%03d", i), Surname: []string{"Peeters", "Janssens", "Maes"}[i%3],
			GivenNames: []string{"Jan", "Els", "Ahmed Ali"}[i%3], BirthDate: fmt.Sprintf("19%02d-0%d-1%d", 50+i, 1+i%9, i%10),
			BirthPlace: "Gent", Sex: "M", NationalNumber: ""})
	}
	var want []string
	for _, r := range recs {
		keys, sorts := linkage.Keys(r)
		rows, err := appendKeyRows(nil, r.ID, keys, sorts)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range rows {
			want = append(want, fmt.Sprintf("%d %d %s %s", int64(k.k.Hash), k.k.Kind, k.id, k.sort))
		}
	}
	slices.Sort(want)
	defer func(n, f int) { linkKeyChunk, flushRows = n, f }(linkKeyChunk, flushRows)
	for _, run := range [][2]int{{1, rowGroupRows}, {4, rowGroupRows}, {23, rowGroupRows}, {100, rowGroupRows}, {1, 7}, {4, 7}} {
		chunk := run[0]
		linkKeyChunk, flushRows = chunk, run[1] // whole "row groups" of 7 rows: the rest carried
		conn := openConn(t, "")
		if err := EnsureTables(ctx, conn); err != nil {
			t.Fatal(err)
		}
		if err := writeLinkKeys(ctx, conn, t.TempDir(), recs); err != nil {
			t.Fatalf("chunks of %d: %v", chunk, err)
		}
		rows, err := conn.QueryContext(ctx, `SELECT hash, kind, record, sort_key FROM link_key`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var h int64
			var kind int
			var id, sort string
			if err := rows.Scan(&h, &kind, &id, &sort); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %d %s %s", h, kind, id, sort))
		}
		rows.Close()
		slices.Sort(got)
		if d := gocmp.Diff(want, got); d != "" {
			t.Errorf("chunks of %d: link_key (-want +got):\n%s", chunk, d)
		}

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if err := writeLinkKeys(cancelled, conn, t.TempDir(), recs); err == nil {
			t.Errorf("chunks of %d: a cancelled write succeeded", chunk)
		}
	}
}

// TestAppendChunkKeyRowsInRecordOrder checks that working the keys out on several cores gives the
// rows of one pass over the records, in the same order, after the rows already there.
func TestAppendChunkKeyRowsInRecordOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var recs []linkage.Record
	for i := range 5000 { // several shares of 1,024 records
		recs = append(recs, linkage.Record{ID: fmt.Sprintf("MACH:%05d", i),
			Surname:    []string{"Peeters", "Janssens", "Maes", "El Amrani", "Nowak"}[rng.IntN(5)],
			GivenNames: []string{"Jan", "Els", "Ahmed Ali", "Zoë", ""}[rng.IntN(5)],
			BirthDate:  fmt.Sprintf("19%02d-%02d-%02d", 40+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28)),
			BirthPlace: []string{"Gent", "Liège", ""}[rng.IntN(3)], Sex: "F"})
	}
	before := []keyRow{{id: "already there"}}
	want := slices.Clone(before)
	for _, r := range recs {
		keys, sorts := linkage.Keys(r)
		var err error
		if want, err = appendKeyRows(want, r.ID, keys, sorts); err != nil {
			t.Fatal(err)
		}
	}
	got, err := appendChunkKeyRows(slices.Clone(before), recs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(keyRow{})); diff != "" {
		t.Errorf("rows differ from one pass over the records (-want +got):\n%s", diff)
	}
}

package dedup

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ciatteh/canvas/dedup/linkage"
)

//go:embed sql/tables.sql
var tablesSQL string

// Options tune a dedup run.
type Options struct {
	// Linkage configures rule D5; the zero value means linkage.DefaultConfig().
	Linkage *linkage.Config
	// NameMatchMin is the smallest name-match score (0 to 1) with which an appeal joins a notice
	// of another person in the judgment it reviews (rule D4); 0 means 0.65.
	NameMatchMin float64
	// BatchLines is about how many lines D2 to D4 take at a time (whole components); 0 means
	// 200,000. It bounds the memory of those rules.
	BatchLines int
	// Full recomputes every record instead of only what the changes since the previous run
	// touch (see Run); the result is the same.
	Full bool
	// RetrainLinkage estimates the linkage model again from the current records (and stores it
	// for the later runs) instead of scoring with the stored one; the run is full.
	RetrainLinkage bool
	// Progress, when set, is told each stage as it starts.
	Progress func(stage string)
	// MemoryLimit is DuckDB's memory limit in bytes, as the database was opened (0: unknown). A
	// full run holds every person record in Go's heap from the linkage to the end of D2-D4, and
	// DuckDB only writes meanwhile; so the run lowers DuckDB's limit to a third of this for that
	// time (not under 512 MiB; this also drops the pages DuckDB cached while the records were read),
	// and sets it back before the resolved tables, DuckDB's own heavy part. The two then do not
	// peak together.
	MemoryLimit int64
}

// Stats count what each rule did in a run.
type Stats struct {
	Mode   string // ModeFull or ModeIncremental
	Reason string `json:",omitempty"` // why a run was full
	// Region is how many person records an incremental run recomputed.
	Region int `json:",omitempty"`

	Lines          int // lines of mach_current (after D1)
	D2Merged       int // LEGACY lines merged into their MACH twin
	PersonRecords  int // person records given to the linkage
	Persons        int // person keys
	D5Merged       int // person records merged into another's person (PersonRecords - Persons)
	ReviewPairs    int // pairs on the review list
	Notices        int // conviction notices (D3)
	D3Merged       int // standing lines merged into a notice with another line
	OffenceLines   int // lines of chains' last decisions
	Chains         int // decision chains (D4)
	D4Merged       int // notices merged into a chain with another notice
	OrphanAppeals  int // appeals whose first decision is absent
	D4PersonMerges int // persons merged because an appeal named another record's notice
	Convictions    int // chains whose last decision is CONVICTION
	Duration       time.Duration
	// Steps are the seconds each step took (reading, linkage, D2-D4, keys and tables), for the
	// run log.
	Steps map[string]float64 `json:",omitempty"`
}

// Run applies rules D2 to D5 to the restricted store's mach_current table (rule D1 must have
// run) and brings the resolved tables and the trace up to date. It runs in one transaction: a
// failed run leaves the previous results in place.
//
// Memory holds the person records (the unit of D5), not the lines: the records are read
// streaming in record order, linked, and then the lines are taken in batches of whole components
// (person clusters joined by the judgments their lines name, and by the judgments their appeals
// name), so that D2 to D4 see in each batch everything they compare. The result does not depend
// on the batch size.
//
// A run is incremental when it can (see planRun): only the region (see region) of the records
// that rule D1 changed since the previous run goes through D2 to D4 again, and only its rows of
// the resolved tables are replaced. Everything a rule compares lies within a component, and every
// ID is derived from content (notices and chains from their lines, clusters and components from
// their records, person keys from the previous run's), so the tables are the same as a full
// run's. Every run scores pairs with the stored linkage model (see linkage_model), so that a full
// run and an incremental one link alike.
func Run(ctx context.Context, db *sql.DB, opts Options) (Stats, error) {
	start := time.Now()
	steps := map[string]float64{}
	step, stepStart := "", start
	progress := func(s string) {
		if opts.Progress != nil {
			opts.Progress(s)
		}
	}
	// mark starts a step: the previous one's time goes to the run log
	mark := func(s string) {
		now := time.Now()
		if step != "" {
			steps[step] += now.Sub(stepStart).Seconds()
		}
		step, stepStart = s, now
		if s != "" {
			progress(s)
		}
	}
	cfg := linkage.DefaultConfig()
	if opts.Linkage != nil {
		cfg = *opts.Linkage
	}
	if opts.NameMatchMin == 0 {
		opts.NameMatchMin = 0.65
	}
	if opts.BatchLines <= 0 {
		opts.BatchLines = 200_000
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return Stats{}, err
	}
	defer conn.Close()
	if err := EnsureTables(ctx, conn); err != nil {
		return Stats{}, err
	}
	plan, err := planRun(ctx, conn, cfg, opts)
	if err != nil {
		return Stats{}, err
	}
	if plan.model != nil {
		var md linkage.Model
		if err := md.UnmarshalBinary(plan.model); err != nil {
			return Stats{}, fmt.Errorf("dedup: the stored linkage model: %w; run canvas build --retrain-linkage to estimate it again", err)
		}
		cfg.Model = &md
	}
	dir, err := tempDir(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	defer os.RemoveAll(dir)
	decisions, err := readDecisions(ctx, conn)
	if err != nil {
		return Stats{}, err
	}
	w := &world{nameMatchMin: opts.NameMatchMin, dir: dir}
	var parent []int32
	var lr linkRun
	var lowered bool // DuckDB's memory limit is lowered (see Options.MemoryLimit)
	restoreMemory := func() error {
		if !lowered {
			return nil
		}
		lowered = false
		return setMemoryLimit(context.WithoutCancel(ctx), conn, opts.MemoryLimit)
	}
	defer restoreMemory()
	if plan.full {
		mark("reading person records")
		if w.records, parent, err = readRecords(ctx, conn, dir, ""); err != nil {
			return Stats{}, err
		}
		if low := max(opts.MemoryLimit/3, minLoweredMemory); low < opts.MemoryLimit {
			if err := setMemoryLimit(ctx, conn, low); err != nil {
				return Stats{}, err
			}
			lowered = true
		}
		mark("D5 person linkage")
		if lr, err = w.linkPersons(ctx, decisions, cfg); err != nil {
			return Stats{}, err
		}
	} else {
		mark("D5 person linkage (incremental)")
		if parent, lr, err = w.incrementalWorld(ctx, conn, plan, decisions, cfg, mark); err != nil {
			return Stats{}, err
		}
	}
	var model []byte
	if plan.model == nil && w.model != nil {
		if model, err = w.model.MarshalBinary(); err != nil {
			return Stats{}, fmt.Errorf("dedup: the linkage model: %w", err)
		}
	}
	mark("D2-D4 components")
	batchOf, batches := w.planBatches(parent, opts.BatchLines, nil)
	rollback := func(err error) (Stats, error) {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return Stats{}, err
	}
	if plan.full {
		err = begin(ctx, conn)
	} else {
		err = beginIncremental(ctx, conn)
	}
	if err != nil {
		return rollback(err)
	}
	// the linkage's state first: D2-D4 do not read it, and what the linkage saw (every
	// representative, in a full run) can then be let go before D2-D4 build the largest heap
	mark("linkage state")
	if err := w.saveLinkState(ctx, conn, lr); err != nil {
		return rollback(err)
	}
	lr = linkRun{}
	mark("D2-D4")
	var total Stats
	if err := w.process(ctx, conn, dir, batchOf, batches, &total, progress); err != nil {
		return rollback(err)
	}
	steps["D2-D4 rules (included)"] = w.rulesTime.Seconds()
	steps["D2-D4 writing (included)"] = w.writeTime.Seconds()
	region := len(w.records)
	mark("person keys, resolved tables")
	// what follows is DuckDB's, and nothing below holds the records: their memory goes back to
	// the system before DuckDB takes its full limit again
	if lowered {
		debug.FreeOSMemory()
	}
	if err := restoreMemory(); err != nil {
		return rollback(err)
	}
	st, err := finish(ctx, conn, !plan.full, steps)
	if err != nil {
		return rollback(err)
	}
	if err := saveState(ctx, conn, plan, model, st.PersonRecords); err != nil {
		return rollback(err)
	}
	if err := dropStaging(ctx, conn); err != nil {
		return rollback(err)
	}
	mark("commit")
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return rollback(err)
	}
	mark("")
	st.Mode, st.Reason, st.Region = ModeIncremental, "", region
	if plan.full {
		st.Mode, st.Reason, st.Region = ModeFull, plan.reason, 0
	}
	st.Steps = steps
	st.Duration = time.Since(start)
	return st, nil
}

// planBatches groups the person records into components that D2 to D4 may join: the records
// that readRecords joined by judgment number (parent), and the records of one linkage cluster.
// Each record's component is named after its smallest record ID (records are in ID order). It
// packs whole components, in record order, into batches of about batchLines lines, and returns
// each record's batch and the number of batches. When keep is not nil, only the records it
// marks are given a batch (the others get -1): an incremental run's region, which is a union of
// whole components.
func (w *world) planBatches(parent []int32, batchLines int, keep []bool) ([]int32, int) {
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := range w.records {
		if c, ok := recordIndex(w.records, w.records[i].clusterID); ok {
			a, b := find(int32(i)), find(int32(c))
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	// components in the order of their first record, packed into batches
	batchOf := make([]int32, len(w.records))
	compBatch := map[int32]int32{}
	batch, lines := int32(0), 0
	for i := range w.records {
		root := find(int32(i))
		w.records[i].component = w.records[root].rec.ID // the root is the component's smallest index
		if keep != nil && !keep[i] {
			batchOf[i] = -1
			continue
		}
		b, ok := compBatch[root]
		if !ok {
			if lines >= batchLines {
				batch, lines = batch+1, 0
			}
			b = batch
			compBatch[root] = b
		}
		batchOf[i] = b
		lines += w.records[i].lines
	}
	return batchOf, int(batch) + 1
}

// process writes each record's batch into the store, reads the lines back batch by batch and
// applies D2, D3 and D4 to each, writing the results into the staging tables.
func (w *world) process(ctx context.Context, conn *sql.Conn, dir string, batchOf []int32, batches int,
	total *Stats, progress func(string)) error {
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE _dedup_batch (rec VARCHAR, batch INTEGER)`); err != nil {
		return err
	}
	var inBatch []int32
	for i, b := range batchOf {
		if b >= 0 {
			inBatch = append(inBatch, int32(i))
		}
	}
	if err := w.appendRows(ctx, conn, "_dedup_batch", len(inBatch), func(i int, rw *rowWriter) {
		rw.str(w.records[inBatch[i]].rec.ID)
		rw.int32(batchOf[inBatch[i]])
	}); err != nil {
		return err
	}
	// from here on nothing reads what D2-D4 write: their INSERTs run beside the next batch
	w.stage = newStager(ctx, conn, dir)
	defer func() {
		w.stage.abandon()
		w.stage = nil
	}()
	if err := w.writeLinkage(ctx, conn); err != nil {
		return err
	}
	cur := int32(-1)
	codes := interner{}
	done := func() error {
		if len(w.lines) == 0 {
			return nil
		}
		t0 := time.Now()
		w.stats = Stats{Lines: len(w.lines)}
		w.batchNumbers()
		w.migrationDuplicates()
		w.noticesAndChains()
		w.convictions()
		t1 := time.Now()
		if err := w.writeBatch(ctx, conn); err != nil {
			return err
		}
		w.rulesTime += t1.Sub(t0)
		w.writeTime += time.Since(t1)
		total.add(w.stats)
		w.lines = w.lines[:0]
		return nil
	}
	q := `SELECT ` + lineColumns + `, b.batch FROM mach_current m JOIN _dedup_batch b ON b.rec = ` +
		`coalesce(m.source_system, 'MACH') || ':' || m.person_id ORDER BY b.batch, m.record_id`
	err := export(ctx, conn, dir, "lines", q, func(b arrow.RecordBatch) error {
		c := col{b}
		batch := b.Column(21).(*array.Int32)
		for i := range int(b.NumRows()) {
			if bt := batch.Value(i); bt != cur {
				if bt < cur {
					return fmt.Errorf("dedup: the lines came back out of batch order (batch %d after %d); is preserve_insertion_order off?", bt+1, cur+1)
				}
				if err := done(); err != nil {
					return err
				}
				cur = bt
				if batches > 1 {
					progress(fmt.Sprintf("D2-D4 batch %d of %d", cur+1, batches))
				}
			}
			l, err := readBatchLine(c, i, w.records, codes)
			if err != nil {
				return err
			}
			w.lines = append(w.lines, l)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := done(); err != nil {
		return err
	}
	if err := w.flushRows(ctx, conn); err != nil {
		return err
	}
	return w.stage.close()
}

// add adds the counts of a batch.
func (s *Stats) add(b Stats) {
	s.Lines += b.Lines
	s.D2Merged += b.D2Merged
	s.Persons += b.Persons
	s.Notices += b.Notices
	s.D3Merged += b.D3Merged
	s.OffenceLines += b.OffenceLines
	s.Chains += b.Chains
	s.D4Merged += b.D4Merged
	s.OrphanAppeals += b.OrphanAppeals
	s.D4PersonMerges += b.D4PersonMerges
	s.Convictions += b.Convictions
}

// EnsureTables creates the dedup tables of the restricted store when they are missing.
func EnsureTables(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if _, err := db.ExecContext(ctx, tablesSQL); err != nil {
		return fmt.Errorf("creating dedup tables: %w", err)
	}
	return nil
}

// minLoweredMemory is the least a full run lowers DuckDB's memory limit to (see
// Options.MemoryLimit): D2-D4's reads of each batch's lines need some.
const minLoweredMemory = 512 << 20

// setMemoryLimit sets DuckDB's memory limit, in bytes; DuckDB drops cached pages to meet it.
func setMemoryLimit(ctx context.Context, conn *sql.Conn, bytes int64) error {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dB'", bytes)); err != nil {
		return fmt.Errorf("dedup: setting DuckDB's memory limit to %d bytes: %w", bytes, err)
	}
	return nil
}

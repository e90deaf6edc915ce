package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ciatteh/canvas/schema"
)

// PatternCount is how often a pattern was injected, out of how many chances.
type PatternCount struct {
	Injected int64 `json:"injected"`
	OutOf    int64 `json:"out_of"`
}

// FileInfo describes one delivery file written.
type FileInfo struct {
	Name      string `json:"name"`
	Source    string `json:"source"`
	Night     int    `json:"night"` // 0: the initial full delivery
	Format    string `json:"format"`
	Encoding  string `json:"encoding,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Language  string `json:"language"`
	Dates     string `json:"dates"`
	Title     bool   `json:"title_block,omitempty"`
	Serial    bool   `json:"excel_serial_dates,omitempty"`
	Rows      int64  `json:"rows"`     // data rows, junk rows included
	BadRows   int64  `json:"bad_rows"` // junk rows to be quarantined
}

// Manifest reports what Generate wrote: files, rows per source, and every injected pattern with
// its count. It is also written as truth/manifest.json.
type Manifest struct {
	Seed          int64                   `json:"seed"`
	FromYear      int                     `json:"from_year"`
	ToYear        int                     `json:"to_year"`
	Scale         float64                 `json:"scale"`
	Nights        int                     `json:"nights"`
	Migration     string                  `json:"migration"`
	FirstDelivery string                  `json:"first_delivery"`
	Rates         Rates                   `json:"rates"`
	Files         []FileInfo              `json:"files"`
	Rows          map[string]int64        `json:"rows"`     // per source
	BadRows       map[string]int64        `json:"bad_rows"` // per source.kind
	Patterns      map[string]PatternCount `json:"patterns"`
	World         map[string]int64        `json:"world"`          // sizes of the hidden world
	Indicator     int64                   `json:"indicator_rows"` // rows of truth/indicator.csv
}

// badKinds are the kinds of junk rows the contract quarantines.
func badKinds() [6]string {
	return [...]string{"required_empty", "bad_date", "unknown_code", "unknown_enum", "too_few_fields", "too_many_fields"}
}

// Generate writes one simulated world's extracts into outDir, and its truth into outDir/truth.
// progress, if not nil, is called now and then with rows written and the expected total.
func Generate(ctx context.Context, outDir string, cfg Config, progress func(done, total int64)) (Manifest, error) {
	if err := cfg.normalise(); err != nil {
		return Manifest{}, err
	}
	codes, err := schema.LoadCodes("")
	if err != nil {
		return Manifest{}, err
	}
	w := newWorld(cfg, codes)
	w.build()
	if err := ctx.Err(); err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(filepath.Join(outDir, "truth"), 0o755); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	g := &gen{w: w, ctx: ctx, out: outDir, progress: progress,
		m: Manifest{Seed: cfg.Seed, FromYear: cfg.FromYear, ToYear: cfg.ToYear, Scale: cfg.Scale, Nights: cfg.Nights,
			Migration: w.migration.iso(), FirstDelivery: w.d0.iso(), Rates: cfg.Rates,
			Rows: map[string]int64{}, BadRows: map[string]int64{}, World: map[string]int64{}},
		a3: map[string]string{}}
	for a3, a2 := range codes.Alpha3To2 {
		g.a3[a2] = a3
	}
	years := int64(cfg.ToYear - cfg.FromYear + 1)
	bgb := newBackground(w, 0)
	g.total = int64(len(w.police)+len(w.pros)+len(w.mach))*int64(1+cfg.Nights)/2 +
		years*int64(bgb.perYear(bgPoliceRows)+bgb.perYear(bgProsecutionRows)+bgb.perYear(bgMachLines))
	if err := g.openTruth(); err != nil {
		return Manifest{}, err
	}
	defer g.closeTruth()
	if err := g.deliver(); err != nil {
		return Manifest{}, err
	}
	if err := g.closeTruth(); err != nil {
		return Manifest{}, err
	}
	n, err := writeIndicator(filepath.Join(outDir, "truth", "indicator.csv"), w)
	if err != nil {
		return Manifest{}, err
	}
	g.m.Indicator = n
	g.m.Patterns = map[string]PatternCount{}
	for k, v := range w.patterns {
		g.m.Patterns[k] = *v
	}
	g.m.World["persons"] = int64(len(w.persons))
	g.m.World["episodes"] = int64(len(w.episodes))
	g.m.World["chains"] = int64(len(w.chains))
	g.m.World["police_records"] = int64(len(w.police))
	g.m.World["prosecution_records"] = int64(len(w.pros))
	g.m.World["mach_records"] = int64(len(w.mach))
	b, err := json.MarshalIndent(g.m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "truth", "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outDir, "truth", "README.md"), []byte(truthReadme), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("synth: %w", err)
	}
	if progress != nil {
		progress(g.done.Load(), g.done.Load())
	}
	return g.m, nil
}

// gen writes the deliveries of one world.
type gen struct {
	w        *world
	ctx      context.Context
	out      string
	progress func(done, total int64)
	m        Manifest
	a3       map[string]string
	done     atomic.Int64
	total    int64
	truthP   *truthFile
	truthC   *truthFile
}

// run is one source's deliveries. The three sources are written concurrently, each with its own
// random streams and counters, merged in source order afterwards so that output and manifest do
// not depend on scheduling.
type run struct {
	g        *gen
	si       int
	src      *schema.Source
	rb       rowBuf
	redo     *rand.Rand // which records a nightly delivery re-delivers
	files    []FileInfo
	rows     int64
	bad      map[string]int64
	patterns map[string]*PatternCount
	junkSeq  int
	done     int64 // rows not yet added to gen.done
}

func (r *run) pat(name string, hit bool) {
	p := r.patterns[name]
	if p == nil {
		p = &PatternCount{}
		r.patterns[name] = p
	}
	p.OutOf++
	if hit {
		p.Injected++
	}
}

// delivery is the file (or file parts) of one source and night being written.
type delivery struct {
	g     *gen
	run   *run
	src   *schema.Source
	p     *profile
	night int
	base  string // file name without part and extension
	split bool
	part  int
	sink  sink
	info  *FileInfo
	junk  *rand.Rand
	gap   int64 // rows before the next junk row
	cols  []column
}

func (g *gen) profile(si, k int, src *schema.Source) *profile {
	r := rand.New(rand.NewPCG(uint64(g.w.cfg.Seed), uint64(100+si*1000+k)))
	p := &profile{source: src.Name, lang: (si + k) % 3, enc: (si*2 + k) % 3, dates: (si + 2*k) % 4}
	p.xlsx = k > 0 && (si+k)%3 == 1
	if p.xlsx {
		p.lang = si % 3 // the XLSX files fall on one language otherwise
	}
	p.delim = ';'
	if (si+k)%2 == 1 {
		p.delim = ','
	}
	if si == 2 && k == 3 {
		p.delim = '\t' // the contract also accepts TAB
	}
	p.decComma = p.delim == ';' || r.IntN(3) == 0
	p.crlf = r.IntN(2) == 0
	p.alpha3 = r.IntN(3) == 0
	p.dottedNN = r.IntN(2) == 0
	p.style = r.IntN(3)
	p.extra = r.IntN(3) == 0
	if p.xlsx {
		p.title, p.serial, p.info = si != 1, si != 2, si == 1
	}
	if r.IntN(3) == 0 {
		p.perm = r.Perm(len(src.Columns))
	}
	return p
}

// deliver writes the three sources' deliveries concurrently and reports progress.
func (g *gen) deliver() error {
	w := g.w
	srcs := schema.Sources()
	runs := make([]*run, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for si, src := range srcs {
		runs[si] = &run{g: g, si: si, src: src, bad: map[string]int64{}, patterns: map[string]*PatternCount{},
			redo: rand.New(rand.NewPCG(uint64(w.cfg.Seed), uint64(50+si)))}
		wg.Add(1)
		go func(r *run) {
			defer wg.Done()
			errs[r.si] = r.deliver()
		}(runs[si])
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	if g.progress != nil {
		tick := time.NewTicker(250 * time.Millisecond) // only paces progress calls; no output depends on it
		defer tick.Stop()
	wait:
		for {
			select {
			case <-finished:
				break wait
			case <-tick.C:
				d := g.done.Load()
				g.progress(d, max(g.total, d))
			}
		}
	}
	<-finished
	for si, r := range runs {
		if errs[si] != nil {
			return errs[si]
		}
		g.m.Files = append(g.m.Files, r.files...)
		g.m.Rows[r.src.Name] += r.rows
		for k, n := range r.bad {
			g.m.BadRows[k] += n
		}
		g.m.World[r.src.Name+"_junk_rows"] = int64(r.junkSeq)
		for k, pc := range r.patterns {
			p := w.patterns[k]
			if p == nil {
				p = &PatternCount{}
				w.patterns[k] = p
			}
			p.Injected += pc.Injected
			p.OutOf += pc.OutOf
		}
	}
	return nil
}

// deliver writes one source's initial delivery and nightly deliveries.
func (r *run) deliver() error {
	g, w, si, src := r.g, r.g.w, r.si, r.src
	for k := range w.nights {
		p := g.profile(si, k, src)
		d := &delivery{g: g, run: r, src: src, p: p, night: k,
			base: fmt.Sprintf("%s_%s", src.Name, strings.ReplaceAll(w.nights[k].iso(), "-", "")),
			junk: rand.New(rand.NewPCG(uint64(w.cfg.Seed), uint64(7+si*1000+k)))}
		est := int64(0)
		switch si {
		case 0:
			est = int64(len(w.police))
		case 1:
			est = int64(len(w.pros))
		default:
			est = int64(len(w.mach))
		}
		bg := newBackground(w, uint64(11+si))
		if k == 0 {
			est += int64(w.cfg.ToYear-w.cfg.FromYear+1) * int64(bg.perYear([...]int{bgPoliceRows, bgProsecutionRows, bgMachLines}[si]))
		}
		d.split = !p.xlsx && w.cfg.SplitLines > 0 && est > int64(w.cfg.SplitLines)
		d.nextGap()
		if err := d.open(); err != nil {
			return err
		}
		var err error
		ex := w.nights[0]
		rb := &r.rb
		switch si {
		case 0:
			err = deliverRecords(d, w.police, renderPolice)
			for y := w.cfg.FromYear; k == 0 && y <= w.cfg.ToYear && err == nil; y++ {
				err = bg.police(y, rb, ex, func() error { return d.write(rb) })
			}
		case 1:
			err = deliverRecords(d, w.pros, renderProsecution)
			for y := w.cfg.FromYear; k == 0 && y <= w.cfg.ToYear && err == nil; y++ {
				err = bg.prosecution(y, rb, ex, func() error { return d.write(rb) })
			}
		default:
			err = deliverRecords(d, w.mach, renderMach)
			for y := w.cfg.FromYear; k == 0 && y <= w.cfg.ToYear && err == nil; y++ {
				err = bg.mach(y, rb, ex, func(tl *bgLine) error {
					if err := g.truthP.bytes("mach", tl.recordID, tl.person); err != nil {
						return err
					}
					if err := g.truthC.bytes2(tl.recordID, tl.chain, tl.outcome, tl.final); err != nil {
						return err
					}
					return d.write(rb)
				})
			}
		}
		if k == 0 {
			bg.patterns(r, src.Name)
		}
		if cerr := d.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("synth: writing %s: %w", d.base, err)
		}
	}
	g.done.Add(r.done)
	r.done = 0
	return nil
}

func (d day) isoOrEmpty() string {
	if d == 0 || d == noDay {
		return ""
	}
	return d.iso()
}

// deliverRecords writes the versions of night d.night, and re-delivers unchanged a share of
// the records standing before it.
func deliverRecords[T any](d *delivery, recs []*rec[T], render func(*rowBuf, *T, day)) error {
	w, r := d.g.w, d.run
	redelivered := d.src.Name + ".redelivered"
	ex := w.nights[d.night]
	for _, rc := range recs {
		var row *T
		for i := range rc.vers {
			if rc.vers[i].night == d.night {
				row = &rc.vers[i].row
			}
		}
		if row == nil && d.night > 0 {
			if prev := rc.at(d.night - 1); prev != nil && !tombstone(prev) {
				hit := r.redo.Float64() < w.cfg.Rates.Redelivery
				r.pat(redelivered, hit)
				if hit {
					row = prev
				}
			}
		}
		if row == nil {
			continue
		}
		render(&r.rb, row, ex)
		if err := d.write(&r.rb); err != nil {
			return err
		}
	}
	return nil
}

func tombstone(v any) bool {
	switch r := v.(type) {
	case *policeRow:
		return r.deleted
	case *prosRow:
		return r.deleted
	case *machLine:
		return r.cancelled
	}
	return false
}

func (d *delivery) open() error {
	name := d.base
	if d.split {
		d.part++
		name = fmt.Sprintf("%s_%02d", d.base, d.part)
	}
	ext := ".csv"
	if d.p.xlsx {
		ext = ".xlsx"
	}
	name += ext
	path := filepath.Join(d.g.out, name)
	var err error
	if d.p.xlsx {
		d.sink, err = newXLSXSink(path, d.p, d.src, d.g.a3, d.g.w.nights[d.night])
	} else {
		d.sink, err = newCSVSink(path, d.p, d.src, d.g.a3)
	}
	if err != nil {
		return fmt.Errorf("synth: %s: %w", name, err)
	}
	fi := FileInfo{Name: name, Source: d.src.Name, Night: d.night, Format: ext[1:], Language: langNames()[d.p.lang],
		Dates: dateNames()[d.p.dates], Title: d.p.title, Serial: d.p.serial}
	if d.p.serial {
		fi.Dates = "excel-serial"
	}
	if !d.p.xlsx {
		fi.Encoding, fi.Delimiter = encNames()[d.p.enc], string(d.p.delim)
	}
	d.run.files = append(d.run.files, fi)
	d.info = &d.run.files[len(d.run.files)-1]
	return nil
}

func (d *delivery) close() error {
	if d.sink == nil {
		return nil
	}
	err := d.sink.close()
	d.sink = nil
	return err
}

func (d *delivery) nextGap() {
	p := d.g.w.cfg.Rates.BadRow * float64(len(badKinds()))
	if p <= 0 || d.p.xlsx {
		d.gap = math.MaxInt64
		return
	}
	d.gap = 1 + int64(-math.Log(1-d.junk.Float64())/p)
}

// write writes a data row, and now and then a junk row before it.
func (d *delivery) write(rb *rowBuf) error {
	g := d.g
	if d.split && d.info.Rows >= int64(g.w.cfg.SplitLines) {
		if err := d.close(); err != nil {
			return err
		}
		if err := d.open(); err != nil {
			return err
		}
	}
	d.gap--
	if d.gap <= 0 {
		if err := d.writeJunk(rb); err != nil {
			return err
		}
		d.nextGap()
	}
	if err := d.sink.row(rb); err != nil {
		return err
	}
	d.info.Rows++
	d.run.rows++
	d.run.done++
	if d.run.done&0xffff == 0 {
		g.done.Add(d.run.done)
		d.run.done = 0
		if err := g.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// writeJunk writes a junk row made from rb (with its own record key) that breaks the contract
// in one way, so that the pipeline must quarantine it.
func (d *delivery) writeJunk(rb *rowBuf) error {
	r := d.junk
	if d.cols == nil {
		d.cols = columnsOf(d.src)
	}
	cols := d.cols
	cells := make([]string, rb.n())
	var buf []byte
	for i := range cells {
		buf = d.p.localise(buf[:0], &cols[i], rb.cell(i), d.g.a3)
		cells[i] = string(buf)
	}
	d.run.junkSeq++
	key := fmt.Sprintf("Q%08d", d.run.junkSeq)
	cells[0] = key
	idx := func(name string) int {
		for i, c := range d.src.Columns {
			if c.Name == name {
				return i
			}
		}
		return 0
	}
	kind := badKinds()[r.IntN(len(badKinds()))]
	switch kind {
	case "required_empty":
		req := d.src.Required()
		cells[idx(req[1+r.IntN(len(req)-1)])] = ""
	case "bad_date":
		dates := map[string]string{"police": "registration_date", "prosecution": "entry_date", "mach": "judgment_date"}
		cells[idx(dates[d.src.Name])] = [...]string{"2019-13-45", "32/13/2019", "hier", "00/00/0000", "31.02.20x9"}[r.IntN(5)]
	case "unknown_code":
		switch d.src.Name {
		case "police":
			if r.IntN(2) == 0 {
				cells[idx("district")] = "XYZ"
			} else {
				cells[idx("offence_code")] = "99Z9"
			}
		case "prosecution":
			if r.IntN(2) == 0 {
				cells[idx("office")] = "ZZZ"
			} else {
				cells[idx("prevention_code")] = "99X"
			}
		default:
			if r.IntN(2) == 0 {
				cells[idx("court")] = "TPI-XXX"
			} else {
				cells[idx("offence_code")] = "XXX-999"
			}
		}
	case "unknown_enum":
		switch d.src.Name {
		case "police":
			cells[idx("role")] = [...]string{"WITNESS", "TÉMOIN", "GETUIGE"}[d.p.lang]
		case "prosecution":
			cells[idx("status")] = [...]string{"PENDING", "EN ATTENTE", "IN AFWACHTING"}[d.p.lang]
		default:
			cells[idx("instance")] = [...]string{"SUPREME", "SUPRÊME", "OPPERSTE"}[d.p.lang]
		}
	case "too_few_fields":
		cells = cells[:len(cells)-1-r.IntN(3)]
	case "too_many_fields":
		// past every header column (the remark column too): trailing empty fields are
		// tolerated by the contract, so the surplus must hold values
		if d.p.extra {
			cells = append(cells, "")
		}
		cells = append(cells, "?", "?")
	}
	if err := d.sink.raw(cells); err != nil {
		return err
	}
	d.info.Rows++
	d.info.BadRows++
	d.run.rows++
	d.run.bad[d.src.Name+"."+kind]++
	return nil
}

package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ciatteh/canvas/build"
	"github.com/ciatteh/canvas/dedup"
)

// KeepCanvases is how many previously published canvases are kept for rollback.
const KeepCanvases = 3

// BuildResult is what the dedup, build and publish stages did.
type BuildResult struct {
	Dedup      dedup.Stats
	Build      build.Stats
	CanvasPath string
}

// BuildOptions tune the stages after the raw layer.
type BuildOptions struct {
	// Progress, when set, is told each stage and step as it starts.
	Progress func(stage string)
	Dedup    dedup.Options
	Build    build.Options
}

// recordStage writes a stage's counts into the run log.
func (s *Store) recordStage(ctx context.Context, runID int64, stage string, start time.Time, counts any) error {
	b, _ := json.Marshal(counts)
	_, err := s.DB.ExecContext(ctx, `INSERT INTO run_stage VALUES (?, ?, ?, ?, ?)`, runID, stage, start.UTC(),
		time.Since(start).Seconds(), string(b))
	return err
}

// RunDedup runs rules D2-D5 (dedup.Run) on the restricted store, telling dedup the store's
// DuckDB memory limit (see dedup.Options.MemoryLimit) unless opt gives one.
func (s *Store) RunDedup(ctx context.Context, opt dedup.Options) (dedup.Stats, error) {
	if opt.MemoryLimit == 0 {
		opt.MemoryLimit, _ = ParseSize(s.Settings.MemoryLimit)
	}
	return dedup.Run(ctx, s.DB, opt)
}

// BuildCanvas runs rules D2-D5 on the restricted store, builds a new shared canvas beside the
// published one and publishes it by an atomic swap: members see the previous canvas or the new
// one, never a half-built one. The caller holds the store's lock.
func BuildCanvas(ctx context.Context, s *Store, runID int64, opt BuildOptions) (BuildResult, error) {
	var res BuildResult
	progress := func(st string) {
		if opt.Progress != nil {
			opt.Progress(st)
		}
	}
	start := time.Now()
	progress("dedup")
	dopt := opt.Dedup
	if dopt.Progress == nil {
		dopt.Progress = func(st string) { progress("dedup: " + st) }
	}
	ds, err := s.RunDedup(ctx, dopt)
	if err != nil {
		return res, fmt.Errorf("dedup: %w", err)
	}
	res.Dedup = ds
	if err := s.recordStage(ctx, runID, "dedup", start, ds); err != nil {
		return res, err
	}
	key, err := s.Key()
	if err != nil {
		return res, err
	}
	start = time.Now()
	progress("build")
	final := s.Path(CanvasFile)
	tmp := fmt.Sprintf("%s.tmp-%d", final, runID)
	// Leftovers of killed builds: the caller holds the lock, so no build is writing them.
	if old, err := filepath.Glob(final + ".tmp-*"); err == nil {
		for _, p := range old {
			_ = os.Remove(p)
		}
	}
	bopt := opt.Build
	if bopt.Progress == nil {
		bopt.Progress = func(st string) { progress("build: " + st) }
	}
	bs, err := build.Build(ctx, s.DB, key, tmp, bopt)
	if err != nil {
		_ = os.Remove(tmp)
		return res, fmt.Errorf("canvas build: %w", err)
	}
	res.Build = bs
	if err := s.recordStage(ctx, runID, "build", start, bs); err != nil {
		return res, err
	}
	start = time.Now()
	progress("publish")
	if err := build.Publish(tmp, final, KeepCanvases); err != nil {
		return res, err
	}
	res.CanvasPath = final
	if err := s.SetMark(ctx, MarkPublished); err != nil {
		return res, err
	}
	if err := s.recordStage(ctx, runID, "publish", start, map[string]string{"canvas": final}); err != nil {
		return res, err
	}
	return res, nil
}

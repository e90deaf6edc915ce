package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Publish makes the canvas at tmpPath the canvas at finalPath, atomically: a reader opening
// finalPath sees the previous canvas or the new one, never a half-written file, even if the
// process is killed. The previous canvas is kept as finalPath.prev-1 (and older ones as prev-2
// ... prev-keep) for rollback; keep 0 keeps none. tmpPath must be in the same folder.
func Publish(tmpPath, finalPath string, keep int) error {
	if filepath.Dir(filepath.Clean(tmpPath)) != filepath.Dir(filepath.Clean(finalPath)) {
		return fmt.Errorf("publish: %s must be in the folder of %s for an atomic swap", tmpPath, finalPath)
	}
	if _, err := os.Stat(tmpPath + ".wal"); err == nil {
		return fmt.Errorf("publish: %s has a write-ahead log: the build did not finish cleanly; build again", tmpPath)
	}
	if _, err := os.Stat(tmpPath); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	prev := func(n int) string { return fmt.Sprintf("%s.prev-%d", finalPath, n) }
	_, err := os.Stat(finalPath)
	hasFinal := err == nil
	if hasFinal && keep > 0 {
		// rotate: prev-(keep-1) -> prev-keep, ..., prev-1 -> prev-2
		os.Remove(prev(keep))
		for n := keep - 1; n >= 1; n-- {
			if err := os.Rename(prev(n), prev(n+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("publish: keeping previous canvases: %w", err)
			}
		}
		// a hard link keeps finalPath in place until the rename below replaces it
		if err := os.Link(finalPath, prev(1)); err != nil {
			return fmt.Errorf("publish: keeping the previous canvas as %s: %w", prev(1), err)
		}
	}
	if err := os.Rename(tmpPath, finalPath); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if d, err := os.Open(filepath.Dir(finalPath)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

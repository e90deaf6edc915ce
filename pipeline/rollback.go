package pipeline

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// KeptCanvas is a previously published canvas kept for rollback.
type KeptCanvas struct {
	Path     string
	Modified time.Time
	Size     int64
}

// KeptCanvases lists the published canvas and the kept previous ones, newest first.
func (s *Store) KeptCanvases() ([]KeptCanvas, error) {
	final := s.Path(CanvasFile)
	paths, err := filepath.Glob(final + ".prev-*")
	if err != nil {
		return nil, err
	}
	var out []KeptCanvas
	for _, p := range append([]string{final}, paths...) {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		out = append(out, KeptCanvas{Path: p, Modified: st.ModTime(), Size: st.Size()})
	}
	sort.SliceStable(out[min(1, len(out)):], func(i, j int) bool {
		rest := out[min(1, len(out)):]
		return rest[i].Path < rest[j].Path
	})
	return out, nil
}

// Rollback publishes a kept canvas (n = 1 for canvas.duckdb.prev-1, the one before the current)
// in place of the current one, by the same atomic swap as a build: readers see the current
// canvas or the restored one. The kept copies stay as they are, so a rollback can be undone by
// building again. The caller holds the store's lock.
func (s *Store) Rollback(n int) (string, error) {
	final := s.Path(CanvasFile)
	src := fmt.Sprintf("%s.prev-%d", final, n)
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("no kept canvas %s to roll back to (canvas publish --list shows the kept ones): %w", src, err)
	}
	defer in.Close()
	tmp := fmt.Sprintf("%s.tmp-rollback", final)
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("copying %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return "", err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("publishing %s: %w", src, err)
	}
	return src, nil
}

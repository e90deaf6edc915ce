package main

import (
	"context"
	"io"

	"github.com/ciatteh/canvas/pipeline"
)

// afterLoad runs the stages after the raw layer: dedup, canvas build and publishing.
func afterLoad(ctx context.Context, g *Globals, s *pipeline.Store, runID int64, res pipeline.LoadResult, o *LoadOptions, stdout, stderr io.Writer) error {
	return nil
}

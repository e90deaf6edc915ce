// Package all lists the source adapters, in the fixed order police, prosecution, mach: what
// sources.Open recognises a delivery among.
package all

import (
	"github.com/ciatteh/canvas/sources"
	"github.com/ciatteh/canvas/sources/mach"
	"github.com/ciatteh/canvas/sources/police"
	"github.com/ciatteh/canvas/sources/prosecution"
)

// Adapters returns the adapters of the three partners' extracts.
func Adapters() []sources.Adapter {
	return []sources.Adapter{police.New(), prosecution.New(), mach.New()}
}

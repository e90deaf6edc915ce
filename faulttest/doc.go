// Package faulttest holds the end-to-end fault-injection tests of the canvas command (GitHub
// issue 8, reliability and security). It sits outside the data flow: its tests build the canvas
// binary once and run it as a subprocess, the way a scheduler runs the nightly load, then inject
// faults around it:
//
//   - crash safety: `canvas load` is killed with SIGKILL at many points of a run and re-run; the
//     store must end exactly as after an uninterrupted run (nothing lost, nothing twice);
//   - concurrency: two writers on one store, and readers during a load;
//   - storage faults: read-only and full file systems, a damaged restricted store;
//   - hostile files: zip bombs, XML bombs, huge lines and fields, NUL bytes, invalid UTF-8,
//     formulas, odd names and symbolic links in an inbox (corpus in ../testdata/hostile, big
//     files generated in a temporary folder).
//
// Every check is made from outside: exit codes, messages, the child's peak memory (rusage), its
// time, and the store's tables read with DuckDB after the child ended.
//
// Environment:
//
//	CANVAS_CRASH_POINTS=N   kill points of the crash test (default 50)
//	CANVAS_PUBLISH_POINTS=N kill points of the load-build-publish crash test (default 8)
//	CANVAS_CRASH_ROWS=N     rows of the crash test's delivery set (default 5000)
//	CANVAS_HOSTILE_BIG=1    full-size hostile files (2 GB CSV line, 5 GB zip bomb) instead of CI sizes
//	CANVAS_UPDATE_HOSTILE=1 rewrite the committed corpus in ../testdata/hostile from its generator
//	FAULTTEST_CANVAS_BIN    use this canvas binary instead of building one
package faulttest

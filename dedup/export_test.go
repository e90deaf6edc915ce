package dedup

// FlushRows is the unit in which a run appends its trace and offence convictions (see
// wholeRowGroups), for the tests of package dedup_test to set.
var FlushRows = &flushRows

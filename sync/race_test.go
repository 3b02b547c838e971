//go:build race

package sync_test

// raceDetector says whether the test binary was built with the race detector, which
// makes the SQL stores' pure-Go and network code several times slower.
const raceDetector = true

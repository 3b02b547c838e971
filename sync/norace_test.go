//go:build !race

package sync_test

// raceDetector says whether the test binary was built with the race detector.
const raceDetector = false

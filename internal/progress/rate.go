package progress

import "time"

// Rate measures a transfer rate over the last few seconds, in one-second
// buckets: the figure a user sees moves with the transfer instead of
// averaging since its start. Not safe for concurrent use: its owner's lock
// guards it.
type Rate struct {
	buckets [rateWindow]int64
	secs    [rateWindow]int64 // the second each bucket counts
}

const rateWindow = 5

// Add counts n bytes moved at now.
func (m *Rate) Add(now time.Time, n int64) {
	sec := now.Unix()
	i := sec % rateWindow
	if m.secs[i] != sec {
		m.secs[i], m.buckets[i] = sec, 0
	}
	m.buckets[i] += n
}

// PerSecond is bytes per second over the complete seconds of the window.
func (m *Rate) PerSecond(now time.Time) int64 {
	sec := now.Unix()
	var sum int64
	for i := range m.buckets {
		if d := sec - m.secs[i]; d >= 1 && d < rateWindow {
			sum += m.buckets[i]
		}
	}
	return sum / (rateWindow - 1)
}

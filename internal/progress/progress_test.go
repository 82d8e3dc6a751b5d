package progress

import (
	"io"
	"strings"
	"testing"
)

func TestReportsTheFinalTotal(t *testing.T) {
	var reports []int64
	r := NewReader(strings.NewReader(strings.Repeat("x", 10000)), func(n int64) { reports = append(reports, n) })
	buf := make([]byte, 7)
	for {
		if _, err := r.Read(buf); err == io.EOF {
			break
		}
	}
	if len(reports) == 0 || reports[len(reports)-1] != 10000 || r.N() != 10000 {
		t.Fatalf("reports %v", reports)
	}
	// 1429 reads within well under a second: throttled to a handful.
	if len(reports) > 20 {
		t.Fatalf("%d reports: not throttled", len(reports))
	}
}

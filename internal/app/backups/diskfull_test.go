package backups

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// A stream the node cut because its disk is full reaches the app as a
// short body; the manifest's error must say what the user can do.
func TestFetchErrorOnAFullDisk(t *testing.T) {
	cut := io.ErrUnexpectedEOF
	free := func(left uint64, err error) func(string) (uint64, error) {
		return func(dir string) (uint64, error) {
			if dir != "/backup/node" {
				t.Fatalf("free space asked of %s", dir)
			}
			return left, err
		}
	}
	err := explainFetchError(cut, 8<<20, "/backup/node", free(12<<10, nil))
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "no space left on the backup disk: 0.0 MiB free in /backup/node, the file needs 8.0 MiB") {
		t.Fatalf("full disk: %v", err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"room for the file", explainFetchError(cut, 8<<20, "/backup/node", free(9<<20, nil))},
		{"free space unknown", explainFetchError(cut, 8<<20, "/backup/node", free(0, errors.ErrUnsupported))},
		{"no data directory", explainFetchError(cut, 8<<20, "", free(0, nil))},
	} {
		if tc.err != cut {
			t.Errorf("%s: %v, want the error unchanged", tc.name, tc.err)
		}
	}
	if explainFetchError(nil, 8<<20, "/backup/node", free(0, nil)) != nil {
		t.Error("a fetch that worked got an error")
	}
}

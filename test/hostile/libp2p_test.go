package hostile

import (
	"crypto/rand"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/multiformats/go-varint"
)

// libp2pGarbage: connections to the node's libp2p port that are not
// libp2p — random bytes, HTTP, a multistream header and junk, an absurd
// length prefix, and silence — are closed by the node within a bound, and
// the node is still healthy afterwards (checked by the caller).
func libp2pGarbage(t *testing.T, addr string) {
	junk := make([]byte, 1<<20)
	rand.Read(junk)
	ms := "/multistream/1.0.0\n"
	cases := []struct {
		name  string
		send  []byte
		bound time.Duration
	}{
		{"random bytes", junk, 10 * time.Second},
		// 'G' reads as a 71-byte multistream message: the node waits for it
		// until the upgrade timeout.
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 20 * time.Second},
		{"multistream then junk", append(append(varint.ToUvarint(uint64(len(ms))), ms...), junk[:4096]...), 10 * time.Second},
		{"multistream, unknown security protocol", append(append(varint.ToUvarint(uint64(len(ms))), ms...), append(varint.ToUvarint(12), "/evil/1.0.0\n"...)...), 20 * time.Second},
		{"absurd length prefix", varint.ToUvarint(1 << 62), 10 * time.Second},
		// The upgrader gives a connection 15 s to secure itself.
		{"silence", nil, 20 * time.Second},
	}
	done := make(chan string, len(cases)*10)
	n := 0
	for _, c := range cases {
		for range 10 { // several of each at once
			n++
			go func() {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					done <- fmt.Sprintf("%s: %v", c.name, err)
					return
				}
				go conn.Write(c.send)
				if err := closedWithin(conn, c.bound, ""); err != nil {
					done <- fmt.Sprintf("%s: %v", c.name, err)
					return
				}
				done <- ""
			}()
		}
	}
	for range n {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

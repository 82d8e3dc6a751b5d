package hostile

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// probe is one hostile request, written raw so that it can be anything a
// client can put on a socket, not only what net/http would send.
type probe struct {
	name string
	// req is the request with {HOST} (the listener's host:port) and {KEY}
	// (the UI API key) substituted.
	req string
	// want is the status expected; 0 means any 4xx. Whatever it is, a 5xx
	// or no answer within replyBound fails.
	want int
}

// replyBound is how long any answer may take.
const replyBound = 10 * time.Second

// send writes p to addr (over TLS when tc is set) and returns the reply.
func send(addr string, tc *tls.Config, raw string) (*http.Response, []byte, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	var conn net.Conn
	var err error
	if tc != nil {
		conn, err = tls.DialWithDialer(&d, "tcp", addr, tc)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(replyBound))
	// The server may answer and close before reading a large request
	// whole (431, 413): the reply is what counts, not the write's error.
	go io.Copy(conn, strings.NewReader(raw))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp, body, nil
}

// runProbes sends each probe to addr and checks its answer.
func runProbes(t *testing.T, addr string, tc *tls.Config, key string, probes []probe) {
	for _, p := range probes {
		raw := strings.NewReplacer("{HOST}", addr, "{KEY}", key).Replace(p.req)
		start := time.Now()
		resp, body, err := send(addr, tc, raw)
		if err != nil {
			t.Errorf("%s: no answer after %s: %v", p.name, time.Since(start).Round(time.Millisecond), err)
			continue
		}
		ok := resp.StatusCode == p.want || p.want == 0 && resp.StatusCode >= 400 && resp.StatusCode < 500
		if !ok {
			t.Errorf("%s: %s %.200q, want %d", p.name, resp.Status, body, p.want)
		}
		if strings.Contains(string(body), "root:x:0:0") {
			t.Errorf("%s: the answer holds /etc/passwd", p.name)
		}
	}
}

// closedWithin reports whether conn is closed by the server within bound
// while trickle keeps sending a byte a second.
func closedWithin(conn net.Conn, bound time.Duration, trickle string) error {
	defer conn.Close()
	deadline := time.Now().Add(bound)
	conn.SetDeadline(deadline)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < len(trickle); i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte{trickle[i]}); err != nil {
				return
			}
		}
	}()
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("still open after " + bound.String())
	}
	return nil
}

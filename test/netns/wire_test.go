package netns

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// wire is a host's cable: two TAP devices, one the host's eth0 and one a
// bridge port, with the test process copying Ethernet frames between them.
// Frames the host sends can be delayed and dropped, which is what
// `tc qdisc add dev eth0 root netem delay D loss P` does on the host's
// interface; this kernel may be built without netem, the wire works on any.
type wire struct {
	port, host *os.File // the bridge side, the host side

	mu    sync.Mutex
	delay time.Duration
	loss  float64

	sent, dropped atomic.Int64 // frames the host sent, and those lost
	wg            sync.WaitGroup
	closeOnce     sync.Once
}

type frame struct {
	data []byte
	due  time.Time
}

// newWire creates the two TAP devices in the test's namespace; the caller
// moves hostName into the host's.
func newWire(portName, hostName string) (*wire, error) {
	port, err := openTAP(portName)
	if err != nil {
		return nil, err
	}
	host, err := openTAP(hostName)
	if err != nil {
		port.Close()
		return nil, err
	}
	w := &wire{port: port, host: host}
	w.wg.Add(2)
	go w.pump(host, port, true)
	go w.pump(port, host, false)
	return w, nil
}

// openTAP creates a TAP device that lives as long as the file is open, so a
// test that dies leaves no device behind.
func openTAP(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("TAP device %s: %w", name, err)
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("creating TAP device %s: %w", name, err)
	}
	// Non-blocking: Go's poller serves the reads, and Close ends them.
	return os.NewFile(uintptr(fd), name), nil
}

// impair sets the delay and loss of what the host sends (0, 0: a clean
// cable).
func (w *wire) impair(delay time.Duration, loss float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.delay, w.loss = delay, loss
}

func (w *wire) impairment() (time.Duration, float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.delay, w.loss
}

// pump copies frames from one end to the other; from the host, through a
// queue that holds each frame until it is due. A full queue drops, as a
// router's does. Writes to an end whose interface is down fail, and the
// frame is lost, as on a cable pulled out.
func (w *wire) pump(from, to *os.File, impaired bool) {
	defer w.wg.Done()
	queue := make(chan frame, 8192)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range queue {
			if d := time.Until(f.due); d > 0 {
				time.Sleep(d)
			}
			to.Write(f.data)
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := from.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				break
			}
			// EIO while the interface is down: wait for it to come back.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		f := frame{data: append([]byte(nil), buf[:n]...), due: time.Now()}
		if impaired {
			w.sent.Add(1)
			delay, loss := w.impairment()
			if loss > 0 && rand.Float64() < loss {
				w.dropped.Add(1)
				continue
			}
			f.due = f.due.Add(delay)
		}
		select {
		case queue <- f:
		default:
		}
	}
	close(queue)
	<-done
}

func (w *wire) close() {
	w.closeOnce.Do(func() {
		w.port.Close()
		w.host.Close()
		w.wg.Wait()
	})
}

// Command nodebench holds the small helpers bench/run.sh needs that the
// shell does poorly: a fast deterministic source of incompressible test
// data, a free loopback port, and a memory sampler for the node process.
//
//	nodebench gen -mib N -seed S -o FILE   write N MiB of ChaCha8 output
//	nodebench freeport                     print a free TCP port on 127.0.0.1
//	nodebench rss -pid P [-every 100ms]    sample VmRSS until SIGTERM/SIGINT
//	                                       or until P exits, then print
//	                                       "peak_kib samples last_kib"
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "freeport":
		err = freePort()
	case "rss":
		err = sampleRSS(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nodebench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nodebench gen -mib N -seed S -o FILE | freeport | rss -pid P [-every D]")
	os.Exit(2)
}

// gen writes mib MiB of ChaCha8 output: incompressible, the same for the
// same seed on every machine, and far faster than /dev/urandom.
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	mib := fs.Int64("mib", 0, "size in MiB")
	seed := fs.Uint64("seed", 1, "seed")
	out := fs.String("o", "", "output file")
	fs.Parse(args)
	if *mib <= 0 || *out == "" {
		return errors.New("gen needs -mib > 0 and -o")
	}
	var key [32]byte
	for i := range 4 {
		v := *seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			key[i*8+j] = byte(v >> (8 * j))
		}
	}
	src := rand.NewChaCha8(key)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for range *mib {
		src.Read(buf)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the node binds it; run.sh then fails to start the node
// and says so.
func freePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

// sampleRSS reads VmRSS of pid every interval and, when told to stop or when
// the process is gone, prints the peak, the number of samples and the last
// value, in KiB.
func sampleRSS(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ExitOnError)
	pid := fs.Int("pid", 0, "process to watch")
	every := fs.Duration("every", 100*time.Millisecond, "sampling interval")
	fs.Parse(args)
	if *pid <= 0 {
		return errors.New("rss needs -pid")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	path := "/proc/" + strconv.Itoa(*pid) + "/status"
	var peak, last, n int64
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for {
		kib, err := vmRSS(path)
		if err != nil {
			break // the process is gone
		}
		last, n = kib, n+1
		peak = max(peak, kib)
		select {
		case <-stop:
			// One last sample so a short phase is never missed entirely.
			if kib, err := vmRSS(path); err == nil {
				last, n = kib, n+1
				peak = max(peak, kib)
			}
			fmt.Println(peak, n, last)
			return nil
		case <-tick.C:
		}
	}
	fmt.Println(peak, n, last)
	return nil
}

func vmRSS(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in " + path)
}

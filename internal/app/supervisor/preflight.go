package supervisor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// preflight checks, before exec, what would otherwise surface as a node
// exiting with a line in a log: each error names the setting to change.
// configured says the binary came from node.binary rather than being
// Archivist's own.
func preflight(bin string, cfg config.NodeConfig, configured bool) error {
	if err := checkBinary(bin, configured); err != nil {
		return err
	}
	if err := checkDataDir(cfg.DataDirectory); err != nil {
		return err
	}
	// The API is bound to loopback; libp2p and discovery listen on every
	// interface, so those are checked there.
	if err := checkPort("tcp", "127.0.0.1", cfg.APIPort, "node.api_port"); err != nil {
		return err
	}
	if err := checkPort("tcp", "0.0.0.0", cfg.ListenPort, "node.listen_port"); err != nil {
		return err
	}
	return checkPort("udp", "0.0.0.0", cfg.DiscoveryPort, "node.discovery_port")
}

func checkBinary(bin string, configured bool) error {
	fix := "reinstall Archivist"
	if configured {
		fix = "correct node.binary in Settings, or clear it to use the node built into Archivist"
	}
	if bin == "" {
		return errors.New("no node binary to run: " + fix)
	}
	fi, err := os.Stat(bin)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("node binary %s not found: %s", bin, fix)
	case err != nil:
		return fmt.Errorf("node binary %s cannot be read (%v): %s", bin, err, fix)
	case fi.IsDir():
		return fmt.Errorf("node binary %s is a folder, not a program: %s", bin, fix)
	case !isExecutable(fi):
		return fmt.Errorf("node binary %s is not executable: make it executable (chmod +x %s), or %s", bin, bin, fix)
	}
	return nil
}

func checkDataDir(dir string) error {
	const fix = "choose another node.data_directory in Settings"
	if dir == "" {
		return errors.New("node.data_directory is not set: " + fix)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("the node data directory %s is a file, not a folder: %s", dir, fix)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the node data directory %s (%v): %s, or fix the permissions of its parent", dir, unwrapPath(err), fix)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot use the node data directory %s (%v): %s", dir, unwrapPath(err), fix)
	}
	if !fi.IsDir() {
		return fmt.Errorf("the node data directory %s is a file, not a folder: %s", dir, fix)
	}
	// Writable for real: permissions, read-only mounts and ACLs all show
	// here, where a mode check would miss some.
	f, err := os.CreateTemp(dir, ".archivist-write-test-*")
	if err != nil {
		return fmt.Errorf("cannot write in the node data directory %s (%v): fix its permissions, or %s", dir, unwrapPath(err), fix)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// checkPort binds the port for a moment. Another program (or another
// Archivist) holding it is reported as such; the supervisor never goes
// looking for who holds it, let alone kills it.
func checkPort(network, host string, port int, key string) error {
	if port <= 0 || port > 65535 {
		return fmt.Errorf("%s %d is not a valid port: set a port between 1 and 65535 in Settings", key, port)
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	var err error
	if network == "udp" {
		var pc net.PacketConn
		if pc, err = net.ListenPacket(network, addr); err == nil {
			pc.Close()
		}
	} else {
		var ln net.Listener
		if ln, err = net.Listen(network, addr); err == nil {
			ln.Close()
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errAddrInUse):
		return fmt.Errorf("port %d (%s) is in use by another program: change %s in Settings, or quit the program using it", port, network, key)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("port %d (%s) may not be used by this user: change %s in Settings to a port above 1023", port, network, key)
	}
	return fmt.Errorf("cannot use port %d (%s) for %s (%v): change it in Settings", port, network, key, err)
}

// unwrapPath drops the *PathError wrapping, whose text repeats the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

package devices

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Kinds of error, for errors.Is. The messages of the returned errors say
// what was wrong and what was expected; the UI shows them as they are.
var (
	// ErrInvalid: input refused (a code, a nickname, a peer ID).
	ErrInvalid = errors.New("invalid input")
	// ErrOwnDevice: the code names this device's own node.
	ErrOwnDevice = errors.New("that is this device's own code")
	// ErrNotPaired: no paired device has that peer ID.
	ErrNotPaired = errors.New("no such paired device")
	// ErrConnectFailed: the node could not connect to the peer. The
	// error is a *ConnectError carrying the node's own message.
	ErrConnectFailed = errors.New("could not connect to the device")
	// ErrUnsupported: the node's API lacks the Go node's peers extension
	// (archivist-node), so it cannot list or disconnect peers.
	ErrUnsupported = errors.New("the node does not support this")
)

// kindError is an error of one of the kinds above with its own message.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func invalidf(format string, args ...any) error {
	return &kindError{kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// ConnectError is a failed connection attempt through the node.
type ConnectError struct {
	PeerID string
	Addrs  []string // the addresses dialled; none for a lookup by peer ID
	Err    error    // what the node (or the call to it) said
	// Lookup is the error of the fallback lookup by peer ID, when the
	// addresses failed and the lookup was tried as well.
	Lookup error
}

func (e *ConnectError) Is(target error) bool { return target == ErrConnectFailed }
func (e *ConnectError) Unwrap() error        { return e.Err }

func (e *ConnectError) Error() string {
	msg := connectMessage(e.PeerID, e.Addrs, e.Err)
	if e.Lookup != nil {
		msg += "; looking it up by its peer ID failed too: " + nodeSays(e.Lookup)
	}
	return msg
}

// connectMessage explains a failed Connect with the node's words and what
// the user can do about it.
func connectMessage(id string, addrs []string, err error) string {
	who := "device " + ShortID(id)
	if len(addrs) > 0 {
		who += " at " + strings.Join(addrs, ", ")
	}
	var apiErr *nodeclient.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("could not connect to %s: no answer within %s. Check that the other device is running and reachable from this one", who, connectTimeout)
	case errors.As(err, &apiErr) && strings.Contains(apiErr.Message, "Unable to find Peer"):
		return fmt.Sprintf("could not connect to %s: no peer on the network knows where it is (the node says %q). "+
			"Check that the other device is running, or pair with its SPR or multiaddr (shown on its Devices page) instead of its peer ID", who, apiErr.Message)
	case errors.As(err, &apiErr) && strings.Contains(apiErr.Message, "Unable to dial"):
		return fmt.Sprintf("could not connect to %s: it did not answer (the node says %q). "+
			"Check that the other device is running and reachable from this one (same network, or its port 8070/tcp open)", who, apiErr.Message)
	}
	return fmt.Sprintf("could not connect to %s: %s", who, nodeSays(err))
}

func nodeSays(err error) string {
	var apiErr *nodeclient.APIError
	if errors.As(err, &apiErr) && apiErr.Message != "" {
		return fmt.Sprintf("the node says %q", apiErr.Message)
	}
	return err.Error()
}

// connectTimeout bounds one Connect call; the node bounds its dial and
// lookup at 30 s itself.
const connectTimeout = 45 * time.Second

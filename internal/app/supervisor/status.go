package supervisor

import (
	"errors"
	"reflect"
	"slices"
	"time"
)

// State is where the node is in its life.
type State string

// The states. Running means the REST API answers, not just that the
// process exists.
const (
	StateStopped  State = "stopped"
	StateStarting State = "starting" // spawned and not yet ready, or waiting to be restarted
	StateRunning  State = "running"
	StateStopping State = "stopping"
	StateError    State = "error" // a start failed, or the supervisor gave up; see LastError
)

// Errors of Start, Stop and Restart that callers may want to tell apart.
var (
	ErrAlreadyRunning  = errors.New("node already running")
	ErrAlreadyStarting = errors.New("node is already starting")
	ErrStopping        = errors.New("node is stopping: start it again once it has stopped")
	ErrStopped         = errors.New("node was stopped before it became ready")
	ErrClosed          = errors.New("node supervisor is closed (the app is quitting)")
)

// Status is what the UI shows about the node. Figures come from the node's
// API as of CheckedAt (the last successful answer); they are refreshed by the
// health checks, so reading Status costs nothing. Storage figures and the
// version survive a stop (they describe the data directory and the binary);
// process, address and record fields are cleared when the process ends.
type Status struct {
	State State `json:"state"`
	PID   int   `json:"pid,omitempty"`
	// StartedAt is when the current process was spawned.
	StartedAt     *time.Time `json:"startedAt,omitempty"`
	UptimeSeconds int64      `json:"uptimeSeconds,omitempty"`
	Version       string     `json:"version,omitempty"` // /debug/info archivist.version
	Revision      string     `json:"revision,omitempty"`

	// PeerCount is the number of connected peers (our node's /peers
	// extension), or null when the node does not report it: archivist-node's
	// API has no peer listing (its /debug/info table lists discovery-table
	// entries, which are not connections), so the UI shows "unknown", not 0.
	PeerCount *int `json:"peerCount"`

	// Storage, from /space. Available is what the quota still allows
	// (quota − used − reserved); the reference put the quota itself there.
	StorageUsedBytes      uint64 `json:"storageUsedBytes"`
	StorageReservedBytes  uint64 `json:"storageReservedBytes"`
	StorageQuotaBytes     uint64 `json:"storageQuotaBytes"`
	StorageAvailableBytes uint64 `json:"storageAvailableBytes"`
	TotalBlocks           uint64 `json:"totalBlocks"`

	APIURL            string   `json:"apiUrl,omitempty"` // http://127.0.0.1:<api_port>
	PeerID            string   `json:"peerId,omitempty"`
	SPR               string   `json:"spr,omitempty"`
	Addresses         []string `json:"addresses"`         // listen addresses
	AnnounceAddresses []string `json:"announceAddresses"` // what peers are told to dial

	// RestartCount counts automatic restarts (after a crash, a hang or a
	// failed start) since the supervisor was created.
	RestartCount int    `json:"restartCount"`
	LastError    string `json:"lastError,omitempty"`
	// GaveUp is set when restarts stopped after Backoff.GiveUpAfter
	// failures; the node stays down until started again.
	GaveUp bool `json:"gaveUp"`
	// NextRestartAt is when a pending automatic restart happens.
	NextRestartAt *time.Time `json:"nextRestartAt,omitempty"`
	CheckedAt     *time.Time `json:"checkedAt,omitempty"`

	Binary  string `json:"binary,omitempty"`
	DataDir string `json:"dataDir,omitempty"`
	LogFile string `json:"logFile,omitempty"`
}

func (s Status) clone() Status {
	s.Addresses = slices.Clone(s.Addresses)
	s.AnnounceAddresses = slices.Clone(s.AnnounceAddresses)
	if s.PeerCount != nil {
		n := *s.PeerCount
		s.PeerCount = &n
	}
	return s
}

// equal compares what subscribers see. CheckedAt is left out: a health
// check that changed nothing is not news for the UI (uptime is derived at
// read time and is not stored).
func (s Status) equal(o Status) bool {
	s.CheckedAt, o.CheckedAt = nil, nil
	return reflect.DeepEqual(s, o)
}

// setFigures records what the node's API said.
func (s *Status) setFigures(f figures, at time.Time) {
	info, space := f.info, f.space
	s.PeerCount = f.peers
	s.Version, s.Revision = info.Archivist.Version, info.Archivist.Revision
	s.PeerID, s.SPR = info.ID, info.SPR
	s.Addresses = nonNil(info.Addrs)
	s.AnnounceAddresses = nonNil(info.AnnounceAddresses)
	s.StorageUsedBytes, s.StorageReservedBytes = space.QuotaUsedBytes, space.QuotaReservedBytes
	s.StorageQuotaBytes, s.TotalBlocks = space.QuotaMaxBytes, space.TotalBlocks
	s.StorageAvailableBytes = 0
	if taken := space.QuotaUsedBytes + space.QuotaReservedBytes; taken < space.QuotaMaxBytes {
		s.StorageAvailableBytes = space.QuotaMaxBytes - taken
	}
	s.CheckedAt = &at
}

// clearProcess forgets what belonged to the process that ended.
func (s *Status) clearProcess() {
	s.PID, s.StartedAt, s.APIURL = 0, nil, ""
	s.PeerID, s.SPR, s.PeerCount = "", "", nil
	s.Addresses, s.AnnounceAddresses = []string{}, []string{}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

// Events on the app's bus; each carries the Status.
const (
	EventState   = "node-state"   // any change of the status
	EventStarted = "node-started" // the node became ready
	EventStopped = "node-stopped" // stopped on request
	EventCrashed = "node-crashed" // exited or hung unexpectedly (it is restarted with backoff)
)

package backups

import (
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/state"
)

// State is the backup server as the UI shows it.
type State struct {
	Mode    string `json:"mode"`
	Polling bool   `json:"polling"`
	// RateBytesPerSec is the download rate over the last seconds.
	RateBytesPerSec int64                     `json:"rateBytesPerSec"`
	Totals          Totals                    `json:"totals"`
	Config          config.BackupServerConfig `json:"config"`
	Sources         []Source                  `json:"sources"`
	InProgress      []Manifest                `json:"inProgress"`
	Failed          []Manifest                `json:"failed"`
	// Processed are the newest versions, newest first (at most maxProcessed).
	Processed []Manifest `json:"processed"`
}

// Source is a paired device as a source of backups.
type Source struct {
	Device     string      `json:"device"`
	Name       string      `json:"name"`
	NodePeerID string      `json:"nodePeerId"`
	Offers     bool        `json:"offers"`
	LastPoll   time.Time   `json:"lastPoll,omitzero"`
	LastSeen   time.Time   `json:"lastSeen,omitzero"`
	LastError  string      `json:"lastError,omitempty"`
	Busy       bool        `json:"busy"`
	Totals     Totals      `json:"totals"`
	Failures   int         `json:"failures"` // manifests failed now
	Rejections []Rejection `json:"rejections"`
	Folders    []Folder    `json:"folders"`
}

// Folder is a source's folder on this server.
type Folder struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	LastSeq  uint64    `json:"lastSequence"`
	LastAt   time.Time `json:"lastAt,omitzero"`
	Files    int       `json:"files"`
	Bytes    int64     `json:"bytes"`
	Versions int       `json:"versions"`
}

const maxProcessed = 50

// State returns the backup server's state.
func (s *Service) State() (State, error) {
	st := State{Mode: s.Mode(), Config: s.config(), Sources: []Source{}, InProgress: []Manifest{}, Failed: []Manifest{}, Processed: []Manifest{}}
	st.Config.SourcePeers = nil
	peers, err := s.opts.Link.Paired()
	if err != nil {
		return st, err
	}
	sources := map[string]*Source{}
	for _, p := range peers {
		src := &Source{Device: p.Device.String(), Name: p.Name, NodePeerID: p.NodePeerID, Rejections: []Rejection{}, Folders: []Folder{}}
		sources[src.Device] = src
	}
	s.mu.Lock()
	live := map[string]Manifest{}
	for k, m := range s.live {
		live[k] = *m
	}
	for dev := range s.busy {
		if src := sources[dev]; src != nil {
			src.Busy = true
		}
	}
	st.Polling = s.polling > 0
	st.RateBytesPerSec = s.rate.PerSecond(time.Now())
	s.mu.Unlock()

	err = s.db.View(func(tx *bolt.Tx) error {
		var err error
		if st.Totals, err = getTotals(tx); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			src := sources[string(k)]
			if src == nil {
				return nil // unpaired since: its backups stay, listed in the catalog
			}
			var r sourceRecord
			if _, err := state.GetJSON(tx.Bucket(bucketSources), k, &r); err != nil {
				return err
			}
			src.Offers, src.LastPoll, src.LastSeen, src.LastError, src.Totals = r.Offers, r.LastPoll, r.LastSeen, r.LastError, r.Totals
			src.Rejections = append(src.Rejections, r.Rejections...)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bucketFolders).ForEach(func(k, v []byte) error {
			var f folderRecord
			if _, err := state.GetJSON(tx.Bucket(bucketFolders), k, &f); err != nil {
				return err
			}
			if src := sources[f.Source]; src != nil {
				src.Folders = append(src.Folders, Folder{ID: f.FolderID, Name: f.Name, LastSeq: f.LastSeq, LastAt: f.LastAt, Files: f.Files, Bytes: f.Bytes})
			}
			return nil
		}); err != nil {
			return err
		}
		return allManifests(tx, func(m Manifest) error {
			if l, ok := live[string(m.key())]; ok {
				m = l
			}
			switch m.Status {
			case StatusPending, StatusDownloading:
				st.InProgress = append(st.InProgress, m)
			case StatusFailed:
				st.Failed = append(st.Failed, m)
				if src := sources[m.Source]; src != nil {
					src.Failures++
				}
			case StatusDone:
				st.Processed = append(st.Processed, m)
				if src := sources[m.Source]; src != nil {
					for i := range src.Folders {
						if src.Folders[i].ID == m.FolderID {
							src.Folders[i].Versions++
						}
					}
				}
			}
			return nil
		})
	})
	for _, p := range peers {
		st.Sources = append(st.Sources, *sources[p.Device.String()])
	}
	sort.SliceStable(st.Processed, func(i, j int) bool { return st.Processed[i].ProcessedAt.After(st.Processed[j].ProcessedAt) })
	if len(st.Processed) > maxProcessed {
		st.Processed = st.Processed[:maxProcessed]
	}
	return st, err
}

// stateInterval bounds how often the state event is published while work
// is under way: progress moves many times a second.
const stateInterval = 250 * time.Millisecond

// stateChanged publishes the state soon, coalescing bursts.
func (s *Service) stateChanged() {
	if s.opts.Bus == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emit != nil {
		return
	}
	s.emit = time.AfterFunc(stateInterval, func() {
		s.mu.Lock()
		s.emit = nil
		s.mu.Unlock()
		st, err := s.State()
		if err != nil {
			s.log.Warn("reading the backup server's state", "err", err)
			return
		}
		s.opts.Bus.Publish(EventState, st)
	})
}

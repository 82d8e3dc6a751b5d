package nodeclient

import "time"

// The wire types of the archivist-node REST API (spec §1.1). The Go node's
// server encodes these same types, so client and server cannot drift; field
// order is the reference's key order.

// DataItem is one dataset: its manifest CID and manifest.
type DataItem struct {
	CID      string       `json:"cid"`
	Manifest ManifestItem `json:"manifest"`
}

// ManifestItem describes a dataset. Filename and Mimetype are null when the
// upload had none; Verifiable appears only for protected manifests.
type ManifestItem struct {
	TreeCID     string  `json:"treeCid"`
	DatasetSize uint64  `json:"datasetSize"`
	BlockSize   uint64  `json:"blockSize"`
	Filename    *string `json:"filename"`
	Mimetype    *string `json:"mimetype"`
	Protected   bool    `json:"protected"`
	Verifiable  *bool   `json:"verifiable,omitempty"`
}

// DataList is the body of GET /data.
type DataList struct {
	Content []DataItem `json:"content"`
}

// Space is the body of GET /space.
type Space struct {
	TotalBlocks        uint64 `json:"totalBlocks"`
	QuotaMaxBytes      uint64 `json:"quotaMaxBytes"`
	QuotaUsedBytes     uint64 `json:"quotaUsedBytes"`
	QuotaReservedBytes uint64 `json:"quotaReservedBytes"`
}

// DebugInfo is the body of GET /debug/info.
type DebugInfo struct {
	ID                string         `json:"id"`
	Addrs             []string       `json:"addrs"`
	Repo              string         `json:"repo"`
	SPR               string         `json:"spr"`
	AnnounceAddresses []string       `json:"announceAddresses"`
	Table             RoutingTable   `json:"table"`
	Archivist         ArchivistBuild `json:"archivist"`
}

// RoutingTable is the discovery table summary in DebugInfo.
type RoutingTable struct {
	LocalNode TableNode   `json:"localNode"`
	Nodes     []TableNode `json:"nodes"`
}

// TableNode is one discovery table entry.
type TableNode struct {
	NodeID  string  `json:"nodeId"`
	PeerID  string  `json:"peerId"`
	Record  string  `json:"record"`
	Address *string `json:"address"`
	Seen    bool    `json:"seen"`
}

// ArchivistBuild is the node's version block in DebugInfo.
type ArchivistBuild struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	Contracts string `json:"contracts"`
}

// PeerInfo is one connected peer in GET /peers, an extension of the Go
// node (archivist-node has no peers listing and answers 404).
type PeerInfo struct {
	PeerID string `json:"peerId"`
	// Addresses are the remote addresses of the open connections.
	Addresses []string `json:"addresses"`
	// Direction of the oldest connection: "inbound" or "outbound".
	Direction string `json:"direction"`
	// LatencyMs is the moving average of ping round trips; 0 until the
	// first ping answers (archivist-node peers do not answer pings).
	LatencyMs    float64  `json:"latencyMs"`
	AgentVersion string   `json:"agentVersion"`
	Protocols    []string `json:"protocols"`
	// Muxer is the stream multiplexer of the oldest connection (yamux
	// with Go nodes, mplex with archivist-node).
	Muxer          string    `json:"muxer"`
	ConnectedSince time.Time `json:"connectedSince"`
	// BytesIn and BytesOut count stream payload since the node started;
	// RateIn and RateOut are current bytes per second.
	BytesIn  int64   `json:"bytesIn"`
	BytesOut int64   `json:"bytesOut"`
	RateIn   float64 `json:"rateIn"`
	RateOut  float64 `json:"rateOut"`
}

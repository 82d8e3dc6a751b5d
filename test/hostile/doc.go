// Package hostile attacks a real `archivist serve` (its node included) on
// every port it listens on, with input no honest client sends, and checks
// that each request gets a clear 4xx (never a 5xx, never a hang past a
// bound), that the app stays alive and healthy, that its config is
// unchanged, and that nothing is written outside its home: the process
// runs with HOME and TMPDIR in a scratch tree that is compared before and
// after. The requests are written raw on the socket, so they can be
// anything a client can send (bad request lines, absolute-form URIs, HTTP/1.0
// without Host, conflicting lengths), not only what net/http produces. The
// decoders behind these ports have Go fuzz targets in their own packages;
// hostile peers at the block-exchange level are in
// internal/node/exchange/adversary_test.go.
//
// The listeners, all covered here:
//
//	Listener          Process    Bind (default)              Protocol              Who may use it                         Time limits
//	UI API + UI       app        127.0.0.1:1420 (--gui-address)  HTTP/1.1          API key or session cookie + CSRF       header 10 s
//	                                                                               header; Host an IP or localhost;
//	                                                                               cross-site refused
//	Node REST API     node       127.0.0.1:8080 (api_port)   HTTP/1.1              this machine; Host an IP or localhost; header 10 s
//	                                                                               cross-site refused
//	libp2p            node       0.0.0.0:8070 (listen_port)  TCP, Noise, yamux/    any peer (Noise-authenticated peer ID)  upgrade 15 s
//	                                                         mplex; blockexc, DHT
//	Manifest server   app (link) 0.0.0.0:8085 (--link-address) TLS 1.3 + client    health, pairing request: any device;   header 10 s,
//	                                                         cert, HTTP/1.1        the rest: paired devices only          request 20 s
//	Trigger server    app (link) 0.0.0.0:8086, backup server on   same              same                                   same
//	Metrics           node       off (--metrics)             HTTP/1.1 GET /metrics this machine                           header 10 s
//
// The desktop window talks to the UI API in process, through no socket;
// the node's discovery port (UDP 8090) is reported but not opened.
package hostile

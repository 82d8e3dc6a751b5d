package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/link"
)

// The Devices page: paired devices, pairing codes, connections.

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Devices.List(r.Context())
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) addDevice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code     string `json:"code"`
		Nickname string `json:"nickname"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if link.IsCode(req.Code) && s.opts.Link != nil {
		s.pairByCode(w, r, req.Code, req.Nickname)
		return
	}
	d, err := s.opts.Devices.Add(r.Context(), req.Code, req.Nickname)
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// pairByCode pairs with a device's full code: the nodes and the link.
func (s *Server) pairByCode(w http.ResponseWriter, r *http.Request, code, nickname string) {
	res, err := s.opts.Link.Pair(r.Context(), code, nickname)
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	d, err := s.opts.Devices.Get(r.Context(), res.Peer.NodePeerID)
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		devices.Device
		Pairing link.PairResult `json:"pairing"`
	}{d, res})
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Devices.Get(r.Context(), r.PathValue("peerId"))
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) renameDevice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Nickname *string `json:"nickname"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Nickname == nil {
		writeError(w, http.StatusBadRequest, `missing "nickname"`)
		return
	}
	d, err := s.opts.Devices.Rename(r.Context(), r.PathValue("peerId"), *req.Nickname)
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) removeDevice(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Devices.Remove(r.Context(), r.PathValue("peerId")); err != nil {
		writeDeviceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) connectDevice(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Devices.Connect(r.Context(), r.PathValue("peerId"))
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) disconnectDevice(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Devices.Disconnect(r.Context(), r.PathValue("peerId")); err != nil {
		writeDeviceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	sc, err := s.opts.Devices.Code(r.Context())
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	// The device code pairs the apps as well as the nodes; the SPR and
	// multiaddr stay for pairing with a bare archivist-node.
	out := struct {
		devices.ShareCode
		Code     string `json:"code"`
		DeviceID string `json:"deviceId"`
	}{ShareCode: sc}
	if s.opts.Link == nil {
		writeJSON(w, http.StatusOK, out)
		return
	}
	if c, err := s.opts.Link.Code(r.Context()); err == nil {
		out.Code, out.DeviceID = c.String(), c.Device.String()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deviceQR(w http.ResponseWriter, r *http.Request) {
	png, err := s.opts.Devices.QR(r.Context())
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(png)
}

// writeDeviceError maps the devices service's refusals to statuses; the
// rest (node not running, node errors) as for every service.
func writeDeviceError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, devices.ErrInvalid), errors.Is(err, devices.ErrOwnDevice):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, devices.ErrNotPaired):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, devices.ErrConnectFailed):
		// The request was fine; the peer could not be reached.
		writeError(w, http.StatusBadGateway, err.Error())
	case errors.Is(err, devices.ErrUnsupported):
		writeError(w, http.StatusNotImplemented, err.Error())
	default:
		writeServiceError(w, err)
	}
}

// The link: pairing requests to approve, paired apps.

func (s *Server) linkStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.opts.Link.Status(r.Context())
	if err != nil {
		writeServiceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) approveDevice(w http.ResponseWriter, r *http.Request) {
	p, err := s.opts.Link.Approve(r.Context(), r.PathValue("device"))
	if errors.Is(err, link.ErrUnknownDevice) {
		writeError(w, http.StatusNotFound, "no pairing request from device "+r.PathValue("device"))
		return
	}
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) unlinkDevice(w http.ResponseWriter, r *http.Request) {
	err := s.opts.Link.Remove(r.PathValue("device"))
	if errors.Is(err, link.ErrUnknownDevice) {
		writeError(w, http.StatusNotFound, "no device "+r.PathValue("device"))
		return
	}
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

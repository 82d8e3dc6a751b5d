package api

import (
	"errors"
	"net/http"

	"github.com/archivist-desktop/archivist/internal/app/devices"
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
	d, err := s.opts.Devices.Add(r.Context(), req.Code, req.Nickname)
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
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
	code, err := s.opts.Devices.Code(r.Context())
	if err != nil {
		writeDeviceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, code)
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

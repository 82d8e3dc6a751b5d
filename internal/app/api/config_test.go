package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func authed(method, url, body string) *http.Request {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("X-API-Key", testKey)
	return req
}

func TestConfigReadSaveAndRefuseInvalid(t *testing.T) {
	_, ts := newTestServer(t)
	resp, err := http.DefaultClient.Do(authed("GET", ts.URL+"/api/config", ""))
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Config map[string]any `json:"config"`
		Broken any            `json:"broken"`
	}
	json.NewDecoder(resp.Body).Decode(&view)
	resp.Body.Close()
	node := view.Config["node"].(map[string]any)
	if node["api_port"] != float64(8080) || view.Broken != nil {
		t.Fatalf("config view %+v", view)
	}

	node["api_port"] = 9090
	body, _ := json.Marshal(view.Config)
	resp, _ = http.DefaultClient.Do(authed("PUT", ts.URL+"/api/config", string(body)))
	var saved struct {
		Changed     []string `json:"changed"`
		NodeRestart bool     `json:"nodeRestart"`
	}
	json.NewDecoder(resp.Body).Decode(&saved)
	resp.Body.Close()
	if resp.StatusCode != 200 || !saved.NodeRestart || len(saved.Changed) != 1 || saved.Changed[0] != "node.api_port" {
		t.Fatalf("save: %d %+v", resp.StatusCode, saved)
	}

	node["api_port"] = 70000
	body, _ = json.Marshal(view.Config)
	resp, _ = http.DefaultClient.Do(authed("PUT", ts.URL+"/api/config", string(body)))
	var refused struct {
		Problems []struct{ Key, Message string } `json:"problems"`
	}
	json.NewDecoder(resp.Body).Decode(&refused)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || len(refused.Problems) != 1 || refused.Problems[0].Key != "node.api_port" {
		t.Fatalf("invalid save: %d %+v", resp.StatusCode, refused)
	}

	resp, _ = http.DefaultClient.Do(authed("PUT", ts.URL+"/api/config", `{"bogus":1}`))
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", resp.StatusCode)
	}
}

// TestJSONBodyRefusals: an oversized body is 413, a second JSON value
// after the first is refused instead of half-applied, and neither changes
// the config.
func TestJSONBodyRefusals(t *testing.T) {
	s, ts := newTestServer(t)
	before := s.opts.Config.Get()
	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"oversized", `{"theme":"` + strings.Repeat("x", maxJSONBody) + `"}`, http.StatusRequestEntityTooLarge},
		{"trailing value", `{"theme":"dark"} {"theme":"light"}`, http.StatusBadRequest},
		{"trailing garbage", `{"theme":"dark"} x`, http.StatusBadRequest},
	} {
		resp, err := http.DefaultClient.Do(authed("PUT", ts.URL+"/api/config", c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	if after := s.opts.Config.Get(); !reflect.DeepEqual(after, before) {
		t.Errorf("config changed: %+v", after)
	}
}

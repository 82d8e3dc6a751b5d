package api

import (
	"encoding/json"
	"net/http"
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

package main

import (
	"strings"
	"testing"
)

func TestParseKeepsMetricsAndSkipsProse(t *testing.T) {
	in := "initial backup, 10 files   12.0 files/s\nMETRIC sync_small_files_per_s 12.5 files/s\nMETRIC backup_latency_p50_s 1.2 s\nMETRIC backup_latency_p50_s 1.4 s\n"
	ms, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms["sync_small_files_per_s"] != (metric{12.5, "files/s"}) || ms["backup_latency_p50_s"].value != 1.4 {
		t.Fatalf("parsed %+v", ms)
	}
}

func TestParseRejectsMalformedMetric(t *testing.T) {
	for _, line := range []string{"METRIC x 1", "METRIC x one s", "METRIC x 1 s extra"} {
		if _, err := parse(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

func TestBuildJudgesAgainstTargets(t *testing.T) {
	rs := []row{
		{figure: "up", value: names("up"), baseline: names("sha"), goal: ratioGE, target: 0.5},
		{figure: "slow", value: names("slow"), baseline: names("sha"), goal: ratioGE, target: 0.5},
		{figure: "lat", value: names("missing", "lat"), goal: atMost, target: 2, syncthing: names("st_lat")},
		{figure: "absent", value: names("nothing"), goal: atMost, target: 2},
		{figure: "noted", value: names("noted"), goal: info},
	}
	ms := map[string]metric{"up": {60, "MB/s"}, "slow": {40, "MB/s"}, "sha": {100, "MB/s"}, "lat": {2.5, "s"}, "st_lat": {9, "s"}, "noted": {3, "s"}, "stray": {1, "s"}}
	got := build(rs, ms, true)
	want := []struct{ value, ratio, result, st string }{
		{"60.0 MB/s", "0.60x", "PASS", "-"},
		{"40.0 MB/s", "0.40x", "MISSED", "-"},
		{"2.500 s", "-", "MISSED", "9.000 s"},
		{"not measured", "-", "-", "-"},
		{"3.000 s", "-", "info", "-"},
	}
	for i, w := range want {
		c := got[i]
		if c.value != w.value || c.ratio != w.ratio || c.result != w.result || c.syncthing != w.st {
			t.Errorf("row %s: got %+v, want %+v", c.figure, c, w)
		}
	}
	if got[3].target != "<= 2" {
		t.Errorf("target of an unmeasured row without a unit suffix: %q", got[3].target)
	}
	if unitOf("scale_app_peak_rss_mib") != "MiB" || unitOf("node_upload_mib_s") != "MiB/s" || unitOf("cold_start_s") != "s" {
		t.Error("unitOf")
	}
	if u := unused(rs, ms); len(u) != 1 || u[0] != "stray 1.000 s" {
		t.Errorf("unused = %v", u)
	}
	var b strings.Builder
	render(&b, "md", "Syncthing", got, unused(rs, ms))
	if !strings.Contains(b.String(), "| lat | 2.500 s | - | - | <= 2.000 s | MISSED | 9.000 s |") || !strings.Contains(b.String(), "MISSED: 2 target(s)") {
		t.Errorf("markdown:\n%s", b.String())
	}
}

// Command loadtest drives a running govhook webhook over HTTPS on loopback with a generated,
// realistic mix of AdmissionReviews and reports throughput, latency percentiles, errors and
// the server's memory. Built on vegeta's attack library.
//
//	go run ./hack/loadtest -serve bin/govhook -rate 3000 -duration 30s
//	go run ./hack/loadtest -url https://127.0.0.1:9443/validate -ca /tmp/certs/ca.crt -pid 1234
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

type options struct {
	config      string
	target      string
	ca          string
	serve       string
	pid         int
	rate        int
	duration    time.Duration
	workers     uint64
	connections int
	reviews     int
	seed        uint64
	jsonOut     string
	attack      bool
	apiserver   bool
}

// Report is the harness's result, also written as JSON for comparison between commits.
type Report struct {
	Rate          int           `json:"rate"` // requested per second, 0 = as fast as possible
	Duration      time.Duration `json:"durationNs"`
	Requests      uint64        `json:"requests"`
	Throughput    float64       `json:"throughputPerSecond"`
	P50           time.Duration `json:"p50Ns"`
	P90           time.Duration `json:"p90Ns"`
	P99           time.Duration `json:"p99Ns"`
	Max           time.Duration `json:"maxNs"`
	Errors        uint64        `json:"errors"`
	ErrorSamples  []string      `json:"errorSamples,omitempty"`
	Allowed       uint64        `json:"allowed"`
	Denied        uint64        `json:"denied"`
	MaxRSSBytes   int64         `json:"maxRssBytes,omitempty"`
	PeakRSSBytes  int64         `json:"peakRssBytes,omitempty"` // VmHWM at the end
	MaxAnonBytes  int64         `json:"maxAnonBytes,omitempty"` // largest RssAnon sample
	DistinctBodys int           `json:"distinctReviews"`
}

func main() {
	var o options
	flag.StringVar(&o.target, "url", "https://127.0.0.1:9443/validate", "webhook URL (loopback only)")
	flag.StringVar(&o.ca, "ca", "", "CA certificate that signed the webhook's serving certificate")
	flag.StringVar(&o.serve, "serve", "", "start this govhook binary with --dev on a free loopback port (evidence on) and drive it")
	flag.IntVar(&o.pid, "pid", 0, "server process id, to sample its RSS (set automatically with -serve)")
	flag.IntVar(&o.rate, "rate", 0, "requests per second; 0 sends as fast as the workers allow")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to attack")
	flag.Uint64Var(&o.workers, "workers", 32, "concurrent workers (the most in flight at once)")
	flag.IntVar(&o.connections, "connections", 32, "keep-alive connections per host")
	flag.IntVar(&o.reviews, "reviews", 2000, "distinct generated reviews, sent round-robin")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed, for repeatable mixes")
	flag.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	flag.StringVar(&o.config, "config", "", "with -serve: govhook config file (e.g. with evidence.archive, to compare the archive's cost)")
	flag.BoolVar(&o.apiserver, "apiserver", false, "send objects as the kube-apiserver does: with uid, creationTimestamp, resourceVersion and managedFields, and every third review an UPDATE carrying the old object")
	flag.BoolVar(&o.attack, "attack", false, "replay issue 16 rows 1-2 (huge bodies, stalled and trickling connections) for -duration and measure RSS, answers within the webhook timeout and a bystander's latency")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.serve != "" {
		stop, err := startServer(&o)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := loopbackOnly(o.target); err != nil {
		return err
	}
	tlsConfig, err := clientTLS(o.ca)
	if err != nil {
		return err
	}
	if o.attack {
		return attack(o, tlsConfig, startRSSSampler(o.pid))
	}
	g := &generator{rng: rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15)), apiserver: o.apiserver}
	bodies, err := g.reviews(o.reviews)
	if err != nil {
		return err
	}
	targets := make([]vegeta.Target, len(bodies))
	header := http.Header{"Content-Type": []string{"application/json"}}
	for i, b := range bodies {
		targets[i] = vegeta.Target{Method: http.MethodPost, URL: o.target, Body: b, Header: header}
	}
	attacker := vegeta.NewAttacker(
		vegeta.TLSConfig(tlsConfig),
		vegeta.Workers(o.workers),
		vegeta.MaxWorkers(o.workers),
		vegeta.Connections(o.connections),
		vegeta.KeepAlive(true),
		vegeta.Timeout(10*time.Second),
	)
	rate := vegeta.Rate{Freq: o.rate, Per: time.Second}

	rss := startRSSSampler(o.pid)
	var m vegeta.Metrics
	rep := Report{Rate: o.rate, DistinctBodys: len(bodies)}
	for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), rate, o.duration, "govhook") {
		m.Add(res)
		switch {
		case res.Error != "" || res.Code != http.StatusOK:
			rep.Errors++
			if len(rep.ErrorSamples) < 5 {
				rep.ErrorSamples = append(rep.ErrorSamples, fmt.Sprintf("%d %s %.200s", res.Code, res.Error, res.Body))
			}
		case bytes.Contains(res.Body, []byte(`"allowed":true`)):
			rep.Allowed++
		default:
			rep.Denied++
		}
	}
	m.Close()
	rep.MaxRSSBytes, rep.MaxAnonBytes, rep.PeakRSSBytes = rss()
	rep.Duration = m.Duration
	rep.Requests = m.Requests
	rep.Throughput = m.Throughput
	rep.P50, rep.P90, rep.P99, rep.Max = m.Latencies.P50, m.Latencies.P90, m.Latencies.P99, m.Latencies.Max

	printReport(rep)
	if o.jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d requests failed", rep.Errors)
	}
	return nil
}

func printReport(r Report) {
	rate := "max"
	if r.Rate > 0 {
		rate = strconv.Itoa(r.Rate) + "/s"
	}
	fmt.Printf("rate %s  duration %s  requests %d  distinct reviews %d\n", rate, r.Duration.Round(time.Millisecond), r.Requests, r.DistinctBodys)
	fmt.Printf("throughput %.0f reviews/s  allowed %d  denied %d  errors %d\n", r.Throughput, r.Allowed, r.Denied, r.Errors)
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	if r.MaxRSSBytes > 0 {
		fmt.Printf("server RSS max %.1f MiB (VmHWM %.1f MiB), anonymous max %.1f MiB\n", float64(r.MaxRSSBytes)/(1<<20), float64(r.PeakRSSBytes)/(1<<20), float64(r.MaxAnonBytes)/(1<<20))
	}
	for _, e := range r.ErrorSamples {
		fmt.Println("error:", e)
	}
}

// loopbackOnly refuses any target that is not on this machine.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("target %s is not a loopback address; this harness only drives a local webhook", target)
}

func clientTLS(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, errors.New("-ca is required (or use -serve)")
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, ServerName: "localhost"}, nil
}

// startServer runs `govhook serve --dev` with evidence on, in a temporary directory.
func startServer(o *options) (func(), error) {
	dir, err := os.MkdirTemp("", "govhook-load-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.serve, "serve", "--dev", "--cert-dir", filepath.Join(dir, "certs"), "--port", strconv.Itoa(port),
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", metricsPort), "--evidence-dir", filepath.Join(dir, "evidence"),
		"--replica", "load", "--log-level", "error")
	if o.config != "" {
		cmd.Args = append(cmd.Args, "--config", o.config)
	}
	logFile, err := os.Create(filepath.Join(dir, "govhook.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if o.attack {
		// The Deployment's limit (256Mi), as its resourceFieldRef would give it.
		cmd.Env = append(os.Environ(), "GOVHOOK_MEMORY_LIMIT=268435456")
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		logFile.Close()
		if evidence, _ := filepath.Glob(filepath.Join(dir, "evidence", "load", "*.jsonl")); len(evidence) > 0 {
			fmt.Printf("evidence segments: %d (in %s)\n", len(evidence), dir)
		}
		if os.Getenv("LOADTEST_KEEP") == "" {
			os.RemoveAll(dir)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", metricsPort)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if ctx.Err() != nil {
			stop()
			return nil, fmt.Errorf("govhook did not become ready (log in %s)", dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
	o.target = fmt.Sprintf("https://127.0.0.1:%d/validate", port)
	o.ca = filepath.Join(dir, "certs", "ca.crt")
	o.pid = cmd.Process.Pid
	return stop, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startRSSSampler samples the server's resident memory every 100 ms; the returned function
// stops it and returns the largest sample, the largest sample of its anonymous part (heap and
// stacks, as opposed to the binary's mapped pages) and the kernel's high-water mark.
func startRSSSampler(pid int) func() (maxRSS, maxAnon, hwm int64) {
	if pid == 0 {
		return func() (int64, int64, int64) { return 0, 0, 0 }
	}
	var mu sync.Mutex
	var maxRSS, maxAnon int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				rss, anon := procStatus(pid, "VmRSS:"), procStatus(pid, "RssAnon:")
				mu.Lock()
				maxRSS, maxAnon = max(maxRSS, rss), max(maxAnon, anon)
				mu.Unlock()
			}
		}
	}()
	return func() (int64, int64, int64) {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return maxRSS, maxAnon, procStatus(pid, "VmHWM:")
	}
}

// procStatus reads one "Vm...: N kB" line of /proc/PID/status, in bytes.
func procStatus(pid int, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key) {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kb, _ := strconv.ParseInt(fields[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// webhookTimeout is the timeoutSeconds of the deployed webhook configuration: an answer later
// than this is, for the apiserver, no answer.
const webhookTimeout = 5 * time.Second

// AttackReport is what -attack measures: issue 16 rows 1-2 replayed against a server while a
// bystander sends small reviews.
type AttackReport struct {
	PeakRSSBytes      int64         `json:"peakRssBytes"`
	MaxRSSBytes       int64         `json:"maxRssBytes"`
	MaxAnonBytes      int64         `json:"maxAnonBytes"`
	AttackRequests    int64         `json:"attackRequests"`
	AttackInTime      int64         `json:"attackAnsweredWithinTimeout"`
	AttackRefused     int64         `json:"attackRefused429"`
	BystanderRequests int           `json:"bystanderRequests"`
	BystanderReal     int           `json:"bystanderRealDecisions"`
	BystanderP50      time.Duration `json:"bystanderP50Ns"`
	BystanderP99      time.Duration `json:"bystanderP99Ns"`
	BystanderMax      time.Duration `json:"bystanderMaxNs"`
	StalledConns      int64         `json:"stalledConnectionsOpened"`
}

// bigDeployment is a CREATE review of a Deployment with n env entries (about 230 bytes each).
func bigDeployment(n int) []byte {
	env := make([]map[string]string, n)
	for i := range env {
		env[i] = map[string]string{"name": fmt.Sprintf("SETTING_%06d", i), "value": strings.Repeat("v", 200)}
	}
	obj := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "big", "namespace": "shop", "labels": map[string]string{"owner": "payments"}},
		"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]string{"app": "big"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]string{"app": "big"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx", "env": env}}}}},
	}
	review := map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": map[string]any{
		"uid": "attack", "kind": map[string]string{"group": "apps", "version": "v1", "kind": "Deployment"},
		"resource":  map[string]string{"group": "apps", "version": "v1", "resource": "deployments"},
		"operation": "CREATE", "namespace": "shop", "name": "big", "userInfo": map[string]any{"username": "mallory"}, "object": obj}}
	b, _ := json.Marshal(review)
	return b
}

// attack replays issue 16 rows 1-2 for o.duration: 10 clients sending 2.78 MiB Deployments,
// 2 sending 6.8 MiB bodies, 40 connections that send 6.5 MiB of a body and stall, 400 that
// trickle one byte every 5 s; meanwhile one bystander sends a small review every 50 ms.
func attack(o options, tlsConfig *tls.Config, rss func() (maxRSS, maxAnon, hwm int64)) error {
	u, err := url.Parse(o.target)
	if err != nil {
		return err
	}
	deployment, huge := bigDeployment(12500), bigDeployment(30000)
	fmt.Printf("attack bodies: %.2f MiB and %.2f MiB\n", float64(len(deployment))/(1<<20), float64(len(huge))/(1<<20))
	g := &generator{rng: rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15))}
	small, err := g.reviews(1)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * webhookTimeout, Transport: &http.Transport{TLSClientConfig: tlsConfig, MaxIdleConnsPerHost: 64}}
	var rep AttackReport
	stop := make(chan struct{})
	var wg sync.WaitGroup
	send := func(body []byte) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			resp, err := client.Post(o.target, "application/json", bytes.NewReader(body))
			atomic.AddInt64(&rep.AttackRequests, 1)
			if err != nil {
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if time.Since(start) <= webhookTimeout {
				atomic.AddInt64(&rep.AttackInTime, 1)
			}
			if resp.StatusCode == http.StatusTooManyRequests {
				atomic.AddInt64(&rep.AttackRefused, 1)
			}
		}
	}
	for i := range 12 {
		wg.Add(1)
		go send(map[bool][]byte{true: deployment, false: huge}[i < 10])
	}
	// stall writes head and part of a body, then sends nothing until the server closes the
	// connection or the attack ends; it reconnects after a second.
	stall := func(head string, body []byte, trickle bool) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			conn, err := tls.Dial("tcp", u.Host, tlsConfig)
			if err != nil {
				time.Sleep(time.Second)
				continue
			}
			atomic.AddInt64(&rep.StalledConns, 1)
			closed := make(chan struct{})
			go func() { _, _ = io.Copy(io.Discard, conn); close(closed) }()
			if trickle {
				for i := 0; i < len(head); i++ {
					if _, err := conn.Write([]byte{head[i]}); err != nil {
						break
					}
					t := time.NewTimer(5 * time.Second)
					select {
					case <-closed:
						i = len(head)
					case <-stop:
						i = len(head)
					case <-t.C:
					}
					t.Stop()
				}
			} else {
				_, _ = io.WriteString(conn, head)
				_, _ = conn.Write(body)
			}
			select {
			case <-closed:
			case <-stop:
			}
			conn.Close()
			time.Sleep(time.Second)
		}
	}
	partial := bytes.Repeat([]byte("x"), 13<<19) // 6.5 MiB
	stalledHead := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", u.Path, u.Host, 7<<20-1)
	for range 40 {
		wg.Add(1)
		go stall(stalledHead, partial, false)
	}
	for range 400 {
		wg.Add(1)
		go stall(stalledHead, nil, true)
	}
	time.Sleep(2 * time.Second) // let the attack take hold before measuring the bystander
	var lat []time.Duration
	deadline := time.Now().Add(o.duration)
	for time.Now().Before(deadline) {
		start := time.Now()
		resp, err := client.Post(o.target, "application/json", bytes.NewReader(small[0]))
		d := time.Since(start)
		rep.BystanderRequests++
		lat = append(lat, d)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(b, []byte(`"response"`)) && !bytes.Contains(b, []byte(`"code":5`)) {
				rep.BystanderReal++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		rep.BystanderP50, rep.BystanderP99, rep.BystanderMax = lat[n/2], lat[min(n-1, n*99/100)], lat[n-1]
	}
	rep.MaxRSSBytes, rep.MaxAnonBytes, rep.PeakRSSBytes = rss()
	fmt.Printf("server RSS: peak (VmHWM) %.1f MiB, max sampled %.1f MiB, of it anonymous (heap, stacks) max %.1f MiB\n",
		float64(rep.PeakRSSBytes)/(1<<20), float64(rep.MaxRSSBytes)/(1<<20), float64(rep.MaxAnonBytes)/(1<<20))
	fmt.Printf("attack requests: %d, answered within %s: %d (%d refused with 429)\n", rep.AttackRequests, webhookTimeout, rep.AttackInTime, rep.AttackRefused)
	fmt.Printf("stalled/trickling connections opened: %d\n", rep.StalledConns)
	fmt.Printf("bystander: %d requests, %d real decisions, p50 %s p99 %s max %s\n", rep.BystanderRequests, rep.BystanderReal,
		rep.BystanderP50.Round(time.Microsecond), rep.BystanderP99.Round(time.Microsecond), rep.BystanderMax.Round(time.Microsecond))
	if o.jsonOut != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// GovhookOptions configure one `govhook serve` process.
type GovhookOptions struct {
	Binary      string
	CertDir     string
	Host        string
	Port        int
	EvidenceDir string
	Replica     string
	// Kubeconfig reaches the cluster whose namespaces govhook caches.
	Kubeconfig string
	// Config, if set, is passed as --config.
	Config string
	// Log receives the process's stdout and stderr.
	Log string
	// Args are more flags of serve.
	Args []string
}

// Govhook is a running `govhook serve` process.
type Govhook struct {
	// MetricsURL is the base URL of /metrics, /healthz and /readyz.
	MetricsURL string
	// Replica names the evidence chain this process writes.
	Replica string
	// Log is the path of the process's log.
	Log string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // why the process exited; read after exited is closed
}

// StartGovhook starts `govhook serve` and waits until its /readyz answers 200.
func StartGovhook(ctx context.Context, o GovhookOptions) (*Govhook, error) {
	metricsAddr, err := freeAddress(o.Host)
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(o.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("govhook log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	args := append([]string{"serve",
		"--cert-dir", o.CertDir,
		"--host", o.Host,
		"--port", strconv.Itoa(o.Port),
		"--evidence-dir", o.EvidenceDir,
		"--replica", o.Replica,
		"--metrics-bind-address", metricsAddr,
		"--kubeconfig", o.Kubeconfig,
	}, o.Args...)
	cmd := exec.Command(o.Binary, args...)
	if o.Config != "" {
		cmd.Args = append(cmd.Args, "--config", o.Config)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// the child must not outlive whoever started it (a test binary killed by its timeout)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start govhook: %w", err)
	}
	g := &Govhook{MetricsURL: "http://" + metricsAddr, Replica: o.Replica, Log: o.Log, cmd: cmd, exited: make(chan struct{})}
	go func() {
		g.err = cmd.Wait()
		close(g.exited)
	}()
	if err := g.waitReady(ctx); err != nil {
		return nil, errors.Join(err, g.Stop())
	}
	return g, nil
}

func (g *Govhook) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.MetricsURL+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-g.exited:
			if g.err == nil {
				return fmt.Errorf("govhook exited with status 0 before it was ready; see %s", g.Log)
			}
			return fmt.Errorf("govhook exited before it was ready; see %s: %w", g.Log, g.err)
		case <-ctx.Done():
			return fmt.Errorf("govhook not ready; see %s: %w", g.Log, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop asks govhook to shut down (SIGTERM: it drains its evidence) and waits; a process
// that does not stop within 15 s is killed.
func (g *Govhook) Stop() error {
	select {
	case <-g.exited:
		return g.exitError()
	default:
	}
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop govhook: %w", err)
	}
	select {
	case <-g.exited:
		return g.exitError()
	case <-time.After(15 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
		return fmt.Errorf("govhook did not stop within 15s after SIGTERM; killed (see %s)", g.Log)
	}
}

func (g *Govhook) exitError() error {
	if g.err != nil {
		return fmt.Errorf("govhook exited: %w (see %s)", g.err, g.Log)
	}
	return nil
}

// freeAddress returns host:port with a port that was free a moment ago.
func freeAddress(host string) (string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

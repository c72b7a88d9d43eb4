// Command auditbench measures the continuous audit against a real kube-apiserver: it starts
// etcd and kube-apiserver (envtest, the binaries of hack/build-control-plane.sh) with the
// OpenReports CRDs, generates objects (ConfigMaps, Deployments, Services, a share of them
// violating), starts `govhook serve --audit-interval` and reports the first run's duration,
// the objects it judged, the reports it wrote and the serve process's peak RSS (VmHWM).
//
//	go run ./hack/auditbench --objects 100000 --govhook bin/govhook
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/govhook/govhook/certs"
	"github.com/govhook/govhook/test/e2e/cluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

func run() error {
	assets := flag.String("assets", os.Getenv("KUBEBUILDER_ASSETS"), "directory of kube-apiserver, etcd and kubectl")
	govhook := flag.String("govhook", "bin/govhook", "govhook binary")
	objects := flag.Int("objects", 100000, "objects to generate")
	namespaces := flag.Int("namespaces", 20, "namespaces to spread them over")
	workers := flag.Int("workers", 32, "concurrent creates")
	flag.Parse()

	state, err := os.MkdirTemp("", "govhook-auditbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	env := &envtest.Environment{BinaryAssetsDirectory: *assets, CRDDirectoryPaths: []string{"deploy/base/openreports"}, ErrorIfCRDPathMissing: true,
		ControlPlaneStartTimeout: 2 * time.Minute}
	// Room for 100,000 objects and their watch cache.
	env.ControlPlane.Etcd = &envtest.Etcd{}
	env.ControlPlane.Etcd.Configure().Set("quota-backend-bytes", strconv.Itoa(8<<30))
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "auditbench: stop control plane:", err)
		}
	}()
	cfg.QPS, cfg.Burst = 2000, 4000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	admin, err := env.AddUser(envtest.User{Name: "bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig := filepath.Join(state, "kubeconfig")
	data, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		return err
	}

	start := time.Now()
	if err := generate(context.Background(), client, *objects, *namespaces, *workers); err != nil {
		return err
	}
	fmt.Printf("generated %d objects in %d namespaces in %s\n", *objects, *namespaces, time.Since(start).Round(time.Second))

	certDir := filepath.Join(state, "certs")
	b, err := certs.Generate([]string{"localhost"}, time.Hour, time.Now())
	if err != nil {
		return err
	}
	if err := b.Write(certDir); err != nil {
		return err
	}
	port, metricsAddr := freePort(), "127.0.0.1:"+strconv.Itoa(freePort())
	cmd := exec.Command(*govhook, "serve", "--kubeconfig", kubeconfig, "--cert-dir", certDir, "--host", "127.0.0.1",
		"--port", strconv.Itoa(port), "--metrics-bind-address", metricsAddr, "--evidence-dir", filepath.Join(state, "evidence"),
		"--replica", "bench", "--audit-interval", "24h", "--audit-lease-namespace", "default", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	served := time.Now()
	for {
		time.Sleep(500 * time.Millisecond)
		m, err := cluster.Scrape("http://" + metricsAddr + "/metrics")
		if err != nil {
			continue
		}
		if v := m["govhook_audit_last_run_timestamp_seconds"]; len(v) == 1 {
			scanned := 0.0
			for _, s := range m["govhook_audit_objects_scanned"] {
				scanned += float64(s.Value)
			}
			violations := 0.0
			for _, s := range m["govhook_audit_violations"] {
				violations += float64(s.Value)
			}
			hwm, rss := procStatus(cmd.Process.Pid, "VmHWM"), procStatus(cmd.Process.Pid, "VmRSS")
			fmt.Printf("audit run: %.1f s (serve started %.1f s before it ended), %.0f objects judged, %.0f violations\n",
				float64(m["govhook_audit_run_duration_seconds"][0].Value), time.Since(served).Seconds(), scanned, violations)
			fmt.Printf("govhook serve: peak RSS (VmHWM) %s, RSS now %s\n", hwm, rss)
			out, _ := exec.Command(filepath.Join(*assets, "kubectl"), "--kubeconfig", kubeconfig, "get", "reports", "-A").CombinedOutput()
			fmt.Printf("$ kubectl get reports -A\n%s", out)
			return nil
		}
		if cmd.ProcessState != nil {
			return fmt.Errorf("govhook exited")
		}
	}
}

// generate creates n objects over the namespaces: 60% ConfigMaps, 30% Deployments (one in
// ten privileged), 10% Services.
func generate(ctx context.Context, c *kubernetes.Clientset, n, namespaces, workers int) error {
	owner := map[string]string{"owner": "bench"}
	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%02d", i), Labels: map[string]string{"owner": "bench", "environment": "prod"}}}
		if _, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				ns, name := fmt.Sprintf("bench-%02d", i%namespaces), fmt.Sprintf("obj-%06d", i)
				var err error
				switch i % 10 {
				case 0, 1, 2:
					privileged := i%30 == 0
					labels := map[string]string{"app": name, "owner": "bench"}
					_, err = c.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
						ObjectMeta: metav1.ObjectMeta{Name: name, Labels: owner},
						Spec: appsv1.DeploymentSpec{
							Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
							Template: corev1.PodTemplateSpec{
								ObjectMeta: metav1.ObjectMeta{Labels: labels},
								Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "public.ecr.aws/nginx/nginx:1.27",
									SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}},
							},
						},
					}, metav1.CreateOptions{})
				case 3:
					_, err = c.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: owner},
						// Headless: the apiserver's service range holds a few hundred cluster IPs, not tens of thousands.
						Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
				default:
					_, err = c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: owner},
						Data: map[string]string{"key": strings.Repeat("v", 64)}}, metav1.CreateOptions{})
				}
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("create %s/%s: %w", ns, name, err)
					mu.Unlock()
					return
				}
				if d := done.Add(1); d%10000 == 0 {
					fmt.Printf("  %d objects\n", d)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// procStatus reads one field of /proc/PID/status (e.g. "VmHWM": "123456 kB").
func procStatus(pid int, field string) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

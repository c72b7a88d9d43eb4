package policies_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/policies"
)

// The tests in this file prove that `--only pss-baseline` and `--only pss-restricted` select
// exactly the Pod Security Standards profiles: a pod is flagged by a selection if and only if
// the reference implementation (k8s.io/pod-security-admission, evaluated in-process at the
// latest version) rejects it at that level. The pods are the reference's own generated
// fixtures, one mutation of each base pod per control and value, and seeded random
// combinations of mutations; each pod is judged as a Pod, in a Deployment and in a CronJob.

// pssLevels are the two profiles and the catalog groups that must implement them.
var pssLevels = []struct {
	level api.Level
	group string
}{
	{api.LevelBaseline, "pss-baseline"},
	{api.LevelRestricted, "pss-restricted"},
}

// pssHarness judges a pod with the reference evaluator and with the engine of each group.
type pssHarness struct {
	reference policy.Evaluator
	engines   map[api.Level]*policies.Engine
}

func newPSSHarness(t *testing.T) *pssHarness {
	t.Helper()
	reference, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	h := &pssHarness{reference: reference, engines: map[api.Level]*policies.Engine{}}
	for _, l := range pssLevels {
		selected, err := catalog.Select([]string{l.group})
		if err != nil {
			t.Fatal(err)
		}
		if h.engines[l.level], err = policies.NewEngine(t.Context(), catalog, selected); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// referenceReasons returns why the reference rejects pod at level, nil when it admits it.
// Like the webhook, the reference sees the pod as the API server passes it to admission,
// after defaulting.
func (h *pssHarness) referenceReasons(level api.Level, pod *corev1.Pod) []string {
	pod = withAPIDefaults(pod)
	var reasons []string
	for _, r := range h.reference.EvaluatePod(api.LevelVersion{Level: level, Version: api.LatestVersion()}, &pod.ObjectMeta, &pod.Spec) {
		if !r.Allowed {
			reasons = append(reasons, r.ForbiddenReason+": "+r.ForbiddenDetail)
		}
	}
	return reasons
}

// withAPIDefaults applies the API server's defaulting that changes a Pod Security verdict:
// a volume without a source is an emptyDir (SetDefaults_Volume).
func withAPIDefaults(pod *corev1.Pod) *corev1.Pod {
	pod = pod.DeepCopy()
	for i, v := range pod.Spec.Volumes {
		if v.VolumeSource == (corev1.VolumeSource{}) {
			pod.Spec.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	return pod
}

// mismatches compares the reference and the engine on pod at both levels and in every
// wrapping kind, and describes each disagreement.
func (h *pssHarness) mismatches(t *testing.T, pod *corev1.Pod) []string {
	t.Helper()
	var out []string
	for _, l := range pssLevels {
		want := h.referenceReasons(l.level, pod)
		for _, kind := range []string{"Pod", "Deployment", "CronJob"} {
			got := h.violations(t, l.level, kind, pod)
			if (len(want) > 0) != (len(got) > 0) {
				out = append(out, fmt.Sprintf("%s as %s: reference rejects=%t %q, %s flags=%t %q", l.level, kind, len(want) > 0, want, l.group, len(got) > 0, got))
			}
		}
	}
	return out
}

// violations evaluates pod, wrapped in kind, with the engine of level.
func (h *pssHarness) violations(t *testing.T, level api.Level, kind string, pod *corev1.Pod) []string {
	t.Helper()
	gvk, obj := wrapPod(kind, pod)
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	req := &admissionv1.AdmissionRequest{Kind: gvk, Operation: admissionv1.Create, Namespace: "shop", Name: pod.Name, Object: runtime.RawExtension{Raw: raw}}
	doc, err := input.Build(req, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := h.engines[level].Evaluate(t.Context(), kind, raw, doc)
	if err != nil {
		t.Fatalf("evaluate %s: %v", kind, err)
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = "[" + v.Policy.ID + "] " + v.Message
	}
	return msgs
}

// wrapPod returns pod as the object of kind: the pod itself or a controller templating it.
func wrapPod(kind string, pod *corev1.Pod) (metav1.GroupVersionKind, any) {
	template := corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec}
	meta := metav1.ObjectMeta{Name: pod.Name, Namespace: "shop"}
	switch kind {
	case "Deployment":
		return metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: kind},
			&appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: kind}, ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Template: template}}
	case "CronJob":
		return metav1.GroupVersionKind{Group: "batch", Version: "v1", Kind: kind},
			&batchv1.CronJob{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: kind}, ObjectMeta: meta, Spec: batchv1.CronJobSpec{Schedule: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template}}}}
	default:
		p := pod.DeepCopy()
		p.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
		return metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, p
	}
}

// TestPSSReferenceFixtures runs the fixtures the reference implementation generates for
// the latest version (test/testdata/<level>/v1.37/{pass,fail}) through both selections.
func TestPSSReferenceFixtures(t *testing.T) {
	dir := referenceModuleDir(t)
	h := newPSSHarness(t)
	total := 0
	for _, l := range pssLevels {
		for _, outcome := range []string{"pass", "fail"} {
			files, err := filepath.Glob(filepath.Join(dir, "test", "testdata", string(l.level), "v1.37", outcome, "*.yaml"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no reference fixtures for %s/%s in %s: %v", l.level, outcome, dir, err)
			}
			total += len(files)
			for _, file := range files {
				t.Run(string(l.level)+"/"+outcome+"/"+filepath.Base(file), func(t *testing.T) {
					data, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					var pod corev1.Pod
					if err := yaml.UnmarshalStrict(data, &pod); err != nil {
						t.Fatal(err)
					}
					for _, kind := range []string{"Pod", "Deployment", "CronJob"} {
						got := h.violations(t, l.level, kind, &pod)
						if flagged := len(got) > 0; flagged != (outcome == "fail") {
							t.Errorf("%s as %s: want flagged=%t, got %q", l.group, kind, outcome == "fail", got)
						}
					}
					for _, m := range h.mismatches(t, &pod) {
						t.Error(m)
					}
				})
			}
		}
	}
	t.Logf("%d reference fixtures", total)
}

// referenceModuleDir is where the go command keeps k8s.io/pod-security-admission, whose
// generated fixtures are not part of any Go package.
func referenceModuleDir(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	if err != nil {
		t.Fatalf("locate k8s.io/pod-security-admission: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestPSSProfilesMatchReference applies every mutation to every base pod (container
// mutations to an init, a regular and an ephemeral container in turn) and then seeded
// random combinations, and requires the engine and the reference to agree on each.
func TestPSSProfilesMatchReference(t *testing.T) {
	h := newPSSHarness(t)
	bases := pssBases()
	muts := pssMutations()
	for _, base := range bases {
		for _, m := range muts {
			t.Run(base.name+"/"+m.name, func(t *testing.T) {
				pod := base.pod.DeepCopy()
				m.apply(pod)
				for _, mm := range h.mismatches(t, pod) {
					t.Error(mm)
				}
			})
		}
	}
	rng := rand.New(rand.NewPCG(4, 2026))
	failures := 0
	for i := range 1500 {
		base := bases[rng.IntN(len(bases))]
		pod := base.pod.DeepCopy()
		names := []string{base.name}
		for range 1 + rng.IntN(5) {
			m := muts[rng.IntN(len(muts))]
			m.apply(pod)
			names = append(names, m.name)
		}
		if mm := h.mismatches(t, pod); len(mm) > 0 {
			t.Errorf("combination %d (%s):\n%s", i, strings.Join(names, " + "), strings.Join(mm, "\n"))
			if failures++; failures > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
}

type pssBase struct {
	name string
	pod  *corev1.Pod
}

// pssBases are the pods mutations start from: one that meets the restricted profile, one
// that meets only the baseline, a Windows pod and a pod in a user namespace.
func pssBases() []pssBase {
	restrictedContext := func() *corev1.SecurityContext {
		return &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}
	}
	restricted := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			InitContainers:  []corev1.Container{{Name: "setup", Image: "busybox:1.36", SecurityContext: restrictedContext()}},
			Containers:      []corev1.Container{{Name: "app", Image: "nginx:1.27", SecurityContext: restrictedContext()}},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox:1.36", SecurityContext: restrictedContext(),
			}}},
			Volumes: []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
	minimal := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: corev1.PodSpec{
			InitContainers:      []corev1.Container{{Name: "setup", Image: "busybox:1.36"}},
			Containers:          []corev1.Container{{Name: "app", Image: "nginx:1.27"}},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox:1.36"}}},
		},
	}
	windows := minimal.DeepCopy()
	windows.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
	windows.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true)}
	userNamespace := restricted.DeepCopy()
	userNamespace.Spec.HostUsers = ptr.To(false)
	return []pssBase{{"restricted", restricted}, {"baseline", minimal}, {"windows", windows}, {"userns", userNamespace}}
}

type pssMutation struct {
	name  string
	apply func(*corev1.Pod)
}

// pssMutations lists every change the tests make to a base pod: each control's allowed and
// forbidden values at pod level, and at container level for each container type.
func pssMutations() []pssMutation {
	var muts []pssMutation
	pod := func(name string, f func(*corev1.Pod)) { muts = append(muts, pssMutation{name, f}) }
	psc := func(p *corev1.Pod) *corev1.PodSecurityContext {
		if p.Spec.SecurityContext == nil {
			p.Spec.SecurityContext = &corev1.PodSecurityContext{}
		}
		return p.Spec.SecurityContext
	}
	container := func(name string, f func(*corev1.Container)) {
		targets := map[string]func(*corev1.Pod) *corev1.Container{
			"init":      func(p *corev1.Pod) *corev1.Container { return &p.Spec.InitContainers[0] },
			"container": func(p *corev1.Pod) *corev1.Container { return &p.Spec.Containers[0] },
			"ephemeral": func(p *corev1.Pod) *corev1.Container {
				return (*corev1.Container)(&p.Spec.EphemeralContainers[0].EphemeralContainerCommon)
			},
		}
		for _, target := range []string{"init", "container", "ephemeral"} {
			muts = append(muts, pssMutation{target + "/" + name, func(p *corev1.Pod) { f(targets[target](p)) }})
		}
	}
	csc := func(c *corev1.Container) *corev1.SecurityContext {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		return c.SecurityContext
	}
	caps := func(c *corev1.Container) *corev1.Capabilities {
		sc := csc(c)
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		return sc.Capabilities
	}

	// Pod-level fields.
	pod("hostNetwork", func(p *corev1.Pod) { p.Spec.HostNetwork = true })
	pod("hostPID", func(p *corev1.Pod) { p.Spec.HostPID = true })
	pod("hostIPC", func(p *corev1.Pod) { p.Spec.HostIPC = true })
	pod("os=windows", func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: corev1.Windows} })
	pod("os=linux", func(p *corev1.Pod) { p.Spec.OS = &corev1.PodOS{Name: corev1.Linux} })
	pod("hostUsers=false", func(p *corev1.Pod) { p.Spec.HostUsers = ptr.To(false) })
	pod("hostUsers=true", func(p *corev1.Pod) { p.Spec.HostUsers = ptr.To(true) })
	pod("no pod securityContext", func(p *corev1.Pod) { p.Spec.SecurityContext = nil })
	pod("pod runAsNonRoot=true", func(p *corev1.Pod) { psc(p).RunAsNonRoot = ptr.To(true) })
	pod("pod runAsNonRoot=false", func(p *corev1.Pod) { psc(p).RunAsNonRoot = ptr.To(false) })
	pod("pod runAsNonRoot unset", func(p *corev1.Pod) { psc(p).RunAsNonRoot = nil })
	pod("pod runAsUser=0", func(p *corev1.Pod) { psc(p).RunAsUser = ptr.To[int64](0) })
	pod("pod runAsUser=1000", func(p *corev1.Pod) { psc(p).RunAsUser = ptr.To[int64](1000) })
	pod("pod hostProcess", func(p *corev1.Pod) {
		psc(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(true)}
	})
	pod("pod hostProcess=false", func(p *corev1.Pod) {
		psc(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(false)}
	})
	for _, ty := range []corev1.SeccompProfileType{"Unconfined", "RuntimeDefault", "Localhost", ""} {
		pod("pod seccomp "+string(ty), func(p *corev1.Pod) { psc(p).SeccompProfile = &corev1.SeccompProfile{Type: ty} })
	}
	pod("pod seccomp unset", func(p *corev1.Pod) { psc(p).SeccompProfile = nil })
	for _, ty := range []corev1.AppArmorProfileType{"Unconfined", "RuntimeDefault", "Localhost", ""} {
		pod("pod apparmor "+string(ty), func(p *corev1.Pod) { psc(p).AppArmorProfile = &corev1.AppArmorProfile{Type: ty} })
	}
	for _, o := range []corev1.SELinuxOptions{{Type: "spc_t"}, {Type: "container_t"}, {Type: "container_engine_t"}, {User: "sysadm_u"}, {Role: "sysadm_r"}, {Level: "s0:c1,c2"}} {
		pod(fmt.Sprintf("pod selinux %+v", o), func(p *corev1.Pod) { psc(p).SELinuxOptions = &o })
	}
	for _, name := range []string{
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
		"kernel.msgmax", "net.ipv4.ip_forward", "net.core.somaxconn", "",
	} {
		pod("sysctl "+name, func(p *corev1.Pod) {
			psc(p).Sysctls = append(psc(p).Sysctls, corev1.Sysctl{Name: name, Value: "1"})
		})
	}
	for _, src := range []corev1.VolumeSource{
		{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}},
		{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		{ConfigMap: &corev1.ConfigMapVolumeSource{}},
		{Secret: &corev1.SecretVolumeSource{SecretName: "s"}},
		{DownwardAPI: &corev1.DownwardAPIVolumeSource{}},
		{Projected: &corev1.ProjectedVolumeSource{}},
		{CSI: &corev1.CSIVolumeSource{Driver: "ebs.csi.aws.com"}},
		{Ephemeral: &corev1.EphemeralVolumeSource{}},
		{Image: &corev1.ImageVolumeSource{Reference: "busybox:1.36"}},
		{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}},
		{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}},
		{GitRepo: &corev1.GitRepoVolumeSource{Repository: "r"}},
		{AWSElasticBlockStore: &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "v"}},
		{ISCSI: &corev1.ISCSIVolumeSource{}},
		{CephFS: &corev1.CephFSVolumeSource{}},
		{FlexVolume: &corev1.FlexVolumeSource{Driver: "d"}},
		{},
		{HostPath: &corev1.HostPathVolumeSource{Path: "/"}, EmptyDir: &corev1.EmptyDirVolumeSource{}},
	} {
		raw, _ := json.Marshal(src)
		pod("volume "+string(raw), func(p *corev1.Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: fmt.Sprintf("v%d", len(p.Spec.Volumes)), VolumeSource: src})
		})
	}
	for _, a := range []string{"unconfined", "runtime/default", "localhost/custom", "", "docker/default"} {
		pod("apparmor annotation "+a, func(p *corev1.Pod) {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations["container.apparmor.security.beta.kubernetes.io/app"] = a
		})
	}
	pod("seccomp annotation unconfined", func(p *corev1.Pod) {
		p.Annotations = map[string]string{"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
	})

	// Container-level fields, for each container type.
	container("no securityContext", func(c *corev1.Container) { c.SecurityContext = nil })
	container("privileged", func(c *corev1.Container) { csc(c).Privileged = ptr.To(true) })
	container("privileged=false", func(c *corev1.Container) { csc(c).Privileged = ptr.To(false) })
	container("hostPort", func(c *corev1.Container) {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 80, HostPort: 8080})
	})
	container("hostPort=0", func(c *corev1.Container) { c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 80}) })
	for _, capability := range []corev1.Capability{"SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin", "chown", "CHOWN", "NET_BIND_SERVICE", "ALL", "NET_RAW", "SETPCAP", "CAP_NET_BIND_SERVICE"} {
		container("add "+string(capability), func(c *corev1.Container) { caps(c).Add = append(caps(c).Add, capability) })
	}
	for _, drop := range [][]corev1.Capability{nil, {"all"}, {"NET_RAW"}, {"ALL", "NET_RAW"}, {"ALL"}} {
		container(fmt.Sprintf("drop %v", drop), func(c *corev1.Container) { caps(c).Drop = drop })
	}
	container("no capabilities", func(c *corev1.Container) { csc(c).Capabilities = nil })
	container("hostProcess", func(c *corev1.Container) {
		csc(c).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(true)}
	})
	for _, ty := range []corev1.AppArmorProfileType{"Unconfined", "RuntimeDefault", "Localhost", ""} {
		container("apparmor "+string(ty), func(c *corev1.Container) { csc(c).AppArmorProfile = &corev1.AppArmorProfile{Type: ty} })
	}
	for _, o := range []corev1.SELinuxOptions{{Type: "spc_t"}, {Type: "container_init_t"}, {Type: "container_kvm_t"}, {User: "u"}, {Role: "r"}, {Type: "", Level: "s0"}} {
		container(fmt.Sprintf("selinux %+v", o), func(c *corev1.Container) { csc(c).SELinuxOptions = &o })
	}
	for _, m := range []corev1.ProcMountType{"Unmasked", "Default"} {
		container("procMount "+string(m), func(c *corev1.Container) { csc(c).ProcMount = ptr.To(m) })
	}
	for _, ty := range []corev1.SeccompProfileType{"Unconfined", "RuntimeDefault", "Localhost", ""} {
		container("seccomp "+string(ty), func(c *corev1.Container) { csc(c).SeccompProfile = &corev1.SeccompProfile{Type: ty} })
	}
	container("seccomp unset", func(c *corev1.Container) { csc(c).SeccompProfile = nil })
	container("runAsNonRoot=true", func(c *corev1.Container) { csc(c).RunAsNonRoot = ptr.To(true) })
	container("runAsNonRoot=false", func(c *corev1.Container) { csc(c).RunAsNonRoot = ptr.To(false) })
	container("runAsUser=0", func(c *corev1.Container) { csc(c).RunAsUser = ptr.To[int64](0) })
	container("runAsUser=1000", func(c *corev1.Container) { csc(c).RunAsUser = ptr.To[int64](1000) })
	container("allowPrivilegeEscalation=true", func(c *corev1.Container) { csc(c).AllowPrivilegeEscalation = ptr.To(true) })
	container("allowPrivilegeEscalation unset", func(c *corev1.Container) { csc(c).AllowPrivilegeEscalation = nil })
	for _, host := range []string{"", "127.0.0.1", "metadata.internal"} {
		container("liveness httpGet host="+host, func(c *corev1.Container) {
			c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: host}}}
		})
		container("readiness tcpSocket host="+host, func(c *corev1.Container) {
			c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: host}}}
		})
		container("startup httpGet host="+host, func(c *corev1.Container) {
			c.StartupProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: host}}}
		})
		container("postStart httpGet host="+host, func(c *corev1.Container) {
			c.Lifecycle = &corev1.Lifecycle{PostStart: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Host: host}}}
		})
		container("preStop tcpSocket host="+host, func(c *corev1.Container) {
			c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: host}}}
		})
	}
	slices.SortStableFunc(muts, func(a, b pssMutation) int { return strings.Compare(a.name, b.name) })
	return muts
}

package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func testSpec(created time.Time) spec {
	return spec{
		Binaries: map[string][]byte{"linux/amd64": []byte("amd64 binary"), "linux/arm64": []byte("arm64 binary")},
		CACerts:  []byte("-----BEGIN CERTIFICATE-----\n"), Version: "v1.2.3", Revision: strings.Repeat("a", 40), Created: created,
	}
}

// writeImage assembles s into dir as make image does and returns the tarball's bytes.
func writeImage(t *testing.T, s spec, dir string) (v1.ImageIndex, []byte) {
	t.Helper()
	idx, err := buildIndex(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeLayout(dir, idx, "govhook", s.Version, "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if err := writeTar(dir, dir+".tar", s.Created); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dir + ".tar")
	if err != nil {
		t.Fatal(err)
	}
	return idx, data
}

// TestReproducible: two assemblies of the same inputs, at different times into different
// directories, give the same index digest and the same tarball, byte for byte.
func TestReproducible(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	first, firstTar := writeImage(t, testSpec(created), filepath.Join(t.TempDir(), "a"))
	time.Sleep(1100 * time.Millisecond) // a later wall clock must not reach the image
	second, secondTar := writeImage(t, testSpec(created), filepath.Join(t.TempDir(), "b"))
	d1, err := first.Digest()
	if err != nil {
		t.Fatal(err)
	}
	d2, err := second.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 || !bytes.Equal(firstTar, secondTar) {
		t.Errorf("two builds differ: %s and %s, tarballs equal: %v", d1, d2, bytes.Equal(firstTar, secondTar))
	}
	other, _ := writeImage(t, testSpec(created.Add(time.Second)), filepath.Join(t.TempDir(), "c"))
	if d3, _ := other.Digest(); d3 == d1 {
		t.Error("another creation time gives the same digest: the stamp does not reach the image")
	}
}

// TestLayoutPushes checks that what make image writes is accepted by crane: the OCI layout
// pushes as the multi-platform index, the tarball (docker load's format) as the amd64 image,
// both to a registry on loopback, and read back with the same digests.
func TestLayoutPushes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "govhook-image")
	idx, tarball := writeImage(t, testSpec(time.Unix(1764928800, 0)), dir)
	want, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	names := tarNames(t, tarball)
	for _, n := range []string{"index.json", "oci-layout", "manifest.json"} {
		if !slices.Contains(names, n) {
			t.Errorf("the tarball has no %s at its root: %v", n, names)
		}
	}

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	// crane push DIR (as after tar -xf): the one entry of index.json, the index.
	l, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].Digest != want || m.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v1.2.3" {
		t.Fatalf("index.json = %+v, want one entry: the index %s named v1.2.3", m.Manifests, want)
	}
	pushed, err := l.ImageIndex(want)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/govhook:v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, pushed); err != nil {
		t.Fatalf("push the index: %v", err)
	}
	got, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	gm, err := got.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range gm.Manifests {
		platforms = append(platforms, d.Platform.String())
	}
	if d, _ := got.Digest(); d != want || !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64/v8"}) {
		t.Errorf("pulled index %s for %v, want %s for linux/amd64 and linux/arm64/v8", d, platforms, want)
	}

	// crane push FILE.tar: the docker save format, one image.
	img, err := crane.Load(dir + ".tar")
	if err != nil {
		t.Fatalf("crane load the tarball: %v", err)
	}
	if err := crane.Push(img, host+"/govhook:amd64"); err != nil {
		t.Fatalf("crane push the tarball: %v", err)
	}
	amd64, err := platformImage(idx, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	wantCfg, _ := amd64.ConfigName()
	pulled, err := crane.Pull(host + "/govhook:amd64")
	if err != nil {
		t.Fatal(err)
	}
	if gotCfg, _ := pulled.ConfigName(); gotCfg != wantCfg {
		t.Errorf("the tarball's image has config %s, the index's amd64 image %s", gotCfg, wantCfg)
	}
}

// TestSBOM checks the SBOM of a real Go binary (this test's): every module its build
// information names is a package, with its version, as a purl.
func TestSBOM(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkSBOM(t, mustSBOM(t, bin), bin)
	if doc.DocumentNamespace != source+"/spdx/govhook-v1.2.3-abc" {
		t.Errorf("documentNamespace %s does not name the image digest", doc.DocumentNamespace)
	}
}

func mustSBOM(t *testing.T, bin []byte) []byte {
	t.Helper()
	out, err := sbom(map[string][]byte{"linux/amd64": bin}, "v1.2.3", "sha256:abc", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSBOM checks that the SPDX document lists each module linked into bin.
func checkSBOM(t *testing.T, data, bin []byte) spdxDocument {
	t.Helper()
	var doc spdxDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, p := range doc.Packages {
		listed[p.Name] = p.VersionInfo
		if len(p.ExternalRefs) != 1 || !strings.HasPrefix(p.ExternalRefs[0].ReferenceLocator, "pkg:golang/") {
			t.Errorf("package %s has no Go purl: %+v", p.Name, p.ExternalRefs)
		}
	}
	if doc.SPDXVersion != "SPDX-2.3" || listed["stdlib"] != info.GoVersion || len(info.Deps) == 0 {
		t.Errorf("SPDX version %s, stdlib %s (want %s), %d modules", doc.SPDXVersion, listed["stdlib"], info.GoVersion, len(info.Deps))
	}
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		if listed[d.Path] != d.Version {
			t.Errorf("module %s %s is listed as %q", d.Path, d.Version, listed[d.Path])
		}
	}
	if len(doc.Relationships) != len(doc.Packages) {
		t.Errorf("%d relationships for %d packages, want one each", len(doc.Relationships), len(doc.Packages))
	}
	return doc
}

// TestBuiltImage opens the image `make image` built (GOVHOOK_IMAGE, the tarball) and checks
// what a cluster gets: each platform's config, that its layers hold exactly the expected
// files, that the CA bundle holds certificates, that the amd64 binary is static and runs, and
// that the SBOM next to the image lists the binary's modules.
func TestBuiltImage(t *testing.T) {
	path := os.Getenv("GOVHOOK_IMAGE")
	if path == "" {
		t.Skip("GOVHOOK_IMAGE not set: run make image (make unit sets it)")
	}
	dir := t.TempDir()
	untar(t, path, dir)
	l, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := l.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Manifests) != 1 {
		t.Fatalf("index.json has %d entries, want the one index", len(top.Manifests))
	}
	idx, err := l.ImageIndex(top.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range im.Manifests {
		platforms = append(platforms, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	var amd64Binary []byte
	for _, platform := range platforms {
		t.Run(platform, func(t *testing.T) {
			img, err := platformImage(idx, platform)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			version := cfg.Config.Labels[labelPrefix+"version"]
			created := cfg.Created.Time
			got := map[string]any{
				"platform": cfg.OS + "/" + cfg.Architecture, "user": cfg.Config.User, "entrypoint": cfg.Config.Entrypoint,
				"source": cfg.Config.Labels[labelPrefix+"source"], "licenses": cfg.Config.Labels[labelPrefix+"licenses"],
				"revision is a commit": regexp40.MatchString(cfg.Config.Labels[labelPrefix+"revision"]),
				"version set":          version != "" && version == top.Manifests[0].Annotations["org.opencontainers.image.ref.name"],
			}
			want := map[string]any{
				"platform": platform, "user": "65532:65532", "entrypoint": []string{"/govhook"},
				"source": source, "licenses": licenses, "revision is a commit": true, "version set": true,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			var contents [][]string
			files := map[string][]byte{}
			for _, layer := range layers {
				rc, err := layer.Uncompressed()
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				tr := tar.NewReader(rc)
				for {
					h, err := tr.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					names = append(names, h.Name)
					if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(created) {
						t.Errorf("%s: owner %d:%d, time %s; want root and the image's creation time %s", h.Name, h.Uid, h.Gid, h.ModTime, created)
					}
					if files[h.Name], err = io.ReadAll(tr); err != nil {
						t.Fatal(err)
					}
				}
				rc.Close()
				contents = append(contents, names)
			}
			wantContents := [][]string{
				{"etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt"},
				{"govhook"},
			}
			if diff := cmp.Diff(wantContents, contents); diff != "" {
				t.Errorf("layer contents (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(files["etc/passwd"]), "nonroot:x:65532:65532:") {
				t.Errorf("/etc/passwd has no user 65532:\n%s", files["etc/passwd"])
			}
			if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(files[caPath]) || len(bytes.Split(files[caPath], []byte("BEGIN CERTIFICATE"))) < 50 {
				t.Error("the CA bundle holds fewer than 50 certificates")
			}
			checkStatic(t, files["govhook"], cfg.Architecture)
			checkSBOM(t, mustReadFile(t, strings.TrimSuffix(path, ".tar")+".spdx.json"), files["govhook"])
			if platform == "linux/amd64" {
				amd64Binary = files["govhook"]
				if out := runVersion(t, amd64Binary); out != "govhook "+version {
					t.Errorf("govhook version printed %q, want %q", out, "govhook "+version)
				}
			}
		})
	}
	if amd64Binary == nil {
		t.Error("no amd64 binary ran")
	}
}

var regexp40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

// checkStatic checks that bin is an ELF executable for arch with no dynamic loader.
func checkStatic(t *testing.T, bin []byte, arch string) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("the binary is not ELF: %v", err)
	}
	wantMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if f.Machine != wantMachine {
		t.Errorf("binary for %s, want %s", f.Machine, wantMachine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a dynamic loader; it must be static (CGO_ENABLED=0)")
		}
	}
}

// runVersion runs `govhook version` of the extracted binary on this machine.
func runVersion(t *testing.T, bin []byte) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the amd64 binary does not run on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	path := filepath.Join(t.TempDir(), "govhook")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("govhook version: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func untar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, dir+string(filepath.Separator)) {
			t.Fatalf("tar entry %q leaves the directory", h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func tarNames(t *testing.T, data []byte) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where the image keeps its files, and who it runs as: the same as the Dockerfile's
// distroless nonroot image (image_test.go holds the two together).
const (
	binaryPath = "govhook"
	caPath     = "etc/ssl/certs/ca-certificates.crt"
	uid        = 65532
	user       = "65532:65532"
)

// passwd and group name root and nonroot (65532) as distroless does, for tools that resolve
// the user; nobody logs in.
const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group  = "root:x:0:\nnonroot:x:65532:\n"
)

// Labels shared by the image and the Dockerfile.
const (
	labelPrefix = "org.opencontainers.image."
	title       = "govhook"
	description = "Governance admission webhook for Kubernetes with SOC 2 audit evidence"
	source      = "https://github.com/govhook/govhook"
	licenses    = "Apache-2.0"
)

// cmd is the default command: serve with the Deployment's mounts.
var cmd = []string{"serve", "--config=/etc/govhook/config.yaml", "--cert-dir=/etc/govhook-tls", "--evidence-dir=/var/lib/govhook/evidence"}

// exposed are the webhook and metrics ports.
var exposed = []string{"8080/tcp", "9443/tcp"}

// spec says what goes into the image.
type spec struct {
	// Binaries maps a platform ("linux/amd64") to the static govhook binary built for it.
	Binaries map[string][]byte
	// CACerts is the PEM bundle of trusted roots.
	CACerts []byte
	// Version and Revision are the release and the commit the binaries come from.
	Version, Revision string
	// Created stamps the config, the labels and every file: the commit's time, so that two
	// builds of one commit give the same digest.
	Created time.Time
}

// file is one entry of a layer.
type file struct {
	name string
	mode int64
	data []byte // nil for a directory
}

// buildIndex assembles the multi-platform image index: per platform a base layer (CA
// certificates, passwd, group; the same blob for every platform) and a layer with the binary.
func buildIndex(s spec) (v1.ImageIndex, error) {
	base, err := layer(s.Created, []file{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: caPath, mode: 0o644, data: s.CACerts},
	})
	if err != nil {
		return nil, fmt.Errorf("base layer: %w", err)
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, platform := range slices.Sorted(maps.Keys(s.Binaries)) {
		os, arch, ok := strings.Cut(platform, "/")
		if !ok || os != "linux" {
			return nil, fmt.Errorf("platform %q: want linux/<arch>", platform)
		}
		bin, err := layer(s.Created, []file{{name: binaryPath, mode: 0o755, data: s.Binaries[platform]}})
		if err != nil {
			return nil, fmt.Errorf("%s binary layer: %w", platform, err)
		}
		img, err := image(s, arch, base, bin)
		if err != nil {
			return nil, fmt.Errorf("%s image: %w", platform, err)
		}
		p := v1.Platform{OS: os, Architecture: arch}
		if arch == "arm64" {
			p.Variant = "v8"
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return idx, nil
}

func image(s spec, arch string, layers ...v1.Layer) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	var history []v1.History
	for _, step := range []string{"base: CA certificates, passwd, group", "govhook " + s.Version} {
		history = append(history, v1.History{Created: v1.Time{Time: s.Created}, CreatedBy: step, Comment: "hack/image"})
	}
	img, err := mutate.Append(img, mutate.Addendum{Layer: layers[0], History: history[0]}, mutate.Addendum{Layer: layers[1], History: history[1]})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	if arch == "arm64" {
		cfg.Variant = "v8"
	}
	cfg.Created = v1.Time{Time: s.Created}
	cfg.Config = v1.Config{
		User:         user,
		Entrypoint:   []string{"/" + binaryPath},
		Cmd:          cmd,
		WorkingDir:   "/",
		Env:          []string{"SSL_CERT_FILE=/" + caPath},
		ExposedPorts: map[string]struct{}{},
		Labels:       labels(s),
	}
	for _, p := range exposed {
		cfg.Config.ExposedPorts[p] = struct{}{}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, labels(s)).(v1.Image), nil
}

// labels are the OCI annotations of the image, on its config and its manifests.
func labels(s spec) map[string]string {
	return map[string]string{
		labelPrefix + "title":       title,
		labelPrefix + "description": description,
		labelPrefix + "version":     s.Version,
		labelPrefix + "revision":    s.Revision,
		labelPrefix + "source":      source,
		labelPrefix + "licenses":    licenses,
		labelPrefix + "created":     s.Created.UTC().Format(time.RFC3339),
	}
}

// layer makes a gzip-compressed layer of files in the given (sorted) order, owned by root,
// stamped with created: nothing of the build machine (times, owners, umask) reaches it.
func layer(created time.Time, files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: created, Typeflag: tar.TypeReg, Size: int64(len(f.data))}
		if f.data == nil {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if path.Clean(f.name) != strings.TrimSuffix(f.name, "/") {
			return nil, fmt.Errorf("unclean path %q", f.name)
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestCompression))
}

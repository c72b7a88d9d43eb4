// Command image assembles govhook's container image without Docker: an OCI image index for
// linux/amd64 and linux/arm64 from scratch (static binary, CA certificates, passwd; user
// 65532), written as an OCI layout, its tarball (which `docker load`, `crane push` and
// `skopeo copy oci-archive:` accept) and an SPDX SBOM of the Go modules in the binaries.
// Two runs over the same binaries and -created give the same digest. `make image` runs it:
//
//	go run ./hack/image -binary linux/amd64=bin/linux-amd64/govhook -binary linux/arm64=bin/linux-arm64/govhook \
//	  -version v0.1.0 -revision $(git rev-parse HEAD) -created $(git log -1 --format=%ct) -out bin/govhook-image
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// binaryFlags collects -binary platform=path.
type binaryFlags map[string]string

func (b binaryFlags) String() string { return fmt.Sprint(map[string]string(b)) }

func (b binaryFlags) Set(v string) error {
	platform, path, ok := strings.Cut(v, "=")
	if !ok {
		return errors.New("want platform=path, e.g. linux/amd64=bin/linux-amd64/govhook")
	}
	b[platform] = path
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	binaries := binaryFlags{}
	fs.Var(binaries, "binary", "platform=path of a static govhook binary (repeat per platform)")
	caCerts := fs.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "PEM bundle of trusted CA certificates (Debian's ca-certificates)")
	version := fs.String("version", "dev", "govhook version (label and tag)")
	revision := fs.String("revision", "", "commit the binaries are built from (label)")
	created := fs.Int64("created", 0, "creation time in Unix seconds, the commit's time (SOURCE_DATE_EPOCH)")
	repo := fs.String("repo", "govhook", "repository name for docker load")
	out := fs.String("out", "bin/govhook-image", "writes OUT/ (OCI layout), OUT.tar and OUT.spdx.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(binaries) == 0 {
		return errors.New("no -binary given")
	}
	s := spec{Binaries: map[string][]byte{}, Version: *version, Revision: *revision, Created: time.Unix(*created, 0).UTC()}
	for platform, path := range binaries {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s.Binaries[platform] = data
	}
	var err error
	if s.CACerts, err = os.ReadFile(*caCerts); err != nil {
		return fmt.Errorf("CA certificates (install Debian's ca-certificates or pass -ca-certs): %w", err)
	}
	idx, err := buildIndex(s)
	if err != nil {
		return err
	}
	if err := writeLayout(*out, idx, *repo, *version, "linux/amd64"); err != nil {
		return err
	}
	if err := writeTar(*out, *out+".tar", s.Created); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	doc, err := sbom(s.Binaries, *version, digest.String(), s.Created)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out+".spdx.json", doc, 0o644); err != nil {
		return err
	}
	info, err := os.Stat(*out + ".tar")
	if err != nil {
		return err
	}
	fmt.Printf("%s:%s %s\n%s.tar %s bytes\n", *repo, *version, digest, *out, strconv.FormatInt(info.Size(), 10))
	return nil
}

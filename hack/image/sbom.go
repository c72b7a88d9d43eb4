package main

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// SPDX 2.3 JSON, the part an SBOM of Go modules uses.
type (
	spdxDocument struct {
		SPDXVersion       string             `json:"spdxVersion"`
		DataLicense       string             `json:"dataLicense"`
		SPDXID            string             `json:"SPDXID"`
		Name              string             `json:"name"`
		DocumentNamespace string             `json:"documentNamespace"`
		CreationInfo      spdxCreationInfo   `json:"creationInfo"`
		DocumentDescribes []string           `json:"documentDescribes"`
		Packages          []spdxPackage      `json:"packages"`
		Relationships     []spdxRelationship `json:"relationships"`
	}
	spdxCreationInfo struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	spdxPackage struct {
		SPDXID           string       `json:"SPDXID"`
		Name             string       `json:"name"`
		VersionInfo      string       `json:"versionInfo"`
		DownloadLocation string       `json:"downloadLocation"`
		FilesAnalyzed    bool         `json:"filesAnalyzed"`
		LicenseConcluded string       `json:"licenseConcluded"`
		LicenseDeclared  string       `json:"licenseDeclared"`
		CopyrightText    string       `json:"copyrightText"`
		Comment          string       `json:"comment,omitempty"`
		ExternalRefs     []spdxExtRef `json:"externalRefs"`
	}
	spdxExtRef struct {
		ReferenceCategory string `json:"referenceCategory"`
		ReferenceType     string `json:"referenceType"`
		ReferenceLocator  string `json:"referenceLocator"`
	}
	spdxRelationship struct {
		SPDXElementID      string `json:"spdxElementId"`
		RelationshipType   string `json:"relationshipType"`
		RelatedSPDXElement string `json:"relatedSpdxElement"`
	}
)

// goModule is a module linked into a binary, as its build information names it.
type goModule struct {
	path, version, sum string
}

// sbom describes the Go modules linked into the binaries (one per platform; a module linked
// into any of them is listed once), the Go standard library and govhook itself, as SPDX 2.3
// JSON. imageDigest names the image the document is for.
func sbom(binaries map[string][]byte, version, imageDigest string, created time.Time) ([]byte, error) {
	mods := map[string]goModule{}
	goVersion := ""
	mainPath := ""
	for _, platform := range slices.Sorted(maps.Keys(binaries)) {
		info, err := buildinfo.Read(bytes.NewReader(binaries[platform]))
		if err != nil {
			return nil, fmt.Errorf("read build information of the %s binary: %w", platform, err)
		}
		goVersion, mainPath = info.GoVersion, info.Main.Path
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			mods[d.Path+"@"+d.Version] = goModule{path: d.Path, version: d.Version, sum: d.Sum}
		}
	}
	if mainPath == "" {
		return nil, fmt.Errorf("the binaries name no main module")
	}
	root := spdxPackage{
		SPDXID: "SPDXRef-Package-govhook", Name: mainPath, VersionInfo: version,
		DownloadLocation: source, LicenseConcluded: "NOASSERTION", LicenseDeclared: licenses, CopyrightText: "NOASSERTION",
		ExternalRefs: []spdxExtRef{purl("pkg:golang/" + mainPath + "@" + version)},
	}
	doc := spdxDocument{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              "govhook-" + version,
		DocumentNamespace: source + "/spdx/govhook-" + version + "-" + strings.TrimPrefix(imageDigest, "sha256:"),
		CreationInfo:      spdxCreationInfo{Created: created.UTC().Format(time.RFC3339), Creators: []string{"Tool: govhook-hack-image", "Organization: govhook"}},
		DocumentDescribes: []string{root.SPDXID},
		Packages: []spdxPackage{root, {
			SPDXID: "SPDXRef-Package-stdlib", Name: "stdlib", VersionInfo: goVersion,
			DownloadLocation: "https://go.dev/dl/", LicenseConcluded: "NOASSERTION", LicenseDeclared: "BSD-3-Clause", CopyrightText: "NOASSERTION",
			ExternalRefs: []spdxExtRef{purl("pkg:golang/stdlib@" + goVersion)},
		}},
		Relationships: []spdxRelationship{
			{"SPDXRef-DOCUMENT", "DESCRIBES", root.SPDXID},
			{root.SPDXID, "DEPENDS_ON", "SPDXRef-Package-stdlib"},
		},
	}
	for i, key := range slices.Sorted(maps.Keys(mods)) {
		m := mods[key]
		id := fmt.Sprintf("SPDXRef-Package-go-%d", i+1)
		p := spdxPackage{
			SPDXID: id, Name: m.path, VersionInfo: m.version,
			DownloadLocation: "https://proxy.golang.org/" + m.path + "/@v/" + m.version + ".zip",
			LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION",
			ExternalRefs: []spdxExtRef{purl("pkg:golang/" + m.path + "@" + m.version)},
		}
		if m.sum != "" {
			p.Comment = "go.sum " + m.sum
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, spdxRelationship{root.SPDXID, "DEPENDS_ON", id})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func purl(locator string) spdxExtRef {
	return spdxExtRef{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: locator}
}

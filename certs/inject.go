package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// ErrNoWebhooks marks a document set without any ValidatingWebhookConfiguration webhook to
// inject a caBundle into.
var ErrNoWebhooks = errors.New("no ValidatingWebhookConfiguration webhooks found")

// InjectCABundle sets clientConfig.caBundle of every webhook of every
// ValidatingWebhookConfiguration in the YAML stream data to caPEM, leaving the other documents,
// fields and comments as they are. CA certificates already in a webhook's bundle that are still
// valid at now stay in it after caPEM: during a rotation the apiserver then trusts both the
// replicas that serve the new certificate and those that have not reloaded yet. It returns the
// rewritten stream and the number of webhooks changed.
func InjectCABundle(data, caPEM []byte, now time.Time) ([]byte, int, error) {
	cas, err := parseCertificates(caPEM)
	if err != nil {
		return nil, 0, fmt.Errorf("inject caBundle: CA certificate: %w", err)
	}
	if len(cas) == 0 {
		return nil, 0, errors.New("inject caBundle: no PEM certificate in the CA")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	injected := 0
	for i := 0; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("inject caBundle: document %d: %w", i, err)
		}
		n, err := injectDocument(&doc, caPEM, now)
		if err != nil {
			return nil, 0, fmt.Errorf("inject caBundle: document %d: %w", i, err)
		}
		injected += n
		if err := enc.Encode(&doc); err != nil {
			return nil, 0, fmt.Errorf("inject caBundle: document %d: %w", i, err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, 0, fmt.Errorf("inject caBundle: %w", err)
	}
	if injected == 0 {
		return nil, 0, ErrNoWebhooks
	}
	return out.Bytes(), injected, nil
}

func injectDocument(doc *yaml.Node, caPEM []byte, now time.Time) (int, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0, nil
	}
	root := doc.Content[0]
	if kind := mapValue(root, "kind"); kind == nil || kind.Value != "ValidatingWebhookConfiguration" {
		return 0, nil
	}
	webhooks := mapValue(root, "webhooks")
	if webhooks == nil {
		return 0, nil
	}
	if webhooks.Kind != yaml.SequenceNode {
		return 0, errors.New("webhooks is not a list")
	}
	for i, w := range webhooks.Content {
		if w.Kind != yaml.MappingNode {
			return 0, fmt.Errorf("webhooks[%d] is not a mapping", i)
		}
		cc := mapValue(w, "clientConfig")
		if cc == nil {
			cc = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			setMapValue(w, "clientConfig", cc)
		}
		if cc.Kind != yaml.MappingNode {
			return 0, fmt.Errorf("webhooks[%d].clientConfig is not a mapping", i)
		}
		bundle := append([]byte(nil), caPEM...)
		if old := mapValue(cc, "caBundle"); old != nil {
			bundle = append(bundle, stillValid(old.Value, caPEM, now)...)
		}
		setMapValue(cc, "caBundle", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: base64.StdEncoding.EncodeToString(bundle)})
	}
	return len(webhooks.Content), nil
}

// stillValid returns, PEM encoded, the certificates of a base64 caBundle that are valid at now
// and not already in caPEM. A bundle that does not decode (a placeholder) contributes nothing.
func stillValid(encoded string, caPEM []byte, now time.Time) []byte {
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil
	}
	certs, err := parseCertificates(data)
	if err != nil {
		return nil
	}
	var out []byte
	for _, c := range certs {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		if now.Before(c.NotAfter) && !now.Before(c.NotBefore) && !bytes.Contains(caPEM, block) {
			out = append(out, block...)
		}
	}
	return out
}

// parseCertificates parses every CERTIFICATE block of a PEM bundle.
func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return certs, nil
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setMapValue replaces the value of key in a mapping node, or appends the pair.
func setMapValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

package certs

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// ServiceHosts are the DNS names under which the kube-apiserver may reach a Service: the
// apiserver uses <service>.<namespace>.svc, the other forms serve in-cluster clients.
func ServiceHosts(service, namespace string) []string {
	return []string{
		service,
		service + "." + namespace,
		service + "." + namespace + ".svc",
		service + "." + namespace + ".svc.cluster.local",
	}
}

// Secret renders the bundle as a kubernetes.io/tls Secret manifest (YAML) holding tls.crt,
// tls.key and ca.crt, the layout cert-manager writes too.
func (b *Bundle) Secret(name, namespace string) ([]byte, error) {
	s := corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: namespace,
			Labels:    map[string]string{"app.kubernetes.io/name": "govhook", "app.kubernetes.io/component": "serving-certificate"},
		},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       b.Cert,
			corev1.TLSPrivateKeyKey: b.Key,
			CAFile:                  b.CACert,
		},
	}
	out, err := yaml.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("render secret %s/%s: %w", namespace, name, err)
	}
	return out, nil
}

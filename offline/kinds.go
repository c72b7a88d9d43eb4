package offline

import (
	"encoding/json"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/govhook/govhook/manifests"
)

// kindInfo is what the offline path knows of a kind without asking a cluster.
type kindInfo struct {
	resource   string
	namespaced bool
}

// kinds knows the kinds a manifest may use: the built-in kinds of the Kubernetes release
// govhook is built against, and the kinds defined by CustomResourceDefinitions among the
// manifests.
type kinds struct {
	custom map[schema.GroupVersionKind]kindInfo
}

// extraKinds are served kinds whose Go types client-go's scheme does not register.
var extraKinds = map[schema.GroupVersionKind]kindInfo{
	{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}: {"customresourcedefinitions", false},
	{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"}:             {"apiservices", false},
}

// removedGroupVersions were served once and are no longer: their kinds are still in
// client-go's scheme, but a cluster refuses them.
var removedGroupVersions = []schema.GroupVersion{
	{Group: "extensions", Version: "v1beta1"},
	{Group: "apps", Version: "v1beta1"},
	{Group: "apps", Version: "v1beta2"},
	{Group: "batch", Version: "v1beta1"},
	{Group: "policy", Version: "v1beta1"},
	{Group: "rbac.authorization.k8s.io", Version: "v1beta1"},
	{Group: "rbac.authorization.k8s.io", Version: "v1alpha1"},
	{Group: "networking.k8s.io", Version: "v1beta1"},
	{Group: "storage.k8s.io", Version: "v1beta1"},
	{Group: "scheduling.k8s.io", Version: "v1beta1"},
	{Group: "node.k8s.io", Version: "v1beta1"},
	{Group: "autoscaling", Version: "v2beta1"},
	{Group: "autoscaling", Version: "v2beta2"},
}

// clusterScoped are the built-in kinds that live outside namespaces.
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:                                                    true,
	{Group: "", Kind: "Node"}:                                                         true,
	{Group: "", Kind: "PersistentVolume"}:                                             true,
	{Group: "", Kind: "ComponentStatus"}:                                              true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "resource.k8s.io", Kind: "DeviceTaintRule"}:                               true,
	{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               true,
	{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
}

// crd is what a CustomResourceDefinition says about the kind it defines.
type crd struct {
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind   string `json:"kind"`
			Plural string `json:"plural"`
		} `json:"names"`
		Scope    string `json:"scope"`
		Versions []struct {
			Name string `json:"name"`
		} `json:"versions"`
	} `json:"spec"`
}

// newKinds collects the kinds that the CustomResourceDefinitions among docs define.
func newKinds(docs []manifests.Document) *kinds {
	k := &kinds{custom: map[schema.GroupVersionKind]kindInfo{}}
	for _, d := range docs {
		if d.Meta.Kind != "CustomResourceDefinition" || d.Meta.APIVersion != "apiextensions.k8s.io/v1" {
			continue
		}
		var c crd
		if json.Unmarshal(d.JSON, &c) != nil {
			continue
		}
		for _, v := range c.Spec.Versions {
			gvk := schema.GroupVersionKind{Group: c.Spec.Group, Version: v.Name, Kind: c.Spec.Names.Kind}
			k.custom[gvk] = kindInfo{resource: c.Spec.Names.Plural, namespaced: c.Spec.Scope != "Cluster"}
		}
	}
	return k
}

// lookup returns what is known of gvk; false for a kind no Kubernetes API serves.
func (k *kinds) lookup(gvk schema.GroupVersionKind) (kindInfo, bool) {
	if info, ok := k.custom[gvk]; ok {
		return info, true
	}
	if info, ok := extraKinds[gvk]; ok {
		return info, true
	}
	if !scheme.Scheme.Recognizes(gvk) || slices.Contains(removedGroupVersions, gvk.GroupVersion()) || (manifests.ObjectMeta{Kind: gvk.Kind}).IsList() {
		return guess(gvk), false
	}
	return guess(gvk), true
}

// guess names a built-in kind's resource and scope without discovery.
func guess(gvk schema.GroupVersionKind) kindInfo {
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	return kindInfo{resource: plural.Resource, namespaced: !clusterScoped[gvk.GroupKind()]}
}

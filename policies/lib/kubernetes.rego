# METADATA
# title: Objects Kubernetes itself owns
# description: |
#   Objects the kube-apiserver creates and reconciles on its own, which no team owns and no
#   policy about teams' objects should judge. Their names are reserved: the apiserver rewrites
#   them, so a user cannot make another object pass as one of them.
package lib.kubernetes

# apiserver_service is the Service default/kubernetes that fronts the apiserver.
apiserver_service if {
	input.request.kind.kind == "Service"
	input.request.namespace == "default"
	input.request.name == "kubernetes"
	input.request.object.metadata.labels.provider == "kubernetes"
	input.request.object.metadata.labels.component == "apiserver"
}

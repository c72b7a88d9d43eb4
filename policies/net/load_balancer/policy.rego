# METADATA
# title: LoadBalancer Services declare their exposure
# description: |
#   A Service of type LoadBalancer states whether its AWS load balancer is internal or
#   internet-facing (annotation service.beta.kubernetes.io/aws-load-balancer-scheme), so that
#   nothing becomes reachable from the internet by default. An internet-facing one lists the
#   networks allowed to reach it (spec.loadBalancerSourceRanges, or the
#   service.beta.kubernetes.io/load-balancer-source-ranges annotation), none of them the whole
#   internet (a /0 range) unless the config's lbSourceRangesApprovalAnnotation names the
#   approval of an open exposure, and it terminates TLS with a certificate
#   (service.beta.kubernetes.io/aws-load-balancer-ssl-cert).
# custom:
#   id: NET-001
#   severity: high
#   controls: [CC6.6, CC6.7]
#   groups: [network]
#   action: deny
#   kinds: [Service]
#   references:
#     - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
#     - EKS Best Practices Guide, network security
package net.load_balancer

import data.lib.objects
import data.lib.params

_scheme_key := "service.beta.kubernetes.io/aws-load-balancer-scheme"

_ranges_key := "service.beta.kubernetes.io/load-balancer-source-ranges"

_cert_key := "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"

_schemes := {"internal", "internet-facing"}

deny contains {"msg": msg, "field": _field(_scheme_key)} if {
	_load_balancer
	_scheme == ""
	msg := sprintf("LoadBalancer Service %q must set annotation %q to internal or internet-facing", [objects.name, _scheme_key])
}

deny contains {"msg": msg, "field": _field(_scheme_key)} if {
	_load_balancer
	_scheme != ""
	not _scheme in _schemes
	msg := sprintf("LoadBalancer Service %q annotation %q must be internal or internet-facing, not %q", [objects.name, _scheme_key, _scheme])
}

deny contains {"msg": msg, "field": "spec.loadBalancerSourceRanges"} if {
	_internet_facing
	count(_ranges) == 0
	not _approved
	msg := sprintf("internet-facing Service %q must list the networks allowed to reach it in spec.loadBalancerSourceRanges, or carry annotation %q naming the approval of an open exposure", [objects.name, params.lb_source_ranges_approval_annotation])
}

deny contains {"msg": msg, "field": "spec.loadBalancerSourceRanges"} if {
	_internet_facing
	some range in _ranges
	_whole_internet(range)
	not _approved
	msg := sprintf("internet-facing Service %q must not allow %s (the whole internet) in its source ranges without annotation %q naming the approval", [objects.name, range, params.lb_source_ranges_approval_annotation])
}

deny contains {"msg": msg, "field": _field(_cert_key)} if {
	_internet_facing
	objects.text(objects.metadata, "annotations", _cert_key) == ""
	msg := sprintf("internet-facing Service %q must terminate TLS: set annotation %q to its certificate's ARN", [objects.name, _cert_key])
}

_load_balancer if {
	input.request.kind.kind == "Service"
	input.request.operation in {"CREATE", "UPDATE"}
	input.request.object.spec.type == "LoadBalancer"
}

_internet_facing if {
	_load_balancer
	_scheme == "internet-facing"
}

_scheme := objects.text(objects.metadata, "annotations", _scheme_key)

_approved if objects.text(objects.metadata, "annotations", params.lb_source_ranges_approval_annotation) != ""

# _ranges are the source ranges in force: the spec's, else the annotation's (comma separated).
_ranges := {trim_space(r) | some r in input.request.object.spec.loadBalancerSourceRanges} if {
	is_array(input.request.object.spec.loadBalancerSourceRanges)
	count(input.request.object.spec.loadBalancerSourceRanges) > 0
} else := {trim_space(r) | some r in split(objects.text(objects.metadata, "annotations", _ranges_key), ","); trim_space(r) != ""}

# _whole_internet holds for a range of prefix length 0 (0.0.0.0/0, ::/0 and their spellings).
_whole_internet(range) if regex.match(`/0+$`, range)

_field(key) := sprintf("metadata.annotations[%q]", [key])

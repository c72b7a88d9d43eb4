# METADATA
# title: LoadBalancer Services declare their exposure
# description: |
#   A Service of type LoadBalancer must not become reachable from the internet by default.
#   Which annotations decide that depends on the controller that serves it:
#     - the AWS Load Balancer Controller (and EKS Auto Mode) serves a Service with
#       spec.loadBalancerClass service.k8s.aws/nlb (or eks.amazonaws.com/nlb) or annotation
#       service.beta.kubernetes.io/aws-load-balancer-type external or nlb-ip. Its scheme
#       annotation service.beta.kubernetes.io/aws-load-balancer-scheme must be set, to internal
#       or internet-facing;
#     - the in-tree AWS cloud provider (cloud-provider-aws) serves every other Service without
#       a loadBalancerClass. It ignores the scheme annotation: its load balancer is internal
#       only when service.beta.kubernetes.io/aws-load-balancer-internal is set to a value other
#       than "false", and internet-facing otherwise. Claiming scheme internal there is refused,
#       since it would not be;
#     - a Service of any other loadBalancerClass is served by neither, and is judged as
#       internet-facing (fail closed).
#   An internet-facing one lists the networks allowed to reach it (spec.loadBalancerSourceRanges,
#   or the service.beta.kubernetes.io/load-balancer-source-ranges annotation when the spec lists
#   none), every entry a valid CIDR, and together they must not cover the whole IPv4 or IPv6
#   internet (0.0.0.0/1 with 128.0.0.0/1 is 0.0.0.0/0: the union is judged, not each string)
#   unless the config's lbSourceRangesApprovalAnnotation names the approval of an open
#   exposure; and it terminates TLS with a certificate
#   (service.beta.kubernetes.io/aws-load-balancer-ssl-cert), which both controllers read.
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

_internal_key := "service.beta.kubernetes.io/aws-load-balancer-internal"

_type_key := "service.beta.kubernetes.io/aws-load-balancer-type"

_schemes := {"internal", "internet-facing"}

_lbc_classes := {"service.k8s.aws/nlb", "eks.amazonaws.com/nlb"}

_lbc_types := {"external", "nlb-ip"}

deny contains {"msg": msg, "field": _field(_scheme_key)} if {
	_controller == "lbc"
	_scheme == ""
	msg := sprintf("LoadBalancer Service %q must set annotation %q to internal or internet-facing", [objects.name, _scheme_key])
}

deny contains {"msg": msg, "field": _field(_scheme_key)} if {
	_controller == "lbc"
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

deny contains {"msg": msg, "field": _field(_scheme_key)} if {
	_controller == "in-tree"
	_scheme == "internal"
	not _in_tree_internal
	msg := sprintf(`LoadBalancer Service %q is served by the in-tree AWS cloud provider, which ignores annotation %q and makes it internet-facing: set annotation %q to "true", or have the AWS Load Balancer Controller serve it (spec.loadBalancerClass: service.k8s.aws/nlb)`, [objects.name, _scheme_key, _internal_key])
}

deny contains {"msg": msg, "field": "spec.loadBalancerSourceRanges"} if {
	_internet_facing
	some range in _ranges
	not net.cidr_is_valid(range)
	msg := sprintf("internet-facing Service %q source range %q must be a CIDR such as 203.0.113.0/24", [objects.name, range])
}

deny contains {"msg": msg, "field": "spec.loadBalancerSourceRanges"} if {
	_internet_facing
	some family in _whole_internet
	not _approved
	msg := sprintf("internet-facing Service %q must not allow %s in its source ranges without annotation %q naming the approval", [objects.name, _coverage(family), params.lb_source_ranges_approval_annotation])
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

# _controller names what serves the Service's load balancer: "lbc" (AWS Load Balancer
# Controller or EKS Auto Mode), "in-tree" (the AWS cloud provider) or "other".
_controller := "lbc" if {
	_load_balancer
	input.request.object.spec.loadBalancerClass in _lbc_classes
} else := "lbc" if {
	_load_balancer
	not input.request.object.spec.loadBalancerClass
	objects.text(objects.metadata, "annotations", _type_key) in _lbc_types
} else := "in-tree" if {
	_load_balancer
	not input.request.object.spec.loadBalancerClass
} else := "other" if _load_balancer

_internet_facing if {
	_controller == "lbc"
	_scheme == "internet-facing"
}

_internet_facing if {
	_controller == "in-tree"
	not _in_tree_internal
}

_internet_facing if _controller == "other"

# _in_tree_internal mirrors the in-tree provider: any value but "false" makes it internal.
_in_tree_internal if {
	value := objects.text(objects.metadata, "annotations", _internal_key)
	value != ""
	value != "false"
}

_scheme := objects.text(objects.metadata, "annotations", _scheme_key)

_approved if objects.text(objects.metadata, "annotations", params.lb_source_ranges_approval_annotation) != ""

# _ranges are the source ranges in force: the spec's, else the annotation's (comma separated).
_ranges := {trim_space(r) | some r in input.request.object.spec.loadBalancerSourceRanges} if {
	is_array(input.request.object.spec.loadBalancerSourceRanges)
	count(input.request.object.spec.loadBalancerSourceRanges) > 0
} else := {trim_space(r) | some r in split(objects.text(objects.metadata, "annotations", _ranges_key), ","); trim_space(r) != ""}

# _coverage says how the source ranges reach the whole internet of a family, for a message.
_coverage(family) := sprintf("%s (the whole %s internet)", [r, family]) if {
	some r in _ranges
	count(_ranges) == 1
} else := sprintf("the whole %s internet (%s), which %s cover together", [family, _everything[family], concat(", ", sort(_ranges))])

_everything := {"IPv4": "0.0.0.0/0", "IPv6": "::/0"}

# _whole_internet holds the address families whose whole space the valid source ranges cover
# together: net.cidr_merge merges adjacent and overlapping ranges (0.0.0.0/1 and 128.0.0.0/1
# make 0.0.0.0/0), one family at a time, since it mismerges IPv4 and IPv6 given together. An
# IPv4-mapped IPv6 range such as ::ffff:0:0/96 merges to 0.0.0.0/0 and counts as all of IPv4.
_whole_internet contains family if {
	some v6 in [false, true]
	merged := net.cidr_merge([r | some r in _ranges; net.cidr_is_valid(r); contains(r, ":") == v6])
	some family, everything in _everything
	everything in merged
}

_field(key) := sprintf("metadata.annotations[%q]", [key])

# METADATA
# title: Ingresses terminate TLS and stay in their namespace's ALB group
# description: |
#   An Ingress serves its hosts over TLS: every host is listed under spec.tls. An Ingress of
#   an AWS Load Balancer Controller class (the config's albIngressClasses) may instead name an
#   ACM certificate (alb.ingress.kubernetes.io/certificate-arn); either way its ALB listens on
#   HTTPS (alb.ingress.kubernetes.io/listen-ports, HTTPS by default when a certificate is
#   known) and, if it also listens on HTTP, redirects to HTTPS
#   (alb.ingress.kubernetes.io/ssl-redirect). An IngressGroup
#   (alb.ingress.kubernetes.io/group.name) merges Ingresses of many namespaces into one ALB, so
#   its name must be the namespace or start with "<namespace>.": another namespace cannot join
#   the group and take over its listeners and rules (namespace names hold no dots, so the
#   prefix is unambiguous).
# custom:
#   id: NET-002
#   severity: high
#   controls: [CC6.6, CC6.7]
#   groups: [network]
#   action: deny
#   kinds: [Ingress]
#   references:
#     - https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
package net.ingress_tls

import data.lib.objects
import data.lib.params

_prefix := "alb.ingress.kubernetes.io/"

deny contains {"msg": msg, "field": "spec.tls"} if {
	_judged
	not _alb
	some host in _hosts
	not _tls_covers(host)
	msg := sprintf("Ingress %q must list host %q under spec.tls so that it is served over HTTPS", [objects.name, host])
}

deny contains {"msg": msg, "field": "spec.tls"} if {
	_judged
	not _alb
	count(_hosts) == 0
	count(_tls_entries) == 0
	msg := sprintf("Ingress %q must terminate TLS: add spec.tls with its certificate's Secret", [objects.name])
}

deny contains {"msg": msg, "field": _field("certificate-arn")} if {
	_judged
	_alb
	not _alb_certificate
	msg := sprintf("ALB Ingress %q must name its certificate in annotation %q, or list every host under spec.tls", [objects.name, concat("", [_prefix, "certificate-arn"])])
}

deny contains {"msg": msg, "field": _field("listen-ports")} if {
	_judged
	_alb
	not "HTTPS" in _listeners
	msg := sprintf("ALB Ingress %q must listen on HTTPS: annotation %q needs an HTTPS entry such as [{\"HTTPS\": 443}]", [objects.name, concat("", [_prefix, "listen-ports"])])
}

deny contains {"msg": msg, "field": _field("ssl-redirect")} if {
	_judged
	_alb
	"HTTP" in _listeners
	_annotation("ssl-redirect") == ""
	msg := sprintf("ALB Ingress %q listens on HTTP and must redirect it to HTTPS with annotation %q (e.g. \"443\")", [objects.name, concat("", [_prefix, "ssl-redirect"])])
}

deny contains {"msg": msg, "field": _field("group.name")} if {
	_judged
	group := _annotation("group.name")
	group != ""
	namespace := _namespace
	group != namespace
	not startswith(group, concat("", [namespace, "."]))
	msg := sprintf("Ingress %q joins ALB group %q, which must be %q or start with \"%s.\" so that no other namespace shares its load balancer", [objects.name, group, namespace, namespace])
}

_judged if {
	input.request.kind.kind == "Ingress"
	input.request.operation in {"CREATE", "UPDATE"}
}

_spec := object.get(input.request.object, "spec", {})

_alb if _spec.ingressClassName in params.alb_ingress_classes

_alb if objects.text(objects.metadata, "annotations", "kubernetes.io/ingress.class") in params.alb_ingress_classes

_hosts contains rule.host if {
	some rule in object.get(_spec, "rules", [])
	is_string(rule.host)
	rule.host != ""
}

_tls_entries := object.get(_spec, "tls", [])

_tls_hosts contains host if {
	some entry in _tls_entries
	some host in entry.hosts
}

_tls_covers(host) if host in _tls_hosts

# A TLS wildcard covers exactly one more DNS label.
_tls_covers(host) if {
	some pattern in _tls_hosts
	startswith(pattern, "*.")
	glob.match(pattern, ["."], host)
}

_tls_covers_all if {
	count(_tls_entries) > 0
	every host in _hosts {
		_tls_covers(host)
	}
}

_alb_certificate if _annotation("certificate-arn") != ""

_alb_certificate if {
	count(_hosts) > 0
	_tls_covers_all
}

# _listeners are the listener protocols of the ALB: from listen-ports, else the controller's
# default (HTTPS when a certificate is known, HTTP otherwise).
_listeners := {protocol |
	some entry in json.unmarshal(_listen_ports)
	is_object(entry)
	some protocol, _ in entry
} if {
	_listen_ports != ""
	json.is_valid(_listen_ports)
} else := set() if {
	_listen_ports != ""
} else := {"HTTPS"} if {
	_alb_certificate
} else := {"HTTP"}

_listen_ports := _annotation("listen-ports")

_annotation(name) := objects.text(objects.metadata, "annotations", concat("", [_prefix, name]))

_field(name) := sprintf("metadata.annotations[%q]", [concat("", [_prefix, name])])

_namespace := input.request.namespace if {
	input.request.namespace != ""
} else := objects.metadata.namespace if {
	objects.metadata.namespace != ""
}

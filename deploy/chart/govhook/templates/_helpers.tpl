{{/* The name of every namespaced object and of the webhook's cluster objects. */}}
{{- define "govhook.name" -}}govhook{{- end -}}

{{/* Labels on every object: the common labels, then Helm's. */}}
{{- define "govhook.labels" -}}
{{- with .Values.commonLabels }}{{ toYaml . }}{{ "\n" }}{{ end -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The pods' identity: the selector of the Deployment, Service, PDB and NetworkPolicy. */}}
{{- define "govhook.selectorLabels" -}}
app.kubernetes.io/name: govhook
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "govhook.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* The config file: the config value, plus the evidence archive when one is set. */}}
{{- define "govhook.config" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- /* MON-002 judges creates in govhook's own namespace: the release namespace. */ -}}
{{- if ne .Release.Namespace "govhook-system" -}}
{{- $params := $cfg.parameters | default dict -}}
{{- if not (hasKey $params "govhookNamespace") }}{{ $_ := set $params "govhookNamespace" .Release.Namespace }}{{ end -}}
{{- $_ := set $cfg "parameters" $params -}}
{{- end -}}
{{- with .Values.evidenceArchive.url -}}
{{- $archive := dict "url" . "retentionDays" $.Values.evidenceArchive.retentionDays "lockMode" $.Values.evidenceArchive.lockMode "maxLocalBytes" $.Values.evidenceArchive.maxLocalBytes -}}
{{- with $.Values.evidenceArchive.region }}{{ $_ := set $archive "region" . }}{{ end -}}
{{- $_ := set $cfg "evidence" (merge (dict "archive" $archive) ($cfg.evidence | default dict)) -}}
{{- end -}}
{{ toYaml $cfg }}
{{- end -}}

{{/*
The self-signed serving certificate as JSON {ca, crt, key} (PEM): the files `govhook certs`
made when given, else the installed Secret's (so an upgrade keeps the CA bundle), else a CA
made here on first install. Made once per render and shared by the Secret, the webhook
configuration and the Deployment's checksum.
*/}}
{{- define "govhook.selfSignedTLS" -}}
{{- if not (hasKey .Values.certificates "_tls") -}}
{{- $ss := .Values.certificates.selfSigned -}}
{{- $name := printf "%s-tls" (include "govhook.name" .) -}}
{{- $tls := dict -}}
{{- if or $ss.caCert $ss.tlsCert $ss.tlsKey -}}
{{- if not (and $ss.caCert $ss.tlsCert $ss.tlsKey) -}}
{{- fail "certificates.selfSigned: give caCert, tlsCert and tlsKey together (the ca.crt, tls.crt and tls.key that `govhook certs` wrote)" -}}
{{- end -}}
{{- $tls = dict "ca" $ss.caCert "crt" $ss.tlsCert "key" $ss.tlsKey -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- if and $existing $existing.data (index $existing.data "ca.crt") -}}
{{- $tls = dict "ca" (index $existing.data "ca.crt" | b64dec) "crt" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) -}}
{{- else -}}
{{- $svc := include "govhook.name" . -}}
{{- $hosts := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- $ca := genCA "govhook CA" (int $ss.validityDays) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc .Release.Namespace) nil $hosts (int $ss.validityDays) $ca -}}
{{- $tls = dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key -}}
{{- end -}}
{{- end -}}
{{- $_ := set .Values.certificates "_tls" $tls -}}
{{- end -}}
{{- toJson .Values.certificates._tls -}}
{{- end -}}

# METADATA
# title: Policy parameters and their defaults
# description: |
#   Parameters come from the config file's `parameters` (input.params); each has its default
#   here, the one place a default is written down.
package lib.params

# owner_label is the label key that names a workload's accountable team.
owner_label := object.get(input, ["params", "ownerLabel"], "owner")

# --- least privilege (access family: RBAC, ServiceAccounts, IRSA, aws-auth) ---

# cluster_admin_subjects may be bound to ClusterRole cluster-admin (RBAC-001), written
# `Group:name`, `User:name` or `ServiceAccount:namespace/name`; none by default.
cluster_admin_subjects := object.get(input, ["params", "clusterAdminSubjects"], [])

# break_glass_role_arns are the IAM role ARNs aws-auth may map to system:masters (RBAC-006).
break_glass_role_arns := object.get(input, ["params", "breakGlassRoleArns"], [])

# aws_account_ids are the AWS accounts IAM roles may come from (IAM-001, RBAC-006); empty
# allows none, so an unconfigured cluster refuses IAM identities instead of trusting any account.
aws_account_ids := object.get(input, ["params", "awsAccountIds"], [])

# denied_role_name_patterns are globs of IAM role names workloads must not assume (IAM-001),
# matched case-insensitively: node roles and administrator roles.
denied_role_name_patterns := object.get(input, ["params", "deniedRoleNamePatterns"], ["*NodeInstanceRole*", "*NodeRole*", "*Admin*", "OrganizationAccountAccessRole"])

# api_access_annotation is the annotation whose non-empty value justifies a mounted API token (SA-002).
api_access_annotation := object.get(input, ["params", "apiAccessAnnotation"], "govhook.io/api-access")

# --- ownership, namespaces, network exposure, change control (OWN, NS, NET, CHG, MON) ---

# environment_label is the namespace label that names its environment; tiering reads it too.
environment_label := object.get(input, ["params", "environmentLabel"], "environment")

# environments are the allowed values of the environment label.
environments := object.get(input, ["params", "environments"], ["prod", "staging", "dev", "sandbox"])

# data_classification_label is the namespace label that classifies the data it holds.
data_classification_label := object.get(input, ["params", "dataClassificationLabel"], "data-classification")

# data_classifications are the allowed values of the data classification label.
data_classifications := object.get(input, ["params", "dataClassifications"], ["public", "internal", "confidential", "restricted"])

# security_contact_annotation is the namespace annotation holding its security contact's email.
security_contact_annotation := object.get(input, ["params", "securityContactAnnotation"], "security-contact")

# shared_with_annotation lists, comma separated, the teams besides its owner that may own
# objects in a namespace.
shared_with_annotation := object.get(input, ["params", "sharedWithAnnotation"], "shared-with")

# minimum_pod_security_level is the lowest pod-security.kubernetes.io/enforce level a
# namespace may carry: privileged, baseline or restricted.
minimum_pod_security_level := object.get(input, ["params", "minimumPodSecurityLevel"], "baseline")

# kubernetes_version is the cluster's Kubernetes version, v<major>.<minor>: a namespace that
# pins pod-security.kubernetes.io/enforce-version below it enforces an older, weaker edition
# of the Pod Security Standards (NS-002). Raise it with each cluster upgrade.
kubernetes_version := object.get(input, ["params", "kubernetesVersion"], "v1.37")

# system_namespaces are the namespaces Kubernetes keeps for itself: only the control plane and
# platform identities write there, and they carry no owner labels.
system_namespaces := object.get(input, ["params", "systemNamespaces"], ["kube-system", "kube-public", "kube-node-lease"])

# platform_usernames and platform_groups are the identities (besides the control plane and
# system:masters) that may write in system namespaces and change protected namespaces, e.g.
# the GitOps controller's service account.
platform_usernames := object.get(input, ["params", "platformUsernames"], [])

platform_groups := object.get(input, ["params", "platformGroups"], [])

# controller_usernames are the identities whose requests carry trustworthy ownerReferences:
# an object they create or update with a controller ownerReference was made from its owner's
# template (SA-001, SA-002, IAM-001) or on its owner's behalf (OWN-002), and is judged through
# the owner. Anyone can write `ownerReferences[].controller: true` on an object of their own,
# so that field alone exempts nothing. The default is the kube-controller-manager: its own
# identity and the service accounts in kube-system under which it runs the controllers that
# make objects from templates (--use-service-account-credentials, the default on kubeadm and
# EKS) and the garbage collector. Add an operator's service account here to exempt what it
# makes (e.g. system:serviceaccount:argo-rollouts:argo-rollouts for its ReplicaSets).
controller_usernames := object.get(input, ["params", "controllerUsernames"], [
	"system:kube-controller-manager",
	"system:serviceaccount:kube-system:cronjob-controller",
	"system:serviceaccount:kube-system:daemon-set-controller",
	"system:serviceaccount:kube-system:deployment-controller",
	"system:serviceaccount:kube-system:ephemeral-volume-controller",
	"system:serviceaccount:kube-system:generic-garbage-collector",
	"system:serviceaccount:kube-system:job-controller",
	"system:serviceaccount:kube-system:replicaset-controller",
	"system:serviceaccount:kube-system:replication-controller",
	"system:serviceaccount:kube-system:statefulset-controller",
])

# protected_namespaces hold govhook and the monitoring that watches it.
protected_namespaces := object.get(input, ["params", "protectedNamespaces"], ["govhook-system", "monitoring"])

# govhook_namespace is the namespace govhook runs in: only platform identities create Pods,
# Services, EndpointSlices and RoleBindings there (MON-002).
govhook_namespace := object.get(input, ["params", "govhookNamespace"], "govhook-system")

# govhook_selector is the selector of govhook's Service: a Pod carrying these labels in
# govhook_namespace joins the Service's endpoints and receives admission requests (MON-002).
govhook_selector := object.get(input, ["params", "govhookSelector"], {"app.kubernetes.io/name": "govhook", "app.kubernetes.io/component": "webhook"})

# webhook_configuration is the name of govhook's ValidatingWebhookConfiguration, which only
# platform identities may update or delete (MON-001).
webhook_configuration := object.get(input, ["params", "webhookConfiguration"], "govhook")

# node_port_namespaces are the namespaces where Services of type NodePort are allowed.
node_port_namespaces := object.get(input, ["params", "nodePortNamespaces"], [])

# lb_source_ranges_approval_annotation, set on an internet-facing LoadBalancer Service to the
# reference of its approval (a ticket), allows it to be reached from anywhere.
lb_source_ranges_approval_annotation := object.get(input, ["params", "lbSourceRangesApprovalAnnotation"], "govhook.io/internet-exposure-approval")

# alb_ingress_classes are the ingress class names served by the AWS Load Balancer Controller.
alb_ingress_classes := object.get(input, ["params", "albIngressClasses"], ["alb"])

# --- container security (POD, IMG, SEC); aws_account_ids and environment_label above serve too ---

# allowed_registries are image reference prefixes (a registry host, or host/path) that IMG-001
# approves, matched on whole path segments after normalisation. The ECR private registries of
# aws_account_ids are approved as well, in every region.
allowed_registries := object.get(input, ["params", "allowedRegistries"], ["public.ecr.aws"])

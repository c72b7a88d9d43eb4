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

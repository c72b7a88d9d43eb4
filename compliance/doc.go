// Package compliance runs govhook's continuous in-cluster audit: on an interval, and only in
// the replica that holds the audit Lease, it judges every object the catalog covers through
// the scan package (the webhook's own review path), publishes the results as OpenReports
// (a Report per namespace, a ClusterReport for cluster-scoped objects) and sets the audit gauges.
package compliance

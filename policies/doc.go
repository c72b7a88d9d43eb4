// Package policies embeds govhook's Rego policy catalog, reads each policy's METADATA into a
// Catalog, and evaluates every selected policy against an input document with one prepared query.
//
// Layout: <family>/<policy>/policy.rego (package <family>.<policy>), where <family> is the
// policy id's prefix in lower case (POD-001 in pod/privileged), with policy_test.rego and
// testdata/{allow,deny}/*.yaml beside it; shared Rego helpers live in lib/. There is no
// hand-written registry: a policy exists because its directory does.
package policies

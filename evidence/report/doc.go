// Package report builds the auditor's report of a period from the evidence chains that
// package evidence writes and verifies: controls in force, populations to sample from, the
// exception register, gaps and the verification result, rendered as HTML, markdown, JSON or CSV.
package report

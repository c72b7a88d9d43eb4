package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/review"
)

// outputFlagHelp documents -o for test and audit.
var outputFlagHelp = "output format: " + strings.Join(output.Formats, ", ")

// newReport opens the report writer of test and audit; a bad format is a usage error.
func newReport(format string, w io.Writer, reviewer *review.Reviewer, findingsOnly bool) (output.Writer, error) {
	rw, err := output.New(format, w, output.Options{Policies: reviewer.Engine().Selected(), ToolVersion: version, FindingsOnly: findingsOnly, DocsBaseURL: reviewer.Config().DocsBaseURL})
	if err != nil {
		return nil, usageError(err)
	}
	return rw, nil
}

// joined splits an error made by errors.Join into its parts.
func joined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// problemOf turns an error about the input into a report problem.
func problemOf(err error) output.Problem {
	var ie *manifests.InputError
	if errors.As(err, &ie) {
		return output.Problem{Source: ie.Source, Index: ie.Index, Line: ie.Line, Message: ie.Err.Error()}
	}
	return output.Problem{Message: err.Error()}
}

// reportExit maps a report's summary to the exit status the README documents: 2 when anything
// could not be judged, 1 when anything was denied, 0 otherwise.
func reportExit(s output.Summary) error {
	switch {
	case s.Errors > 0:
		return &exitError{code: exitUsage, err: fmt.Errorf("%d of %d objects could not be judged", s.Errors, s.Total)}
	case s.Denied > 0:
		return &exitError{code: exitDenied}
	}
	return nil
}

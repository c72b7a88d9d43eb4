// Package testsupport holds the fakes and fixtures that tests in several packages share: a
// buffer safe to read while a process writes to it, a clock moved by hand, and a real
// kube-apiserver started through envtest. Only tests import it.
package testsupport

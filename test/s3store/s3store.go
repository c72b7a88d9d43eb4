// Package s3store runs a real S3-compatible store (the Versity S3 Gateway, built by
// hack/build-s3-store.sh) on loopback for the evidence archive's tests: a temporary root,
// bucket versioning, Object Lock, and a stop/restart for outage tests.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/govhook/govhook/internal/testsupport"
)

// BinEnv names the environment variable that points at the versitygw binary; without it the
// binary is looked up in the cache hack/build-s3-store.sh fills.
const BinEnv = "GOVHOOK_S3_STORE_BIN"

// Version is the pinned Versity S3 Gateway version (hack/versions.env).
const Version = "v1.8.0"

// Region is the store's region; credentials are fixed test values, never real ones.
const (
	Region    = "us-east-1"
	AccessKey = "govhooktest"
	SecretKey = "govhooktest-secret"
)

// Bin returns the versitygw binary: $GOVHOOK_S3_STORE_BIN, or the one in the build cache.
func Bin() (string, error) {
	if p := os.Getenv(BinEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", BinEnv, p, err)
		}
		return p, nil
	}
	root := os.Getenv("GOVHOOK_CACHE")
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		root = filepath.Join(cache, "govhook")
	}
	p := filepath.Join(root, "versitygw-"+Version, "versitygw")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("versitygw not built (run hack/build-s3-store.sh or set %s): %w", BinEnv, err)
	}
	return p, nil
}

// Store is one running gateway. Its data lives under a temporary directory of the test and
// survives Stop, so Start after Stop brings back the same buckets and objects.
type Store struct {
	// Endpoint is the store's URL (http://127.0.0.1:PORT).
	Endpoint string

	bin, addr, root, versions string
	log                       *testsupport.Buffer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Start builds nothing: it starts the cached gateway on a free loopback port with a fresh
// root directory and stops it when the test ends. A test is skipped when the binary has not
// been built, unless GOVHOOK_S3_STORE_BIN names it (then a missing binary fails the test).
func Start(t testing.TB) *Store {
	t.Helper()
	bin, err := Bin()
	if err != nil {
		if os.Getenv(BinEnv) != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	s := &Store{bin: bin, root: filepath.Join(dir, "root"), versions: filepath.Join(dir, "versions"), log: &testsupport.Buffer{}}
	for _, d := range []string{s.root, s.versions} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for attempt := 0; ; attempt++ {
		s.addr, err = freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		s.Endpoint = "http://" + s.addr
		if err = s.start(t.Context()); err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("start versitygw: %v\n%s", err, s.log)
		}
	}
	t.Cleanup(s.Stop)
	return s
}

// freeAddr picks a free loopback port (the gateway takes an address, not a listener).
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (s *Store) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, "--access", AccessKey, "--secret", SecretKey, "--region", Region,
		"--port", s.addr, "--quiet", "posix", "--versioning-dir", s.versions, s.root)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			return errors.New("versitygw exited at start")
		default:
		}
		c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("versitygw not listening on %s: %w", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the gateway (an outage as a client sees it); the data stays.
func (s *Store) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts a stopped gateway again on the same address with the same data.
func (s *Store) Restart(t testing.TB) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 20; attempt++ { // the port may linger a moment
		if err = s.start(t.Context()); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("restart versitygw: %v\n%s", err, s.log)
}

// Env is the environment a govhook process needs to reach the store through the AWS SDK's
// default chain.
func (s *Store) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=" + Region,
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SetEnv sets Env in the test's own environment (for code that builds its own client).
func (s *Store) SetEnv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Client is an S3 client of the store with the root credentials.
func (s *Store) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// CreateLockedBucket creates a bucket with Object Lock enabled (which turns on versioning).
func (s *Store) CreateLockedBucket(t testing.TB, name string) {
	t.Helper()
	_, err := s.Client().CreateBucket(t.Context(), &s3.CreateBucketInput{
		Bucket:                     aws.String(name),
		ObjectLockEnabledForBucket: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// SetDefaultRetention gives a locked bucket a default retention rule.
func (s *Store) SetDefaultRetention(t testing.TB, bucket string, mode s3types.ObjectLockRetentionMode, days int32) {
	t.Helper()
	_, err := s.Client().PutObjectLockConfiguration(t.Context(), &s3.PutObjectLockConfigurationInput{
		Bucket: aws.String(bucket),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{
			ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule:              &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: mode, Days: aws.Int32(days)}},
		},
	})
	if err != nil {
		t.Fatalf("set default retention of %s: %v", bucket, err)
	}
}

// Log is what the gateway printed so far.
func (s *Store) Log() string { return s.log.String() }

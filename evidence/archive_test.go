package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/test/s3store"
)

// newArchive starts a store with an Object Lock bucket and opens an archive on it.
func newArchive(t testing.TB, o evidence.ArchiveOptions) (*s3store.Store, *evidence.Archive) {
	t.Helper()
	store := s3store.Start(t)
	store.CreateLockedBucket(t, "evidence")
	store.SetEnv(t)
	if o.URL == "" {
		o.URL = "s3://evidence/govhook"
	}
	o.Endpoint = store.Endpoint
	a, err := evidence.OpenArchive(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return store, a
}

func put(ctx context.Context, a *evidence.Archive, name string, data []byte) (evidence.PutResult, error) {
	return a.Put(ctx, name, bytes.NewReader(data), int64(len(data)), sha256.Sum256(data))
}

// TestArchivePutIsWriteOnce: a Put is locked, verified by checksum, idempotent for the same
// content, and refused for other content; the store refuses to delete the locked version or
// to overwrite it conditionally, the settings govhook applies.
func TestArchivePutIsWriteOnce(t *testing.T) {
	store, a := newArchive(t, evidence.ArchiveOptions{})
	ctx := t.Context()
	data := []byte(`{"seq":1}` + "\n")
	first, err := put(ctx, a, "r1/00000000000000000001.jsonl", data)
	if err != nil {
		t.Fatal(err)
	}
	if first.Existed || first.VersionID == "" {
		t.Fatalf("first put = %+v, want a new version", first)
	}
	again, err := put(ctx, a, "r1/00000000000000000001.jsonl", data)
	if err != nil {
		t.Fatalf("put of the same content again: %v", err)
	}
	if !again.Existed {
		t.Errorf("second put of the same content = %+v, want Existed", again)
	}
	if _, err := put(ctx, a, "r1/00000000000000000001.jsonl", []byte("other\n")); !errors.Is(err, evidence.ErrArchiveConflict) {
		t.Errorf("put of other content under the same key: err = %v, want ErrArchiveConflict", err)
	}

	c := store.Client()
	key := aws.String("govhook/r1/00000000000000000001.jsonl")
	ret, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("evidence"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Retention.Mode != s3types.ObjectLockRetentionModeCompliance {
		t.Errorf("retention mode = %q, want COMPLIANCE", ret.Retention.Mode)
	}
	if until := time.Until(aws.ToTime(ret.Retention.RetainUntilDate)); until < 399*24*time.Hour || until > 401*24*time.Hour {
		t.Errorf("retained for %v more, want about 400 days", until)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("evidence"), Key: key, VersionId: aws.String(first.VersionID)})
	if code := apiCode(err); code != "AccessDenied" {
		t.Errorf("delete of the locked version: err = %v, want AccessDenied", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("evidence"), Key: key, Body: bytes.NewReader([]byte("x")), IfNoneMatch: aws.String("*")})
	if code := apiCode(err); code != "PreconditionFailed" {
		t.Errorf("conditional overwrite: err = %v, want PreconditionFailed", err)
	}
	body, err := a.Open(ctx, "r1/00000000000000000001.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("archived content = %q, want %q", got, data)
	}
}

// TestArchiveBucketDefaultRetention: retentionDays 0 sends no lock of its own and the bucket's
// default rule protects the object: the store refuses to delete its version.
func TestArchiveBucketDefaultRetention(t *testing.T) {
	zero := 0
	store, a := newArchive(t, evidence.ArchiveOptions{RetentionDays: &zero})
	store.SetDefaultRetention(t, "evidence", s3types.ObjectLockRetentionModeCompliance, 3)
	res, err := put(t.Context(), a, "r1/a.json", []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Client().DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("evidence"), Key: aws.String("govhook/r1/a.json"), VersionId: aws.String(res.VersionID)})
	if code := apiCode(err); code != "AccessDenied" {
		t.Errorf("delete of a version under the bucket's default retention: err = %v, want AccessDenied", err)
	}
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

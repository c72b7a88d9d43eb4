package deploy

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/govhook/govhook/config"
)

// awsPolicy is the part of an IAM or bucket policy document the tests read.
type awsPolicy struct {
	Version   string `json:"Version"`
	Statement []struct {
		Sid       string         `json:"Sid"`
		Effect    string         `json:"Effect"`
		Principal any            `json:"Principal"`
		Action    stringOrList   `json:"Action"`
		Resource  stringOrList   `json:"Resource"`
		Condition map[string]any `json:"Condition"`
	} `json:"Statement"`
}

// stringOrList reads an IAM field written as one string or a list.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

func readAWSDoc(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("aws", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("aws/%s: %v", name, err)
	}
}

// TestAWSBucketDocuments checks the archive bucket's settings an auditor expects: Object Lock
// with a default retention, versioning, SSE-KMS, a bucket policy that denies deletes, version
// deletes and non-TLS access, and a role that can write the configured prefix but not delete.
func TestAWSBucketDocuments(t *testing.T) {
	var lock struct {
		ObjectLockEnabled string
		Rule              struct {
			DefaultRetention struct {
				Mode string
				Days int
			}
		}
	}
	readAWSDoc(t, "object-lock.json", &lock)
	if lock.ObjectLockEnabled != "Enabled" || lock.Rule.DefaultRetention.Mode != "COMPLIANCE" || lock.Rule.DefaultRetention.Days < 365 {
		t.Errorf("object lock %+v, want Enabled with a COMPLIANCE default retention of at least a year", lock)
	}
	var versioning struct{ Status string }
	readAWSDoc(t, "versioning.json", &versioning)
	if versioning.Status != "Enabled" {
		t.Errorf("versioning %q, want Enabled", versioning.Status)
	}
	var enc struct {
		Rules []struct {
			ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
			BucketKeyEnabled                   bool
		}
	}
	readAWSDoc(t, "encryption.json", &enc)
	if len(enc.Rules) != 1 || enc.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "aws:kms" || enc.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID == "" {
		t.Errorf("encryption %+v, want SSE-KMS with a key", enc)
	}

	bucket := configuredBucket(t)
	var policy awsPolicy
	readAWSDoc(t, "bucket-policy.json", &policy)
	denied := map[string]bool{}
	tlsDenied := false
	for _, st := range policy.Statement {
		if st.Effect != "Deny" || st.Principal != "*" {
			continue
		}
		if !slices.Contains(st.Resource, "arn:aws:s3:::"+bucket+"/*") {
			t.Errorf("bucket policy statement %s does not cover the objects of %s", st.Sid, bucket)
		}
		if cond, ok := st.Condition["Bool"].(map[string]any); ok && cond["aws:SecureTransport"] == "false" && slices.Contains(st.Action, "s3:*") {
			tlsDenied = true
			continue
		}
		for _, a := range st.Action {
			denied[a] = true
		}
	}
	for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration"} {
		if !denied[a] {
			t.Errorf("bucket policy does not deny %s to everyone", a)
		}
	}
	if !tlsDenied {
		t.Error("bucket policy does not deny requests without TLS")
	}

	var role awsPolicy
	readAWSDoc(t, "iam-policy.json", &role)
	allowed := map[string]bool{}
	for _, st := range role.Statement {
		for _, a := range st.Action {
			if st.Effect == "Allow" {
				allowed[a] = true
			}
		}
	}
	for _, a := range []string{"s3:PutObject", "s3:PutObjectRetention", "s3:GetObject", "s3:ListBucket", "kms:GenerateDataKey"} {
		if !allowed[a] {
			t.Errorf("the pods' role lacks %s", a)
		}
	}
	for a := range allowed {
		if strings.Contains(a, "Delete") || a == "s3:*" || a == "s3:BypassGovernanceRetention" {
			t.Errorf("the pods' role may %s", a)
		}
	}
	var trust awsPolicy
	readAWSDoc(t, "trust-policy.json", &trust)
	if len(trust.Statement) != 1 || !strings.Contains(jsonString(t, trust.Statement[0].Condition), "system:serviceaccount:govhook-system:govhook") {
		t.Errorf("trust policy must let only ServiceAccount govhook-system/govhook assume the role: %+v", trust)
	}
}

// configuredBucket is the bucket of evidence.archive.url in the base ConfigMap.
func configuredBucket(t *testing.T) string {
	t.Helper()
	cm := find[corev1.ConfigMap](t, renderAll(t).variants["overlays/self-signed"], "ConfigMap", "govhook-config")
	cfg, err := config.Parse([]byte(cm.Data["config.yaml"]))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Evidence.Archive == nil {
		t.Fatal("the base config has no evidence.archive")
	}
	u, err := url.Parse(cfg.Evidence.Archive.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

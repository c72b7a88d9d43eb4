package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Object Lock modes of ArchiveOptions.LockMode.
const (
	LockCompliance = "COMPLIANCE"
	LockGovernance = "GOVERNANCE"
)

// DefaultRetentionDays is how long an archived object is locked when the config does not say.
const DefaultRetentionDays = 400

// ErrArchiveConflict marks a key the archive already holds with other content: the archive
// never overwrites, so the local copy stays for an operator to inspect.
var ErrArchiveConflict = errors.New("archive holds a different object under that key")

// ErrNotArchived marks a key the archive does not hold.
var ErrNotArchived = errors.New("object not in the archive")

// ArchiveOptions configures an Archive.
type ArchiveOptions struct {
	// URL is s3://BUCKET/PREFIX; objects go under PREFIX/.
	URL string
	// Endpoint is the URL of an S3-compatible store (path-style requests); empty means AWS,
	// or $AWS_ENDPOINT_URL.
	Endpoint string
	// Region of the bucket; empty means the SDK's default chain ($AWS_REGION, profile).
	Region string
	// LockMode is COMPLIANCE (default) or GOVERNANCE.
	LockMode string
	// RetentionDays locks each object for this many days from its upload; nil means
	// DefaultRetentionDays, 0 leaves retention to the bucket's default rule.
	RetentionDays *int
	// Now is the clock of retain-until dates; nil means time.Now.
	Now func() time.Time
}

// Archive is an S3 bucket prefix holding evidence objects that can be written once and never
// overwritten or deleted: every Put sends a SHA-256 checksum the store verifies,
// If-None-Match: * and Object Lock retention. Credentials come from the AWS SDK's default
// chain (IRSA, EKS Pod Identity, environment).
type Archive struct {
	client         *s3.Client
	bucket, prefix string
	mode           s3types.ObjectLockMode
	retention      time.Duration
	now            func() time.Time
}

// ParseArchiveURL splits s3://BUCKET/PREFIX; the prefix has no leading or trailing slash.
func ParseArchiveURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("archive url %q: %w", raw, err)
	}
	if u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("archive url %q must be s3://BUCKET/PREFIX", raw)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// IsArchiveURL reports whether a path given to Verify or BuildReport names an archive.
func IsArchiveURL(p string) bool { return strings.HasPrefix(p, "s3://") }

// OpenArchive creates the client of an archive; it does not contact the store.
func OpenArchive(ctx context.Context, o ArchiveOptions) (*Archive, error) {
	bucket, prefix, err := ParseArchiveURL(o.URL)
	if err != nil {
		return nil, err
	}
	a := &Archive{bucket: bucket, prefix: prefix, now: o.Now, retention: DefaultRetentionDays * 24 * time.Hour}
	if a.now == nil {
		a.now = time.Now
	}
	switch o.LockMode {
	case "", LockCompliance:
		a.mode = s3types.ObjectLockModeCompliance
	case LockGovernance:
		a.mode = s3types.ObjectLockModeGovernance
	default:
		return nil, fmt.Errorf("archive lock mode %q must be %s or %s", o.LockMode, LockCompliance, LockGovernance)
	}
	if o.RetentionDays != nil {
		if *o.RetentionDays < 0 {
			return nil, fmt.Errorf("archive retention days %d must not be negative", *o.RetentionDays)
		}
		a.retention = time.Duration(*o.RetentionDays) * 24 * time.Hour
	}
	var loads []func(*awsconfig.LoadOptions) error
	if o.Region != "" {
		loads = append(loads, awsconfig.WithRegion(o.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	endpoint := o.Endpoint
	if endpoint == "" && cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint
	}
	a.client = s3.NewFromConfig(cfg, func(so *s3.Options) {
		if endpoint != "" {
			so.BaseEndpoint = aws.String(endpoint)
			so.UsePathStyle = true // S3-compatible stores rarely serve virtual-hosted buckets
		}
		// The checksum govhook computes is the one sent and verified; the SDK adds no other.
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return a, nil
}

// URL is the archive's s3:// URL.
func (a *Archive) URL() string {
	if a.prefix == "" {
		return "s3://" + a.bucket
	}
	return "s3://" + a.bucket + "/" + a.prefix
}

// Key is the object key of name (a path below the prefix, such as replica/segment.jsonl).
func (a *Archive) Key(name string) string {
	if a.prefix == "" {
		return name
	}
	return a.prefix + "/" + name
}

// Checksum is the SHA-256 of an object's content.
type Checksum [sha256.Size]byte

// String is the checksum in the base64 form S3 uses.
func (c Checksum) String() string { return base64.StdEncoding.EncodeToString(c[:]) }

// PutResult says how a Put ended.
type PutResult struct {
	// Existed is true when the archive already held the object with the same checksum (a
	// retry after a crash or a lost answer): nothing was written.
	Existed bool
	// VersionID is the store's version of the object.
	VersionID string
}

// Put writes name once: with the checksum sum the store verifies, If-None-Match: * so no
// existing object is replaced, and Object Lock retention. When name exists already, Put
// compares the stored checksum: the same content is success (Existed), other content is
// ErrArchiveConflict. body is read from its start and may be read twice (the SDK signs it).
func (a *Archive) Put(ctx context.Context, name string, body io.ReadSeeker, size int64, sum Checksum) (PutResult, error) {
	key := a.Key(name)
	in := &s3.PutObjectInput{
		Bucket:         aws.String(a.bucket),
		Key:            aws.String(key),
		Body:           body,
		ContentLength:  aws.Int64(size),
		ChecksumSHA256: aws.String(sum.String()),
		IfNoneMatch:    aws.String("*"),
	}
	if a.retention > 0 {
		in.ObjectLockMode = a.mode
		in.ObjectLockRetainUntilDate = aws.Time(a.now().Add(a.retention).UTC().Truncate(time.Second))
	}
	out, err := a.client.PutObject(ctx, in)
	if err != nil {
		if !preconditionFailed(err) {
			return PutResult{}, fmt.Errorf("put %s: %w", a.objectURL(key), err)
		}
		v, err := a.Confirm(ctx, name, sum)
		if err != nil {
			return PutResult{}, err
		}
		return PutResult{Existed: true, VersionID: v}, nil
	}
	if got := aws.ToString(out.ChecksumSHA256); got != "" && got != sum.String() {
		return PutResult{}, fmt.Errorf("put %s: the store computed checksum %s, not %s", a.objectURL(key), got, sum)
	}
	return PutResult{VersionID: aws.ToString(out.VersionId)}, nil
}

// Confirm asks the store for the checksum of name and returns its version when it is sum;
// ErrNotArchived when the store does not hold it, ErrArchiveConflict when it holds other
// content (or content without a SHA-256 checksum).
func (a *Archive) Confirm(ctx context.Context, name string, sum Checksum) (string, error) {
	key := a.Key(name)
	out, err := a.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:       aws.String(a.bucket),
		Key:          aws.String(key),
		ChecksumMode: s3types.ChecksumModeEnabled,
	})
	if err != nil {
		if notFound(err) {
			return "", fmt.Errorf("%s: %w", a.objectURL(key), ErrNotArchived)
		}
		return "", fmt.Errorf("head %s: %w", a.objectURL(key), err)
	}
	if got := aws.ToString(out.ChecksumSHA256); got != sum.String() {
		return "", fmt.Errorf("%s has checksum %q, the local copy %s: %w", a.objectURL(key), got, sum, ErrArchiveConflict)
	}
	return aws.ToString(out.VersionId), nil
}

// ArchivedObject is one object listed by List.
type ArchivedObject struct {
	// Name is the key below the prefix.
	Name string
	Size int64
}

// List calls fn with every object below the prefix joined with under, in key order, one page
// at a time.
func (a *Archive) List(ctx context.Context, under string, fn func(ArchivedObject) error) error {
	p := a.Key(under)
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	base := a.prefix
	if base != "" {
		base += "/"
	}
	pages := s3.NewListObjectsV2Paginator(a.client, &s3.ListObjectsV2Input{Bucket: aws.String(a.bucket), Prefix: aws.String(p)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", a.objectURL(p), err)
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), base)
			if err := fn(ArchivedObject{Name: name, Size: aws.ToInt64(o.Size)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open streams the content of name.
func (a *Archive) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	key := a.Key(name)
	out, err := a.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.bucket), Key: aws.String(key)})
	if err != nil {
		if notFound(err) {
			return nil, fmt.Errorf("%s: %w", a.objectURL(key), ErrNotArchived)
		}
		return nil, fmt.Errorf("get %s: %w", a.objectURL(key), err)
	}
	return out.Body, nil
}

// ObjectURL is the s3:// URL of name, as verify and report name archived segments.
func (a *Archive) ObjectURL(name string) string { return a.objectURL(a.Key(name)) }

func (a *Archive) objectURL(key string) string { return "s3://" + path.Join(a.bucket, key) }

func preconditionFailed(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict")
}

func notFound(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "NotFound", "NoSuchKey":
		return true
	}
	return false
}

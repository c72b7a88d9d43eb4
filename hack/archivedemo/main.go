// Command archivedemo is the S3 side of `make demo`: it picks a free loopback port for the
// store, creates the Object Lock bucket, lists what govhook archived and tries to delete an
// archived version, which the store must refuse. Credentials and endpoint come from the AWS
// SDK's environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), as for govhook.
//
//	archivedemo free-port
//	archivedemo create-bucket BUCKET
//	archivedemo list s3://BUCKET/PREFIX
//	archivedemo delete s3://BUCKET/KEY      (exit 0 when the store refuses)
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "archivedemo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 1 && args[0] == "free-port" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer l.Close()
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		return nil
	}
	if len(args) != 2 {
		return errors.New("usage: archivedemo free-port | create-bucket BUCKET | list s3://BUCKET/PREFIX | delete s3://BUCKET/KEY")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket, key, _ := strings.Cut(strings.TrimPrefix(args[1], "s3://"), "/")
	switch args[0] {
	case "create-bucket":
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true)})
		return err
	case "list":
		out, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
		if err != nil {
			return err
		}
		for _, v := range out.Versions {
			ret, err := client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
			lock := "no retention"
			if err == nil && ret.Retention != nil {
				lock = fmt.Sprintf("%s until %s", ret.Retention.Mode, aws.ToTime(ret.Retention.RetainUntilDate).Format("2006-01-02"))
			}
			fmt.Printf("s3://%s/%s  %6d bytes  version %s  %s\n", bucket, aws.ToString(v.Key), aws.ToInt64(v.Size), aws.ToString(v.VersionId), lock)
		}
		return nil
	case "delete":
		out, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
		if err != nil {
			return err
		}
		if len(out.Versions) == 0 {
			return fmt.Errorf("no object %s", args[1])
		}
		v := out.Versions[0]
		_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
		var api smithy.APIError
		if errors.As(err, &api) {
			fmt.Printf("DeleteObject s3://%s/%s version %s: refused by the store: %s: %s\n", bucket, aws.ToString(v.Key), aws.ToString(v.VersionId), api.ErrorCode(), api.ErrorMessage())
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("the store deleted s3://%s/%s version %s: the object was not locked", bucket, aws.ToString(v.Key), aws.ToString(v.VersionId))
	}
	return fmt.Errorf("unknown command %q", args[0])
}

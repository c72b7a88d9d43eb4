package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrNotAnAnchor marks an anchor object that does not hold the anchor its name promises.
var ErrNotAnAnchor = errors.New("anchor object does not hold the anchor its name promises")

// anchorsDir is the folder of a replica's anchors in the archive: <replica>/anchors/.
const anchorsDir = "anchors"

// anchorExt ends the name of an anchor object.
const anchorExt = ".json"

// AnchorObjectName is the archive object of a replica's anchor at seq,
// <replica>/anchors/<seq, 20 digits>.json: zero-padded like segment names, so that the
// objects list in seq order.
func AnchorObjectName(replica string, seq uint64) string {
	return fmt.Sprintf("%s/%s/%020d%s", replica, anchorsDir, seq, anchorExt)
}

// anchorObjectSeq parses the seq of an anchor object's file name.
func anchorObjectSeq(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, anchorExt)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

// PutAnchor writes a as the object AnchorObjectName(a.Replica, a.Seq), once and under the
// archive's Object Lock retention, like a segment. Writing the same anchor again is success.
func (a *Archive) PutAnchor(ctx context.Context, an Anchor) error {
	data, err := json.Marshal(an)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	_, err = a.Put(ctx, AnchorObjectName(an.Replica, an.Seq), bytes.NewReader(data), int64(len(data)), sha256.Sum256(data))
	return err
}

// ReadAnchor reads the anchor object name (<replica>/anchors/<seq>.json) and checks that it
// holds the anchor its name promises.
func (a *Archive) ReadAnchor(ctx context.Context, name string) (*Anchor, error) {
	replica, file, _ := strings.Cut(name, "/"+anchorsDir+"/")
	seq, ok := anchorObjectSeq(file)
	if !ok {
		return nil, fmt.Errorf("%s is not named <replica>/%s/<seq, 20 digits>%s", a.ObjectURL(name), anchorsDir, anchorExt)
	}
	r, err := a.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", a.ObjectURL(name), err)
	}
	var an Anchor
	if err := json.Unmarshal(data, &an); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", a.ObjectURL(name), ErrNotAnAnchor, err)
	}
	if an.Schema != AnchorSchema || an.Replica != replica || an.Seq != seq {
		return nil, fmt.Errorf("%s: %w: it holds replica %q seq %d (schema %q)",
			a.ObjectURL(name), ErrNotAnAnchor, an.Replica, an.Seq, an.Schema)
	}
	return &an, nil
}

// Latest is the newest anchor of replica in the archive, nil when it has none: the
// AnchorSource of a writer whose checkpoints the archive anchors. It finds the highest seq
// under <replica>/anchors/ by probing the key space (about 2·log2(seq) one-key listings),
// so a replica's startup does not list a year of anchors.
func (a *Archive) Latest(ctx context.Context, replica string) (*Anchor, error) {
	dir := replica + "/" + anchorsDir + "/"
	// after is the lowest anchor seq above seq, ok false when there is none.
	after := func(seq uint64) (uint64, bool, error) {
		out, err := a.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(a.bucket), Prefix: aws.String(a.Key(dir)),
			StartAfter: aws.String(a.Key(AnchorObjectName(replica, seq))), MaxKeys: aws.Int32(1),
		})
		if err != nil {
			return 0, false, fmt.Errorf("list %s: %w", a.ObjectURL(dir), err)
		}
		if len(out.Contents) == 0 {
			return 0, false, nil
		}
		key := aws.ToString(out.Contents[0].Key)
		found, ok := anchorObjectSeq(key[strings.LastIndexByte(key, '/')+1:])
		if !ok {
			return 0, false, fmt.Errorf("%s is not named <seq, 20 digits>%s", "s3://"+a.bucket+"/"+key, anchorExt)
		}
		return found, true, nil
	}
	lo, ok, err := after(0)
	if err != nil || !ok {
		return nil, err
	}
	// Gallop up from an anchor that exists (lo) until nothing lies above a bound (hi), then
	// halve the range between them.
	var hi uint64
	for step := uint64(1); ; step *= 2 {
		probe := lo + min(step, math.MaxUint64-lo)
		if probe == lo {
			hi = lo
			break
		}
		next, ok, err := after(probe - 1)
		if err != nil {
			return nil, err
		}
		if !ok {
			hi = probe - 1
			break
		}
		lo = next
	}
	for lo < hi {
		mid := lo + (hi-lo)/2 + 1
		next, ok, err := after(mid - 1)
		if err != nil {
			return nil, err
		}
		if ok {
			lo = next
		} else {
			hi = mid - 1
		}
	}
	return a.ReadAnchor(ctx, AnchorObjectName(replica, lo))
}

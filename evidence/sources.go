package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// segmentSource is one segment of a chain, local or archived.
type segmentSource struct {
	// file names the segment in breaks: a path, or an s3:// URL.
	file string
	// name is the segment's file name.
	name string
	open func(ctx context.Context) (io.ReadCloser, error)
}

// chainSource is one replica's chain: its segments in chain order and where its quarantine
// files are.
type chainSource struct {
	dir      string // Chain.Dir: a directory, or the archive's URL of the replica
	segments []segmentSource
	// quarantines maps each quarantine file of the chain to its reader and display name.
	quarantines map[string]quarantineSource
}

type quarantineSource struct {
	file string
	read func(ctx context.Context) ([]byte, error)
}

// archiveAnchors are the seqs of the anchor objects of each replica in an archive.
type archiveAnchors struct {
	archive *Archive
	seqs    map[string][]uint64
}

// collectSources finds the chains under paths: local segment files and directories, and
// archives (s3:// URLs, resolved through archives). An archived replica and a local
// directory of the same name are one chain (the archive's head and the local tail); a segment
// in both is read from the archive. It also names the newest anchor objects of each archive.
func collectSources(ctx context.Context, paths []string, archives map[string]*Archive) ([]*chainSource, []archiveAnchors, error) {
	var local []string
	var remote []*Archive
	for _, p := range paths {
		if !IsArchiveURL(p) {
			local = append(local, p)
			continue
		}
		a := archives[p]
		if a == nil {
			return nil, nil, fmt.Errorf("%s: no archive client for this URL", p)
		}
		remote = append(remote, a)
	}
	byReplica := map[string]*chainSource{}
	var chains []*chainSource
	var listings []archiveAnchors
	for _, a := range remote {
		listing, err := listArchive(ctx, a)
		if err != nil {
			return nil, nil, err
		}
		listings = append(listings, archiveAnchors{archive: a, seqs: listing.anchors})
		for _, replica := range slices.Sorted(maps.Keys(listing.chains)) {
			c := listing.chains[replica]
			if byReplica[replica] == nil {
				byReplica[replica] = c
			}
			chains = append(chains, c)
		}
	}
	if len(local) > 0 {
		dirs, err := collectChains(local)
		if err != nil && (len(chains) == 0 || !errors.Is(err, ErrNoEvidence)) {
			return nil, nil, err
		}
		for _, files := range dirs {
			dir := filepath.Dir(files[0])
			c := byReplica[filepath.Base(dir)]
			if c == nil {
				c = &chainSource{dir: dir, quarantines: map[string]quarantineSource{}}
				chains = append(chains, c)
			}
			if err := c.addLocal(dir, files); err != nil {
				return nil, nil, err
			}
		}
	}
	anchored := slices.ContainsFunc(listings, func(l archiveAnchors) bool { return len(l.seqs) > 0 })
	if len(chains) == 0 && !anchored { // anchors with no chain: evidence missing, a break
		return nil, nil, fmt.Errorf("%w under %s", ErrNoEvidence, strings.Join(paths, ", "))
	}
	return chains, listings, nil
}

// addLocal adds a local directory's segments and quarantine files to a chain.
func (c *chainSource) addLocal(dir string, files []string) error {
	have := map[string]bool{}
	for _, s := range c.segments {
		have[s.name] = true
	}
	for _, f := range files {
		name := filepath.Base(f)
		if have[name] {
			continue // archived, its local copy not removed yet
		}
		c.segments = append(c.segments, segmentSource{file: f, name: name, open: func(context.Context) (io.ReadCloser, error) { return os.Open(f) }})
	}
	slices.SortStableFunc(c.segments, func(a, b segmentSource) int { return strings.Compare(a.name, b.name) })
	paths, err := filepath.Glob(filepath.Join(dir, "*"+quarantineInfix+"*"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		if _, ok := c.quarantines[filepath.Base(p)]; !ok {
			c.quarantines[filepath.Base(p)] = quarantineSource{file: p, read: func(context.Context) ([]byte, error) { return os.ReadFile(p) }}
		}
	}
	return nil
}

// archiveListing is what an archive holds: one chain per replica, from the objects
// <replica>/<segment>.jsonl and their quarantine files, and the seqs of each replica's anchor
// objects (<replica>/anchors/<seq>.json), ascending.
type archiveListing struct {
	chains  map[string]*chainSource
	anchors map[string][]uint64
}

// listArchive lists an archive whole.
func listArchive(ctx context.Context, a *Archive) (*archiveListing, error) {
	l := &archiveListing{chains: map[string]*chainSource{}, anchors: map[string][]uint64{}}
	err := a.List(ctx, "", func(o ArchivedObject) error {
		replica, name, ok := strings.Cut(o.Name, "/")
		if !ok || replica == "" {
			return nil
		}
		if file, ok := strings.CutPrefix(name, anchorsDir+"/"); ok {
			// Zero-padded seqs: the listing's key order is seq order.
			if seq, ok := anchorObjectSeq(file); ok {
				l.anchors[replica] = append(l.anchors[replica], seq)
			}
			return nil
		}
		if strings.Contains(name, "/") {
			return nil
		}
		_, isSegment := segmentSeq(name)
		isQuarantine := strings.Contains(name, segmentExt[:len(segmentExt)-1]) && strings.Contains(name, quarantineInfix)
		if !isSegment && !isQuarantine {
			return nil
		}
		c := l.chains[replica]
		if c == nil {
			c = &chainSource{dir: a.ObjectURL(replica), quarantines: map[string]quarantineSource{}}
			l.chains[replica] = c
		}
		objectName, file := o.Name, a.ObjectURL(o.Name)
		if isSegment {
			c.segments = append(c.segments, segmentSource{file: file, name: name, open: func(ctx context.Context) (io.ReadCloser, error) { return a.Open(ctx, objectName) }})
			return nil
		}
		c.quarantines[name] = quarantineSource{file: file, read: func(ctx context.Context) ([]byte, error) {
			r, err := a.Open(ctx, objectName)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return io.ReadAll(io.LimitReader(r, 64<<20))
		}}
		return nil
	})
	return l, err
}

package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/internal/testsupport"
)

// writeFixture writes two replicas' chains under dir:
//
//	r1/00000000000000000001.jsonl  start(1) a b c checkpoint(5)
//	r1/00000000000000000006.jsonl  d e checkpoint(8)
//	r1/00000000000000000009.jsonl  f checkpoint(10)      (closed)
//	r2/00000000000000000001.jsonl  start(1) x y start(4) recovery(5) z    (a torn tail was quarantined)
func writeFixture(t *testing.T, dir string) {
	t.Helper()
	clock := testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *Options) { o.MaxSegmentAge = time.Hour })
	for _, name := range []string{"a", "b", "c", "-", "d", "e", "-", "f"} {
		if name == "-" {
			if err := w.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			clock.Add(time.Hour)
			continue
		}
		r := admission(clock, name)
		if name == "b" {
			r.Decision = decision.OutcomeDeny
		}
		record(t, w, r)
		clock.Add(time.Minute)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	clock = testsupport.NewClock()
	w2 := openWriter(t, dir, clock, func(o *Options) { o.Replica = "r2" })
	record(t, w2, admission(clock, "x"))
	record(t, w2, admission(clock, "y"))
	appendFile(t, filepath.Join(dir, "r2", segmentName(1)), `{"schema":"gov`)
	w2.abandon()
	w2 = openWriter(t, dir, clock, func(o *Options) { o.Replica = "r2" })
	record(t, w2, admission(clock, "z"))
}

// fixture is a fresh copy of the fixture chains, to tamper with.
type fixture struct {
	t    *testing.T
	root string
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, root: t.TempDir()}
}

func (f *fixture) path(name string) string { return filepath.Join(f.root, name) }

func (f *fixture) lines(name string) []string {
	data, err := os.ReadFile(f.path(name))
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
}

func (f *fixture) write(name string, lines []string) {
	data := strings.Join(lines, "")
	if !strings.HasSuffix(data, "\n") && len(lines) > 0 && strings.HasSuffix(lines[len(lines)-1], "}") {
		data += "\n"
	}
	if err := os.WriteFile(f.path(name), []byte(data), 0o640); err != nil {
		f.t.Fatal(err)
	}
}

// edit applies fn to line n (1-based) of a segment.
func (f *fixture) edit(name string, n int, fn func(string) string) {
	lines := f.lines(name)
	lines[n-1] = fn(lines[n-1])
	f.write(name, lines)
}

// rehash recomputes a line's hash, as a forger who knows the rule would.
func rehash(line string) string {
	body := strings.TrimSuffix(line, "\n")
	body = body[:len(body)-hashTailLen]
	return body + `,"hash":"` + bodyHash([]byte(body)) + "\"}\n"
}

const (
	seg1  = "r1/00000000000000000001.jsonl"
	seg6  = "r1/00000000000000000006.jsonl"
	seg9  = "r1/00000000000000000009.jsonl"
	r2seg = "r2/00000000000000000001.jsonl"
)

func TestVerifyIntactFixture(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	v := mustVerify(t, root)
	var got []string
	for _, c := range v.Chains {
		got = append(got, strings.Join([]string{
			strings.TrimPrefix(c.Dir, root+"/"), c.Replica,
			"segments", strconv.Itoa(c.Segments), "records", strconv.Itoa(c.Records), "admissions", strconv.Itoa(c.Admissions),
			"checkpoints", strconv.Itoa(c.Checkpoints), "recoveries", strconv.Itoa(c.Recoveries),
			"seq", strconv.Itoa(int(c.FirstSeq)) + "-" + strconv.Itoa(int(c.LastSeq)), "open", strconv.Itoa(int(c.SinceCheckpoint)),
		}, " "))
	}
	want := []string{
		"r1 r1 segments 3 records 10 admissions 6 checkpoints 3 recoveries 0 seq 1-10 open 0",
		"r2 r2 segments 1 records 6 admissions 3 checkpoints 0 recoveries 1 seq 1-6 open 6",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chains (-want +got):\n%s", diff)
	}
	// A single replica directory and single files verify too.
	mustVerify(t, filepath.Join(root, "r2"))
	mustVerify(t, filepath.Join(root, seg1), filepath.Join(root, seg6))
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(f *fixture)
		want   []string
	}{
		{
			name: "edit a field",
			tamper: func(f *fixture) {
				f.edit(seg1, 3, func(l string) string { return strings.Replace(l, `"decision":"deny"`, `"decision":"allow"`, 1) })
			},
			want: []string{seg1 + ":3: hash does not match the record's content (altered after it was written)"},
		},
		{
			name: "edit a field and recompute its hash",
			tamper: func(f *fixture) {
				f.edit(seg1, 3, func(l string) string {
					return rehash(strings.Replace(l, `"decision":"deny"`, `"decision":"allow"`, 1))
				})
			},
			want: []string{seg1 + ":4: prevHash is not the hash of the record before it"},
		},
		{
			name: "delete a line",
			tamper: func(f *fixture) {
				lines := f.lines(seg1)
				f.write(seg1, append(lines[:1:1], lines[2:]...))
			},
			want: []string{
				seg1 + ":2: seq 3 where 2 was expected: 1 record missing; prevHash is not the hash of the record before it",
				seg1 + ":4: checkpoint counts 4 records since the previous checkpoint, the chain has 3",
			},
		},
		{
			name: "reorder two lines",
			tamper: func(f *fixture) {
				lines := f.lines(seg6)
				lines[0], lines[1] = lines[1], lines[0]
				f.write(seg6, lines)
			},
			want: []string{
				seg6 + ":1: seq 7 where 6 was expected: 1 record missing; prevHash is not the hash of the record before it",
				seg6 + ":1: segment is named for seq 6 but starts with seq 7",
				seg6 + ":2: seq 6 where 8 was expected: out of order or repeated; prevHash is not the hash of the record before it",
				seg6 + ":3: seq 8 where 7 was expected: 1 record missing; prevHash is not the hash of the record before it",
			},
		},
		{
			name: "truncate inside a line",
			tamper: func(f *fixture) {
				data, _ := os.ReadFile(f.path(seg6))
				if err := os.WriteFile(f.path(seg6), data[:len(data)-40], 0o640); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				seg6 + ":3: torn last line: no trailing newline",
				seg9 + ":1: seq 9 where 8 was expected: 1 record missing; prevHash is not the hash of the record before it",
				seg9 + ":2: checkpoint counts 1 records since the previous checkpoint, the chain has 3",
			},
		},
		{
			name:   "remove a segment",
			tamper: func(f *fixture) { os.Remove(f.path(seg6)) },
			want: []string{
				// The checkpoint after the gap covers only f, which is still there.
				seg9 + ":1: seq 9 where 6 was expected: 3 records missing; prevHash is not the hash of the record before it",
			},
		},
		{
			name: "splice a record of another replica in",
			tamper: func(f *fixture) {
				lines := f.lines(seg1)
				f.write(seg1, append(lines[:2:2], append([]string{f.lines(r2seg)[1]}, lines[2:]...)...))
			},
			want: []string{
				seg1 + `:3: record of replica "r2" in the chain of replica "r1"; seq 2 where 3 was expected: out of order or repeated; prevHash is not the hash of the record before it`,
				seg1 + ":4: prevHash is not the hash of the record before it",
				seg1 + ":6: checkpoint counts 4 records since the previous checkpoint, the chain has 5",
			},
		},
		{
			name: "replace a line with garbage",
			tamper: func(f *fixture) {
				f.edit(seg1, 1, func(string) string { return "not json\n" })
			},
			want: []string{
				seg1 + ":1: not a record: invalid character 'o' in literal null (expecting 'u')",
				seg1 + ":2: prevHash is not the hash of the record before it",
				seg1 + ":5: checkpoint counts 4 records since the previous checkpoint, the chain has 3",
			},
		},
		{
			name: "forge a checkpoint's count",
			tamper: func(f *fixture) {
				f.edit(seg6, 3, func(l string) string { return rehash(strings.Replace(l, `"count":2`, `"count":5`, 1)) })
			},
			want: []string{
				seg6 + ":3: checkpoint counts 5 records since the previous checkpoint, the chain has 2",
				seg9 + ":1: prevHash is not the hash of the record before it",
			},
		},
		{
			name: "delete a quarantine file",
			tamper: func(f *fixture) {
				os.Remove(f.path("r2/00000000000000000001.torn-" + strconv.Itoa(len(strings.Join(f.lines(r2seg)[:3], "")))))
			},
			want: []string{
				r2seg + ":5: recovery names quarantine file 00000000000000000001.torn-" + "OFFSET" + ", which is missing",
			},
		},
		{
			name: "drop a quarantine file in",
			tamper: func(f *fixture) {
				if err := os.WriteFile(f.path("r1/00000000000000000008.torn-99"), []byte("x"), 0o640); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"r1/00000000000000000008.torn-99: quarantine file is not named by any recovery record"},
		},
		{
			name: "rename a segment",
			tamper: func(f *fixture) {
				if err := os.Rename(f.path(seg9), f.path("r1/00000000000000000010.jsonl")); err != nil {
					f.t.Fatal(err)
				}
			},
			want: []string{"r1/00000000000000000010.jsonl:1: segment is named for seq 10 but starts with seq 9"},
		},
	}
	src := t.TempDir()
	writeFixture(t, src)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if err := os.CopyFS(f.root, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			offset := strconv.Itoa(len(strings.Join(f.lines(r2seg)[:3], "")))
			tc.tamper(f)
			v, err := Verify(t.Context(), []string{f.root}, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range v.Breaks {
				got = append(got, strings.TrimPrefix(b.String(), f.root+"/"))
			}
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = strings.ReplaceAll(w, "OFFSET", offset)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("breaks (-want +got):\n%s", diff)
			}
			if v.Intact() {
				t.Error("tampered evidence verified as intact")
			}
		})
	}
}

func TestVerifyCannotSeeRecordsCutAfterTheLastCheckpoint(t *testing.T) {
	// The limit of any hash chain on its own: whole records cut off its end leave a shorter
	// valid chain. Without anchors (TestVerifyCatchesTampering has them) what is left shows it
	// only as an open tail.
	root := t.TempDir()
	writeFixture(t, root)
	lines := (&fixture{t: t, root: root}).lines(seg9)
	(&fixture{t: t, root: root}).write(seg9, lines[:1])
	v := mustVerify(t, root)
	if got := v.Chains[0].SinceCheckpoint; got != 1 {
		t.Errorf("open tail = %d records, want 1", got)
	}
}

func TestVerifyInputErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := Verify(t.Context(), []string{empty}, VerifyOptions{}); !errors.Is(err, ErrNoEvidence) {
		t.Errorf("empty directory: %v, want ErrNoEvidence", err)
	}
	if _, err := Verify(t.Context(), []string{filepath.Join(empty, "missing")}, VerifyOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: %v, want not exist", err)
	}
	other := filepath.Join(empty, "notes.txt")
	if err := os.WriteFile(other, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(t.Context(), []string{other}, VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "is not a segment file") {
		t.Errorf("non-segment file: %v", err)
	}
}

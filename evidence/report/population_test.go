package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
)

func TestPopulationMergesRunsInTimeOrder(t *testing.T) {
	// Rows out of order, with ties, spooled three at a time: more runs than are merged at
	// once. All yields them as a stable sort by time would.
	dir := t.TempDir()
	p := newPopulation(dir, 3)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var in []DecisionRow
	for i := range 400 {
		at := t0.Add(time.Duration((400-i)/2) * time.Second) // falling, two rows per second
		if i%7 == 0 {
			at = t0.Add(time.Duration(i) * time.Second) // and some rising
		}
		row := DecisionRow{Time: at.In(time.FixedZone("", 3600)), Replica: "r" + itoa(i%2), Seq: uint64(i), ID: "id-" + itoa(i), Decision: "deny",
			DryRun: i%3 == 0, Policies: []string{"POD-001"}, Controls: []string{}, Messages: []string{"m|" + itoa(i), "ü\n"}, Error: strings.Repeat("e", i%5), Source: "f:" + itoa(i)}
		in = append(in, row)
		p.add(row)
	}
	if err := p.finish(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if len(p.runs) > mergeFanIn {
		t.Errorf("%d runs left after finish, want at most %d", len(p.runs), mergeFanIn)
	}
	want := slices.Clone(in)
	slices.SortStableFunc(want, func(a, b DecisionRow) int { return a.Time.Compare(b.Time) })
	if diff := cmp.Diff(want, rowsOf(t, p)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	head, err := p.Head(5)
	if err != nil || p.Len() != 400 {
		t.Fatalf("head: %v, len %d", err, p.Len())
	}
	if diff := cmp.Diff(want[:5], head); diff != "" {
		t.Errorf("head (-want +got):\n%s", diff)
	}

	// The spool holds request metadata: only its owner may read it, and it is gone from the
	// directory while the report is still open.
	info, err := p.file.Stat()
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("spool mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("spool files left in the directory: %v", left)
	}
}

// buildTwice builds the fixture's report twice from the same files: with every population
// row spooled at once, and with none spooled.
func buildTwice(t *testing.T) (spooled, held *Report) {
	t.Helper()
	root := t.TempDir()
	writeReportFixture(t, root)
	var out [2]*Report
	for i, rows := range []int{1, 1 << 20} {
		o := Options{GapThreshold: 3 * time.Hour, Now: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Catalog: catalog(t),
			Configs: map[string]*config.Config{"cfg2.yaml": fixtureConfig(t)}, TempDir: t.TempDir(), spoolRows: rows}
		r, err := Build([]string{root}, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		out[i] = r
	}
	if out[0].Denials.file == nil || out[1].Denials.file != nil {
		t.Fatal("the first report's populations are not spooled, or the second's are")
	}
	return out[0], out[1]
}

func TestSpooledReportIsTheSame(t *testing.T) {
	spooled, held := buildTwice(t)
	render := func(r *Report) map[string]string {
		out := map[string]string{}
		var js, md, page bytes.Buffer
		if err := WriteJSON(&js, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteMarkdown(&md, r, 1); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(&page, r, 1); err != nil {
			t.Fatal(err)
		}
		out["json"], out["md"], out["html"] = js.String(), md.String(), page.String()
		dir := t.TempDir()
		files, err := WriteCSV(dir, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.Base(f)] = string(data)
		}
		return out
	}
	if diff := cmp.Diff(render(held), render(spooled)); diff != "" {
		t.Errorf("spooled report differs from the one held in memory (-held +spooled):\n%s", diff)
	}
}

func TestWriteJSONIsTheEncodersJSON(t *testing.T) {
	// WriteJSON streams the populations; the bytes are json.Encoder's of the whole report.
	spooled, _ := buildTwice(t)
	var want, got bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(spooled); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&got, spooled); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("WriteJSON (-encoder +streamed):\n%s", diff)
	}
	var back Report
	if err := json.Unmarshal(got.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rowsOf(t, spooled.Denials), rowsOf(t, back.Denials)); diff != "" {
		t.Errorf("denials read back (-written +read):\n%s", diff)
	}
}

func TestBuildKeepsPopulationsOutOfMemory(t *testing.T) {
	// 3,000 denials with a 4 KiB message each: 12 MiB of rows. The report built from them
	// holds the counts, not the rows.
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *evidence.Options) {
		o.OpenFile = func(path string) (evidence.File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			return noSync{f}, err
		}
	})
	finding := pod001
	finding.Message = strings.Repeat("x", 4096)
	const n = 3000
	for i := range n {
		clock.Add(time.Second)
		r := admission(clock, "d"+itoa(i))
		r.Decision, r.Violations = decision.OutcomeDeny, []decision.Finding{finding}
		record(t, w, r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	before := liveHeap()
	r, err := Build([]string{dir}, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	held := liveHeap() - before
	if r.Denials.Len() != n {
		t.Fatalf("%d denials, want %d", r.Denials.Len(), n)
	}
	if held > 2<<20 {
		t.Errorf("the report holds %d KiB after Build, want under 2 MiB (the rows are %d KiB)", held>>10, n*4096>>10)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil || strings.Count(js.String(), finding.Message) != n {
		t.Errorf("JSON holds %d of the %d rows (%v)", strings.Count(js.String(), finding.Message), n, err)
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

type noSync struct{ *os.File }

func (noSync) Sync() error { return nil }

func TestBuildFailsWhenItCannotSpool(t *testing.T) {
	// A report that cannot keep its populations whole is no report.
	root := t.TempDir()
	writeReportFixture(t, root)
	r, err := Build([]string{root}, Options{TempDir: filepath.Join(t.TempDir(), "missing"), spoolRows: 1})
	if err == nil || !strings.Contains(err.Error(), "spool the report's rows") {
		t.Errorf("Build with an unusable --tmp-dir: report %v, error %v; want a spool error", r != nil, err)
	}
}

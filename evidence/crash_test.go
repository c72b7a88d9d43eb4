package evidence

import (
	"bytes"
	"context"
	"fmt"
	"github.com/govhook/govhook/internal/testsupport"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Environment of the writer process that TestWriterSurvivesKill kills.
const (
	crashDirEnv  = "GOVHOOK_EVIDENCE_CRASH_DIR"
	crashModeEnv = "GOVHOOK_EVIDENCE_CRASH_MODE"
)

// TestWriterProcess is not a test: TestWriterSurvivesKill runs this test binary with
// crashDirEnv set, and this function then writes records until it is killed.
func TestWriterProcess(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestWriterSurvivesKill")
	}
	mode := os.Getenv(crashModeEnv)
	w, err := Open(t.Context(), Options{Dir: dir, Replica: "r1", CheckpointInterval: time.Millisecond, MaxSegmentBytes: 8 << 10,
		OpenFile: func(path string) (File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			return &slowFile{File: f, stall: mode == "stall"}, err
		}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Println("ready")
	for g := range 4 {
		go func() {
			for i := 0; ; i++ {
				r := &Record{Type: TypeAdmission, ID: fmt.Sprintf("g%d-%d", g, i), UID: "u", Decision: "allow"}
				if err := w.Record(context.Background(), r); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(4)
				}
			}
		}()
	}
	select {} // until killed
}

// slowFile writes in small pieces, one system call each, so that a kill lands inside a line;
// with stall it writes half of its first batch and then hangs, to be killed mid-line for sure.
type slowFile struct {
	*os.File
	stall bool
}

func (f *slowFile) Write(p []byte) (int, error) {
	if f.stall {
		_, _ = f.File.Write(p[:len(p)/2])
		_ = f.Sync()
		fmt.Println("stalled")
		select {}
	}
	n := 0
	for len(p) > 0 {
		k, err := f.File.Write(p[:min(7, len(p))])
		n += k
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

func TestWriterSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills writer processes")
	}
	dir := t.TempDir()
	replica := filepath.Join(dir, "r1")
	var torn []string // torn tails seen after a kill
	for round, mode := range []string{"loop", "loop", "stall", "loop"} {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestWriterProcess$")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashModeEnv+"="+mode)
		var stdout, stderr testsupport.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it while it writes: after a stall, or once it has written a few segments.
		waitFor(t, func() bool {
			if mode == "stall" {
				return strings.Contains(stdout.String(), "stalled")
			}
			segments, _ := listSegments(replica)
			return len(segments) >= 3*(round+1)
		}, &stderr)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if strings.Contains(stderr.String(), "evidence") {
			t.Fatalf("writer process failed:\n%s", stderr.String())
		}
		segments, _ := listSegments(replica)
		data, _ := os.ReadFile(segments[len(segments)-1])
		if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
			torn = append(torn, string(data[i+1:]))
		}
	}
	if len(torn) == 0 {
		t.Fatal("no kill left a torn line, not even the stalled one")
	}

	w, err := Open(t.Context(), Options{Dir: dir, Replica: "r1", CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	v := mustVerify(t, dir)
	// Every torn tail a kill left is in a quarantine file named by a recovery record.
	var quarantined []string
	for _, r := range readChain(t, replica) {
		if r.Type == TypeRecovery {
			data, err := os.ReadFile(filepath.Join(replica, r.Recovery.Quarantine))
			if err != nil {
				t.Fatal(err)
			}
			quarantined = append(quarantined, string(data))
		}
	}
	slices.Sort(torn)
	slices.Sort(quarantined)
	if !slices.Equal(torn, quarantined) {
		t.Errorf("torn tails %q, quarantined %q", torn, quarantined)
	}
	t.Logf("%d kills, %d torn tails recovered; chain of %d records in %d segments is intact",
		4, len(torn), v.Chains[0].Records, v.Chains[0].Segments)
}

func waitFor(t *testing.T, cond func() bool, logs *testsupport.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("writer process made no progress in 30s; stderr:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

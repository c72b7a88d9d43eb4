package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/internal/testsupport"
)

// testSigner is a signer with a fixed key, so that key ids in expected messages are stable.
func testSigner(seed byte) *Signer {
	return NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
}

// signAnchor signs an anchor's fields as the checkpoint it names would be signed.
func (s *Signer) signAnchor(a *Anchor) {
	a.KeyID = s.id
	a.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, checkpointMessage(a.Replica, a.Seq, a.HeadHash, a.Count, a.Time)))
}

func keyring(signers ...*Signer) Keyring {
	k := Keyring{}
	for _, s := range signers {
		k.Add(s.key.Public().(ed25519.PublicKey))
	}
	return k
}

// writeSignedChain writes replica r1 under dir signed by s: a, b (denied), c, checkpoint, d,
// closing checkpoint.
func writeSignedChain(t *testing.T, dir string, clock *testsupport.Clock, s *Signer) {
	t.Helper()
	w := openWriter(t, dir, clock, func(o *Options) { o.Signer = s })
	for _, name := range []string{"a", "b", "c", "-", "d"} {
		if name == "-" {
			if err := w.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		r := admission(clock, name)
		if name == "b" {
			r.Decision = decision.OutcomeDeny
		}
		record(t, w, r)
		clock.Add(time.Second)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// rechain rewrites every segment of a replica directory as a forger with write access would:
// edit changes each record, then every prevHash, checkpoint head and hash is recomputed, and
// checkpoints are re-signed with s (or keep their old signature when s is nil).
func rechain(t *testing.T, dir string, s *Signer, edit func(*Record)) {
	t.Helper()
	segments, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	prev := GenesisHash
	for _, seg := range segments {
		data, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, line := range strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n") {
			var r Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if edit != nil {
				edit(&r)
			}
			r.PrevHash = prev
			if r.Checkpoint != nil {
				r.Checkpoint.HeadHash = prev
				if s != nil {
					s.sign(&r)
				}
			}
			b, err := Seal(&r)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b...)
			prev = r.Hash
		}
		if err := os.WriteFile(seg, out, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func breakStrings(root string, v *Verification) []string {
	got := []string{}
	for _, b := range v.Breaks {
		got = append(got, strings.TrimPrefix(b.String(), root+"/"))
	}
	return got
}

func TestVerifySignedCheckpoints(t *testing.T) {
	k1, k2 := testSigner(1), testSigner(2)
	allow := func(r *Record) {
		if r.Decision == decision.OutcomeDeny {
			r.Decision = decision.OutcomeAllow
		}
	}
	tests := []struct {
		name    string
		tamper  func(t *testing.T, replica string)
		keyring Keyring
		want    []string
	}{
		{name: "untouched", keyring: keyring(k1), want: []string{}},
		{
			name:    "change a deny to allow, then recompute every hash",
			tamper:  func(t *testing.T, replica string) { rechain(t, replica, nil, allow) },
			keyring: keyring(k1),
			want: []string{
				seg1 + ":5: checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed",
				seg1 + ":7: checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed",
			},
		},
		{
			name: "strip the signatures and recompute every hash",
			tamper: func(t *testing.T, replica string) {
				rechain(t, replica, nil, func(r *Record) {
					allow(r)
					if r.Checkpoint != nil {
						r.Checkpoint.KeyID, r.Checkpoint.Signature = "", ""
					}
				})
			},
			keyring: keyring(k1),
			want:    []string{seg1 + ":5: checkpoint is not signed", seg1 + ":7: checkpoint is not signed"},
		},
		{
			name:    "re-chain with a different key",
			tamper:  func(t *testing.T, replica string) { rechain(t, replica, k2, allow) },
			keyring: keyring(k1),
			want: []string{
				seg1 + ":5: checkpoint is signed by key " + k2.KeyID() + ", which is not one of the given public keys",
				seg1 + ":7: checkpoint is signed by key " + k2.KeyID() + ", which is not one of the given public keys",
			},
		},
		{
			name:    "only the other key pinned",
			keyring: keyring(k2),
			want: []string{
				seg1 + ":5: checkpoint is signed by key " + k1.KeyID() + ", which is not one of the given public keys",
				seg1 + ":7: checkpoint is signed by key " + k1.KeyID() + ", which is not one of the given public keys",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeSignedChain(t, root, testsupport.NewClock(), k1)
			if tc.tamper != nil {
				tc.tamper(t, filepath.Join(root, "r1"))
			}
			v, err := Verify(t.Context(), []string{root}, VerifyOptions{Keyring: tc.keyring})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, breakStrings(root, v)); diff != "" {
				t.Errorf("breaks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyAcrossKeyRotation(t *testing.T) {
	k1, k2 := testSigner(1), testSigner(2)
	root := t.TempDir()
	clock := testsupport.NewClock()
	writeSignedChain(t, root, clock, k1)
	writeSignedChain(t, root, clock, k2) // restarted with the new key from the Secret
	v, err := Verify(t.Context(), []string{root}, VerifyOptions{Keyring: keyring(k1, k2)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{}, breakStrings(root, v)); diff != "" {
		t.Errorf("breaks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{k1.KeyID(), k2.KeyID()}, v.Chains[0].KeyIDs); diff != "" {
		t.Errorf("key ids (-want +got):\n%s", diff)
	}
}

func TestVerifyWithKeyringNeedsACheckpoint(t *testing.T) {
	root := t.TempDir()
	clock := testsupport.NewClock()
	w := openWriter(t, root, clock, func(o *Options) { o.Signer = testSigner(1) })
	record(t, w, admission(clock, "a"))
	w.abandon()
	v, err := Verify(t.Context(), []string{root}, VerifyOptions{Keyring: keyring(testSigner(1))})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"r1: no signed checkpoint: no record of this chain can be authenticated"}
	if diff := cmp.Diff(want, breakStrings(root, v)); diff != "" {
		t.Errorf("breaks (-want +got):\n%s", diff)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	id, err := GenerateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, PrivateKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
	}
	s, err := LoadSigner(filepath.Join(dir, PrivateKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(filepath.Join(dir, PublicKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID() != id || KeyID(pub) != id {
		t.Errorf("key ids: generated %s, private %s, public %s", id, s.KeyID(), KeyID(pub))
	}
	if _, err := GenerateKey(dir); !os.IsExist(err) {
		t.Errorf("second keygen into the same directory: %v, want an exists error", err)
	}
	if _, err := LoadPublicKey(filepath.Join(dir, PrivateKeyFile)); err == nil {
		t.Error("a private key file loaded as a public key")
	}
}

// BenchmarkCheckpointSigning measures what signing adds to a checkpoint: one Ed25519
// signature over the checkpoint's fields.
func BenchmarkCheckpointSigning(b *testing.B) {
	s := testSigner(1)
	r := &Record{Type: TypeCheckpoint, Replica: "govhook-7d9f8-abcde", Seq: 123456, Time: time.Now().UTC(),
		Checkpoint: &Checkpoint{HeadSeq: 123455, HeadHash: GenesisHash, Count: 6000}}
	b.ReportAllocs()
	for b.Loop() {
		s.sign(r)
	}
}

// BenchmarkCheckpoint measures a whole checkpoint (seal, write, fsync) unsigned and signed.
func BenchmarkCheckpoint(b *testing.B) {
	for _, tc := range []struct {
		name   string
		signer *Signer
	}{{"unsigned", nil}, {"signed", testSigner(1)}} {
		b.Run(tc.name, func(b *testing.B) {
			w, err := Open(b.Context(), Options{Dir: b.TempDir(), Replica: "bench", CheckpointInterval: -1, Signer: tc.signer})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := w.Checkpoint(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

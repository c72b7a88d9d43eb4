package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Key file names written by GenerateKey.
const (
	PrivateKeyFile = "signing.key"
	PublicKeyFile  = "signing.pub"
)

// checkpointDomain separates checkpoint signatures from anything else the key might sign.
const checkpointDomain = "govhook.io/evidence/checkpoint/v1"

// Signer signs checkpoints with an Ed25519 private key.
type Signer struct {
	key ed25519.PrivateKey
	id  string
}

// NewSigner returns a signer for key.
func NewSigner(key ed25519.PrivateKey) *Signer {
	return &Signer{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// KeyID is the id of the signer's key, as checkpoints name it.
func (s *Signer) KeyID() string { return s.id }

// sign fills c.KeyID and c.Signature for the checkpoint record r.
func (s *Signer) sign(r *Record) {
	r.Checkpoint.KeyID = s.id
	r.Checkpoint.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, checkpointMessage(r.Replica, r.Seq, r.Checkpoint.HeadHash, r.Checkpoint.Count, r.Time)))
}

// KeyID names a public key: "ed25519:" and the first 16 hex digits of the SHA-256 of the key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// checkpointMessage is what a checkpoint signature covers: the replica, the checkpoint's seq,
// the hash of the record before it (which commits to the whole chain up to there), the count
// of records since the previous checkpoint, and the checkpoint's time.
func checkpointMessage(replica string, seq uint64, headHash string, count uint64, t time.Time) []byte {
	b := make([]byte, 0, 160+len(replica))
	b = append(b, checkpointDomain...)
	b = append(b, 0)
	b = append(b, replica...)
	b = append(b, 0)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, 0)
	b = append(b, headHash...)
	b = append(b, 0)
	b = strconv.AppendUint(b, count, 10)
	b = append(b, 0)
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return b
}

// Keyring holds the pinned public keys a verifier trusts, by key id.
type Keyring map[string]ed25519.PublicKey

// Add pins pub.
func (k Keyring) Add(pub ed25519.PublicKey) { k[KeyID(pub)] = pub }

// checkSignature says what is wrong with a signature over the given checkpoint fields, ""
// when it verifies with a pinned key.
func (k Keyring) checkSignature(keyID, signature, replica string, seq uint64, headHash string, count uint64, t time.Time) string {
	if keyID == "" || signature == "" {
		return "checkpoint is not signed"
	}
	pub, ok := k[keyID]
	if !ok {
		return fmt.Sprintf("checkpoint is signed by key %s, which is not one of the given public keys", keyID)
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || !ed25519.Verify(pub, checkpointMessage(replica, seq, headHash, count, t), sig) {
		return fmt.Sprintf("checkpoint signature does not verify with key %s: the chain up to it was altered or re-hashed", keyID)
	}
	return ""
}

// GenerateKey writes a new key pair into dir: PrivateKeyFile (PKCS #8 PEM, mode 0600) and
// PublicKeyFile (PKIX PEM). It refuses to overwrite existing files and returns the key id.
func GenerateKey(dir string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := writeSynced(filepath.Join(dir, PrivateKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", err
	}
	if err := writeSynced(filepath.Join(dir, PublicKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", err
	}
	return KeyID(pub), nil
}

// LoadSigner reads a private key file written by GenerateKey (or any PKCS #8 PEM Ed25519 key).
func LoadSigner(path string) (*Signer, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is a %T, not an Ed25519 key", path, key)
	}
	return NewSigner(priv), nil
}

// LoadPublicKey reads a public key file written by GenerateKey (PKIX PEM, Ed25519).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key %s is a %T, not an Ed25519 key", path, key)
	}
	return pub, nil
}

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		return nil, fmt.Errorf("%s holds no PEM block of type %q", path, typ)
	}
	return block.Bytes, nil
}

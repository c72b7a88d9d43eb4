package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
)

var hashMember = []byte(`,"hash":"`)

// hashTailLen is the length of `,"hash":"<64 hex>"}`.
var hashTailLen = len(hashMember) + 64 + len(`"}`)

// Seal encodes r as one line (with its newline) and sets r.Hash to the SHA-256 described in
// the package doc.
func Seal(r *Record) ([]byte, error) {
	r.Hash = ""
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	// Encode wrote {...,"hash":""}\n; hash the bytes with the hash member dropped.
	line := b.Bytes()
	body := line[:len(line)-len(`,"hash":""}`+"\n")]
	r.Hash = bodyHash(body)
	out := make([]byte, 0, len(body)+hashTailLen+1)
	out = append(out, body...)
	out = append(out, hashMember...)
	out = append(out, r.Hash...)
	out = append(out, "\"}\n"...)
	return out, nil
}

// errNoHashMember marks a line that does not end with the hash member the rule requires.
var errNoHashMember = errors.New(`line does not end with ,"hash":"<64 hex digits>"}`)

// LineHash applies the hash rule to one line (without its newline): it returns the hash the
// line claims and the hash of its content. They are equal for an unaltered record.
func LineHash(line []byte) (claimed, computed string, err error) {
	if len(line) < hashTailLen+1 {
		return "", "", errNoHashMember
	}
	tail := line[len(line)-hashTailLen:]
	if !bytes.HasPrefix(tail, hashMember) || !bytes.HasSuffix(tail, []byte(`"}`)) {
		return "", "", errNoHashMember
	}
	claimed = string(tail[len(hashMember) : len(hashMember)+64])
	if _, err := hex.DecodeString(claimed); err != nil || claimed != lowerHex(claimed) {
		return "", "", errNoHashMember
	}
	return claimed, bodyHash(line[:len(line)-hashTailLen]), nil
}

func bodyHash(body []byte) string {
	sum := sha256.New()
	sum.Write(body)
	sum.Write([]byte("}"))
	return hex.EncodeToString(sum.Sum(nil))
}

func lowerHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

package policies

import "bytes"

// triggerText is the text triggers are matched against: the object's JSON with every escape
// that spells a character a trigger may hold (`\u0065`, `\/`) decoded, so the prefilter sees
// the keys and strings the policies will see once the object is parsed. Without it,
// `"privil\u0065ged": true` would skip the policy that denies it. The object is returned as
// is when it has no such escape (the common case: no copy).
func triggerText(object []byte) []byte {
	if bytes.IndexByte(object, '\\') < 0 {
		return object
	}
	out := make([]byte, 0, len(object))
	i := 0
	for {
		j := bytes.IndexByte(object[i:], '\\')
		if j < 0 {
			return append(out, object[i:]...)
		}
		j += i
		out = append(out, object[i:j]...)
		if j+1 >= len(object) {
			return append(out, object[j:]...)
		}
		switch object[j+1] {
		case '/':
			out = append(out, '/')
			i = j + 2
			continue
		case 'u':
			if c, ok := asciiEscape(object[j+2:]); ok {
				out = append(out, c)
				i = j + 6
				continue
			}
		}
		// Any other escape (\" \\ \n, a non-ASCII \u) stays as written: no trigger holds it.
		out = append(out, object[j], object[j+1])
		i = j + 2
	}
}

// asciiEscape decodes the four hex digits of a \u escape when they name a printable ASCII
// character other than '"' and '\' (which stay escaped in any JSON encoding).
func asciiEscape(hex []byte) (byte, bool) {
	if len(hex) < 4 {
		return 0, false
	}
	var r int
	for _, h := range hex[:4] {
		switch {
		case h >= '0' && h <= '9':
			r = r<<4 | int(h-'0')
		case h >= 'a' && h <= 'f':
			r = r<<4 | int(h-'a'+10)
		case h >= 'A' && h <= 'F':
			r = r<<4 | int(h-'A'+10)
		default:
			return 0, false
		}
	}
	if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
		return 0, false
	}
	return byte(r), true
}

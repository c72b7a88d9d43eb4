package evidence

import "encoding/json"

// Connect is what evidence keeps of a CONNECT request's options (PodExecOptions,
// PodAttachOptions, PodPortForwardOptions): the target container and the terminal flags. The
// command is never read, so it can never reach a record.
type Connect struct {
	Container string `json:"container,omitempty"`
	TTY       bool   `json:"tty,omitempty"`
	Stdin     bool   `json:"stdin,omitempty"`
}

// connectOf decodes the container and flags of a CONNECT request's object; nil when the object
// holds none of them or is not JSON.
func connectOf(raw []byte) *Connect {
	var c Connect
	if err := json.Unmarshal(raw, &c); err != nil || c == (Connect{}) {
		return nil
	}
	return &c
}

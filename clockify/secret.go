package clockify

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret is a credential Clockify returns, such as a webhook's token. It decodes from
// JSON like a string, but prints, formats, logs and encodes to JSON as "[REDACTED]", so
// that it cannot reach a log line, an error or a stored document by accident. Use
// [Secret.Reveal] where the value is really needed.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// IsRedacted reports whether the value is the "[REDACTED]" that a Secret writes in place
// of itself: a Secret that went through JSON (or a log) and was read back holds no
// credential, only that placeholder.
func (s Secret) IsRedacted() bool { return s == redacted }

// String returns "[REDACTED]" (or "" for an empty secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `clockify.Secret("` + s.String() + `")` }

// Format keeps every fmt verb (%v, %s, %q, %x, ...) from printing the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON encodes the secret as "[REDACTED]" (or "" when empty).
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

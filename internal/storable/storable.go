package storable

import (
	"strings"
	"unicode/utf8"
)

// Text returns s as every store keeps it: each NUL, and each run of bytes that are not
// UTF-8, becomes U+FFFD. Text that is already so is returned as it is.
func Text(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

package storable_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/internal/storable"
)

// TestText: text from Clockify, an error or a request is kept as valid UTF-8 without NUL,
// which PostgreSQL refuses; other text is left as it is.
func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"#12 Fix login":      "#12 Fix login",
		"Zoë":                "Zoë",
		"":                   "",
		"a\x00b":             "a\uFFFDb",
		"\x00#12":            "\uFFFD#12",
		"caf\xe9 closed":     "caf\uFFFD closed",
		"\xff\xfe\x00 and é": "\uFFFD\uFFFD and é",
	} {
		require.Equal(t, want, storable.Text(in), "%q", in)
	}
}

func ExampleText() {
	fmt.Printf("%+q\n", storable.Text("Fix PR #12\x00 caf\xe9"))
	// Output: "Fix PR #12\ufffd caf\ufffd"
}

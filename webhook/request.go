package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// NewSignedRequest builds a delivery as Clockify sends it: a POST of the payload's JSON
// (the flat entity) to url, with token in Clockify-Signature and the event in
// Clockify-Webhook-Event-Type. Hosts use it to test their own handlers, as stripe-go's
// GenerateTestSignedPayload is used. A payload of type []byte is sent as is.
func NewSignedRequest(url string, token clockify.Secret, event clockify.WebhookEvent, payload any) (*http.Request, error) {
	body, ok := payload.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(payload); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, token.Reveal())
	req.Header.Set(EventTypeHeader, string(event))
	return req, nil
}

package clockifytest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Transport returns a RoundTripper that serves each request in-process, in the calling
// goroutine, with no network between the client and the fake. A client built on it
// (clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()})) can run inside a
// testing/synctest bubble, whose fake clock then paces the client's rate limit, backoff
// and Retry-After waits: a test of a one-hour wait takes no time, and measures it
// exactly. Create the server inside the bubble [WithoutListener] (a loopback listener
// would keep the bubble's clock from advancing), or outside it.
//
// Answers are the ones the loopback server gives, faults included: a dropped or lost
// answer is an error of the round trip (io.EOF), a truncated body ends in
// io.ErrUnexpectedEOF, and a request whose context ends while the fake delays it
// returns the context's error. Webhook deliveries still go over the network, through the
// delivery client; the default one keeps no connection open that would outlive a bubble.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	// The handler reads a server-side request, which always has a body.
	in := req.Clone(req.Context())
	if req.Body == nil {
		in.Body = http.NoBody
	} else {
		defer req.Body.Close()
	}
	w := &hijackable{ResponseRecorder: httptest.NewRecorder()}
	t.s.serveHTTP(w, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // the caller stopped waiting, as it would on the network
	}
	if w.conn == nil {
		resp := w.Result()
		resp.Request = req
		return resp, nil
	}
	// The handler took the connection: read what it wrote there, as the network would.
	if w.conn.out.Len() == 0 {
		return nil, io.EOF // as net/http's transport says of a connection closed unanswered
	}
	return http.ReadResponse(bufio.NewReader(&w.conn.out), req)
}

// hijackable is a recorder whose connection a handler can take over, as the faults that
// drop or truncate an answer do.
type hijackable struct {
	*httptest.ResponseRecorder
	conn *bufConn
}

func (w *hijackable) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.conn = new(bufConn)
	return w.conn, bufio.NewReadWriter(bufio.NewReader(w.conn), bufio.NewWriter(w.conn)), nil
}

// bufConn is a connection that keeps what is written to it and has nothing to read.
type bufConn struct{ out bytes.Buffer }

func (c *bufConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (c *bufConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *bufConn) Close() error                     { return nil }
func (c *bufConn) LocalAddr() net.Addr              { return inProcessAddr{} }
func (c *bufConn) RemoteAddr() net.Addr             { return inProcessAddr{} }
func (c *bufConn) SetDeadline(time.Time) error      { return nil }
func (c *bufConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bufConn) SetWriteDeadline(time.Time) error { return nil }

type inProcessAddr struct{}

func (inProcessAddr) Network() string { return "in-process" }
func (inProcessAddr) String() string  { return "clockifytest" }

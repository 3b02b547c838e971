package clockifytest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a failure the server can inject into an answer.
type Fault int

// The faults the server can inject.
const (
	FaultNone Fault = iota
	// FaultTooManyRequests answers 429 without Retry-After.
	FaultTooManyRequests
	// FaultTooManyRequestsRetryAfter answers 429 with Retry-After (Faults.RetryAfter).
	FaultTooManyRequestsRetryAfter
	// FaultInternalError answers 500.
	FaultInternalError
	// FaultBadGateway answers 502.
	FaultBadGateway
	// FaultUnavailable answers 503.
	FaultUnavailable
	// FaultDropConnection closes the connection without answering.
	FaultDropConnection
	// FaultTruncateBody sends the headers and half the body, then closes the connection.
	FaultTruncateBody
	// FaultLatency answers normally after Faults.Latency.
	FaultLatency
	// FaultLoseAnswer carries the request out (webhook deliveries included), then closes
	// the connection without answering: the client cannot tell that it succeeded, as when
	// a proxy or the network loses Clockify's answer. It tests what a retry does after a
	// write that took effect. Random injection uses it only when Faults.Kinds lists it.
	FaultLoseAnswer
)

var faultNames = map[Fault]string{
	FaultNone: "none", FaultTooManyRequests: "429", FaultTooManyRequestsRetryAfter: "429+Retry-After",
	FaultInternalError: "500", FaultBadGateway: "502", FaultUnavailable: "503",
	FaultDropConnection: "drop", FaultTruncateBody: "truncate", FaultLatency: "latency",
	FaultLoseAnswer: "lose-answer",
}

// String names the fault ("503", "drop", ...).
func (f Fault) String() string {
	if n, ok := faultNames[f]; ok {
		return n
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Faults injects faults at random: each request, with probability Rate, gets one of
// Kinds (all kinds when empty), drawn from a generator seeded with Seed, so a run is
// reproducible when requests arrive in the same order.
type Faults struct {
	Seed  uint64
	Rate  float64
	Kinds []Fault
	// Latency is the delay FaultLatency adds (default 50ms).
	Latency time.Duration
	// RetryAfter is the Retry-After FaultTooManyRequestsRetryAfter sends (default 1s).
	RetryAfter time.Duration
}

type faultState struct {
	rng    *rand.Rand
	cfg    Faults
	queued []Fault
}

// next picks the fault for the next request. The caller holds the server's lock.
func (f *faultState) next() Fault {
	if len(f.queued) > 0 {
		fault := f.queued[0]
		f.queued = f.queued[1:]
		return fault
	}
	if f.cfg.Rate <= 0 || f.rng.Float64() >= f.cfg.Rate {
		return FaultNone
	}
	kinds := f.cfg.Kinds
	if len(kinds) == 0 {
		kinds = []Fault{FaultTooManyRequests, FaultTooManyRequestsRetryAfter, FaultInternalError,
			FaultBadGateway, FaultUnavailable, FaultDropConnection, FaultTruncateBody, FaultLatency}
	}
	return kinds[f.rng.IntN(len(kinds))]
}

// SetFaults replaces the random fault injection (a zero Faults turns it off).
func (s *Server) SetFaults(f Faults) {
	if f.Latency == 0 {
		f.Latency = 50 * time.Millisecond
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.cfg = f
	s.faults.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// FailNext makes the next requests (one per fault, in order) fail with the given faults,
// before any random injection. FaultNone in the list lets one request through.
func (s *Server) FailNext(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.queued = append(s.faults.queued, faults...)
}

// applyFault writes a faulty answer and reports whether the request is finished.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	s.mu.Lock()
	cfg := s.faults.cfg
	s.mu.Unlock()
	switch f {
	case FaultTooManyRequests:
		writeError(w, &apiError{status: http.StatusTooManyRequests, Message: "Too many requests"})
	case FaultTooManyRequestsRetryAfter:
		secs := max(int((cfg.RetryAfter+time.Second-1)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, &apiError{status: http.StatusTooManyRequests, Message: "Too many requests"})
	case FaultInternalError:
		writeError(w, &apiError{status: http.StatusInternalServerError, Message: "Internal server error"})
	case FaultBadGateway:
		writeError(w, &apiError{status: http.StatusBadGateway, Message: "Bad gateway"})
	case FaultUnavailable:
		writeError(w, &apiError{status: http.StatusServiceUnavailable, Message: "Service unavailable"})
	case FaultDropConnection:
		dropConnection(w)
	case FaultLatency:
		t := time.NewTimer(cfg.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
		return false
	default:
		return false
	}
	return true
}

// serveLost runs the handler into a buffer and closes the connection without answering.
func (s *Server) serveLost(w http.ResponseWriter, r *http.Request, rt *route, p params, uid string) {
	rt.handle(httptest.NewRecorder(), r, p, uid)
	dropConnection(w)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.status = 0 // nothing was answered
	}
}

// serveTruncated runs the handler into a buffer, then sends its headers (with the full
// Content-Length) and half its body, and closes the connection.
func (s *Server) serveTruncated(w http.ResponseWriter, r *http.Request, rt *route, p params, uid string) {
	rec := httptest.NewRecorder()
	rt.handle(rec, r, p, uid)
	body := rec.Body.Bytes()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	rec.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_ = rec.Header().Write(buf)
	buf.WriteString("\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

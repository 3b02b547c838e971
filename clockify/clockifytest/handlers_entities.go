package clockifytest

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// changeQuery is an entity-change request: a page of the changes in a range.
type changeQuery struct {
	page, size int
	start, end time.Time
	// entries is whether time entries were asked for: the fake records no other type.
	entries bool
}

// readChangeQuery reads an entity-change request as Clockify documents it: at least one
// known type; a missing end is 30 days after the start, a missing start 30 days before
// the end, and with neither the range is the last 30 days.
func (s *Server) readChangeQuery(r *http.Request) (q changeQuery, err *apiError) {
	q.page, q.size, err = pageParams(r, "limit", 50, clockify.MaxPageSize)
	if err != nil {
		return q, err
	}
	start, serr := timeParam(r, "start")
	end, eerr := timeParam(r, "end")
	if err := firstErr(serr, eerr); err != nil {
		return q, err
	}
	const month = 30 * 24 * time.Hour
	switch {
	case start.IsZero() && end.IsZero():
		end = s.now()
		start = end.Add(-month)
	case end.IsZero():
		end = start.Add(month)
	case start.IsZero():
		start = end.Add(-month)
	}
	if end.Before(start) {
		return q, errInvalidField("end")
	}
	q.start, q.end = start, end
	types := r.URL.Query()["type"]
	if len(types) == 0 {
		return q, errBadRequest("Required request parameter 'type' for method parameter type 'List' is not present")
	}
	for _, t := range types {
		switch clockify.EntityType(t) {
		case clockify.EntityTimeEntry:
			q.entries = true
		case clockify.EntityCustomFieldValue, clockify.EntityTimeEntryRate:
		default:
			return q, errInvalidField("type")
		}
	}
	return q, nil
}

// in reports whether t falls in the query's range, ends included.
func (q changeQuery) in(t time.Time) bool { return !t.Before(q.start) && !t.After(q.end) }

// readChanges reads an entity-change request and, for an admin of the workspace who asked
// for time entries, runs collect under the server's lock. On a bad request or a refusal it
// writes the error and reports false.
func (s *Server) readChanges(w http.ResponseWriter, r *http.Request, p params, uid string, collect func(*workspace, changeQuery)) (changeQuery, bool) {
	q, err := s.readChangeQuery(r)
	if err == nil {
		s.mu.Lock()
		var ws *workspace
		if ws, err = s.state.adminAccess(uid, p["ws"]); err == nil && q.entries {
			collect(ws, q)
		}
		s.mu.Unlock()
	}
	if err != nil {
		writeError(w, err)
		return q, false
	}
	return q, true
}

// entityChanges serves the entries created, or updated, in a range, oldest change first.
// An entry created in the range is listed as created only, as Clockify documents.
func (s *Server) entityChanges(created bool) func(http.ResponseWriter, *http.Request, params, string) {
	return func(w http.ResponseWriter, r *http.Request, p params, uid string) {
		var out []entityInfo
		q, ok := s.readChanges(w, r, p, uid, func(ws *workspace, q changeQuery) {
			for id, e := range ws.entries {
				a := ws.audit[id]
				if created && q.in(a.created) || !created && q.in(a.updated) && !q.in(a.created) {
					out = append(out, entityInfo{TimeEntry: plainEntry(e), DocumentType: clockify.EntityTimeEntry,
						ApprovalStatus: "UNSUBMITTED", AuditMetadata: auditMetadata{CreatedAt: a.created, UpdatedAt: a.updated}})
				}
			}
		})
		if !ok {
			return
		}
		at := func(e entityInfo) time.Time {
			if created {
				return e.AuditMetadata.CreatedAt
			}
			return e.AuditMetadata.UpdatedAt
		}
		slices.SortFunc(out, func(a, b entityInfo) int {
			return cmp.Or(at(a).Compare(at(b)), cmp.Compare(a.ID, b.ID))
		})
		from, to := pageSpan(len(out), q.page, q.size)
		writeJSON(w, http.StatusOK, append([]entityInfo{}, out[from:to]...))
	}
}

// deletedEntities serves the entries deleted in a range, in the order of deletion and in
// the {"response": [...]} wrapper of Clockify's description. An entry created and deleted
// in the range is left out, as Clockify documents, and so is one deleted less than the
// deletion lag ago (SetDeletionLag).
func (s *Server) deletedEntities(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var out []deletedInfo
	q, ok := s.readChanges(w, r, p, uid, func(ws *workspace, q changeQuery) {
		listed := s.now().Add(-s.deletionLag)
		for _, b := range ws.bin {
			if q.in(b.deletedAt) && !q.in(b.created) && !b.deletedAt.After(listed) {
				out = append(out, deletedInfo{ID: "bin" + b.id, DeletionBinID: "bin" + b.id, DeletedAt: b.deletedAt,
					DocumentType: clockify.EntityTimeEntry, EligibleForRestore: true, Document: b.entry})
			}
		}
	})
	if !ok {
		return
	}
	from, to := pageSpan(len(out), q.page, q.size)
	writeJSON(w, http.StatusOK, struct {
		Response []deletedInfo `json:"response"`
	}{Response: append([]deletedInfo{}, out[from:to]...)})
}

// entityInfo is a created or updated entry as the entity-change endpoints render it
// (TimeEntryUpdatedInfoDto).
type entityInfo struct {
	clockify.TimeEntry
	DocumentType   clockify.EntityType `json:"documentType"`
	ApprovalStatus string              `json:"approvalStatus"`
	AuditMetadata  auditMetadata       `json:"auditMetadata"`
}

type auditMetadata struct {
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// deletedInfo is a deleted entry (LogBinDocumentDto).
type deletedInfo struct {
	ID                 string              `json:"id"`
	DeletionBinID      string              `json:"deletionBinId"`
	DeletedAt          time.Time           `json:"deletedAt"`
	DocumentType       clockify.EntityType `json:"documentType"`
	EligibleForRestore bool                `json:"eligibleForRestore"`
	Document           clockify.TimeEntry  `json:"document"`
}

package clockify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// EntityChangesService reads what changed in a workspace over a period: the entities
// created, updated and deleted in it, whatever their own dates. It is what Clockify
// offers for a "changed since" sync: the time-entry lists filter on an entry's start only,
// so they miss an old entry edited today, and tell a deletion only by absence.
//
// Clockify marks these endpoints Experimental, and documents neither where their pages
// start (0 or 1) nor their largest page; see [EntityChangesService.AllCreated] for how the
// iterators cope. Deletions show in them about a minute after they happen.
type EntityChangesService service

// EntityType is a kind of document the entity-change endpoints report.
type EntityType string

// The entity types Clockify's entity-change endpoints accept.
const (
	EntityTimeEntry        EntityType = "TIME_ENTRY"
	EntityCustomFieldValue EntityType = "TIME_ENTRY_CUSTOM_FIELD_VALUE"
	EntityTimeEntryRate    EntityType = "TIME_ENTRY_RATE"
)

// EntityChangeOptions selects the changes of a period.
type EntityChangeOptions struct {
	// Types lists what to report; at least one is required.
	Types []EntityType
	// Start and End bound when the changes happened. Clockify fills a missing one to make
	// a range of 30 days (the last 30 days when both are missing).
	Start, End time.Time
	// Page and PageSize (sent as "limit") select one page for the one-page calls; zero
	// values mean Clockify's defaults (page 0, 50 items).
	ListOptions
}

func (o *EntityChangeOptions) query() (url.Values, error) {
	if len(o.Types) == 0 {
		return nil, &ArgumentError{Field: "Types", Reason: "needs at least one entity type"}
	}
	if err := o.validate(MaxPageSize); err != nil {
		return nil, err
	}
	if !o.Start.IsZero() && !o.End.IsZero() && o.End.Before(o.Start) {
		return nil, &ArgumentError{Field: "End", Reason: "is before Start"}
	}
	q := url.Values{}
	for _, t := range o.Types {
		if t == "" {
			return nil, &ArgumentError{Field: "Types", Reason: "holds an empty type"}
		}
		q.Add("type", string(t))
	}
	if !o.Start.IsZero() {
		q.Set("start", formatTime(o.Start))
	}
	if !o.End.IsZero() {
		q.Set("end", formatTime(o.End))
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PageSize > 0 {
		q.Set("limit", strconv.Itoa(o.PageSize))
	}
	return q, nil
}

// EntityChange is an entity created or updated in the period asked for, as it is now
// (TimeEntryUpdatedInfoDto or CustomFieldValueUpdatedInfoDto).
type EntityChange struct {
	DocumentType EntityType
	// ID is the entity's id: for a time entry, the entry's.
	ID string
	// CreatedAt and UpdatedAt are when the entity was created and last changed.
	CreatedAt, UpdatedAt time.Time
	// TimeEntry is the entry now, for a TIME_ENTRY: its id, description, user, project,
	// task, tags, billable flag, type and interval (no rates or hydrated fields).
	TimeEntry *TimeEntry
	// CustomFieldValue is the value now, for a TIME_ENTRY_CUSTOM_FIELD_VALUE.
	CustomFieldValue *CustomFieldValue
	// Raw is the object as Clockify sent it.
	Raw json.RawMessage
}

// UnmarshalJSON decodes a change, and the entity in it by its document type.
func (c *EntityChange) UnmarshalJSON(b []byte) error {
	var head struct {
		DocumentType  EntityType `json:"documentType"`
		ID            string     `json:"id"`
		AuditMetadata struct {
			CreatedAt time.Time `json:"createdAt"`
			UpdatedAt time.Time `json:"updatedAt"`
		} `json:"auditMetadata"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	out := EntityChange{DocumentType: head.DocumentType, ID: head.ID,
		CreatedAt: head.AuditMetadata.CreatedAt.UTC(), UpdatedAt: head.AuditMetadata.UpdatedAt.UTC(),
		Raw: append(json.RawMessage(nil), b...)}
	switch head.DocumentType {
	case EntityTimeEntry:
		out.TimeEntry = new(TimeEntry)
		if err := json.Unmarshal(b, out.TimeEntry); err != nil {
			return err
		}
	case EntityCustomFieldValue:
		out.CustomFieldValue = new(CustomFieldValue)
		if err := json.Unmarshal(b, out.CustomFieldValue); err != nil {
			return err
		}
	}
	*c = out
	return nil
}

// DeletedEntity is an entity deleted in the period asked for (LogBinDocumentDto): a
// record of Clockify's deletion bin, holding the entity as it was.
type DeletedEntity struct {
	// ID identifies the bin record. Clockify's description does not say whether it is
	// also the entity's id; the entity's own is in Document ([DeletedEntity.TimeEntry]).
	ID                 string          `json:"id"`
	DeletionBinID      string          `json:"deletionBinId"`
	DeletedAt          time.Time       `json:"deletedAt"`
	DocumentType       EntityType      `json:"documentType"`
	EligibleForRestore bool            `json:"eligibleForRestore"`
	Document           json.RawMessage `json:"document"`
}

// TimeEntry decodes the deleted time entry, for a TIME_ENTRY record. Its errors quote
// nothing from the record.
func (d *DeletedEntity) TimeEntry() (*TimeEntry, error) {
	if d.DocumentType != EntityTimeEntry {
		return nil, errors.New("clockify: the deleted entity is not a time entry")
	}
	var e struct {
		TimeEntry
		MongoID string `json:"_id"`
	}
	if err := json.Unmarshal(d.Document, &e); err != nil {
		return nil, fmt.Errorf("clockify: the deleted time entry does not decode: %s", whyUndecodable(err))
	}
	if e.ID == "" {
		e.ID = e.MongoID
	}
	return &e.TimeEntry, nil
}

// deletedPage decodes the deleted endpoint's answer: the {"response": [...]} wrapper of
// Clockify's description, or a bare array as in its use-case guide.
type deletedPage []DeletedEntity

func (p *deletedPage) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]DeletedEntity)(p))
	}
	var w struct {
		Response []DeletedEntity `json:"response"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = w.Response
	return nil
}

// Created returns one page of the entities created in a period.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/created (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getCreatedEntityInfo
func (s *EntityChangesService) Created(ctx context.Context, workspaceID string, opts *EntityChangeOptions) ([]EntityChange, *Response, error) {
	return s.changes(ctx, workspaceID, "created", opts)
}

// Updated returns one page of the entities updated in a period. An entity both created
// and updated in it is reported by Created only.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/updated (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getUpdatedEntityInfo
func (s *EntityChangesService) Updated(ctx context.Context, workspaceID string, opts *EntityChangeOptions) ([]EntityChange, *Response, error) {
	return s.changes(ctx, workspaceID, "updated", opts)
}

func (s *EntityChangesService) changes(ctx context.Context, workspaceID, which string, opts *EntityChangeOptions) ([]EntityChange, *Response, error) {
	path, err := s.path(workspaceID, which, opts)
	if err != nil {
		return nil, nil, err
	}
	var out []EntityChange
	resp, err := s.client.get(ctx, path, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Deleted returns one page of the entities deleted in a period. An entity created and
// deleted in it is not reported.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/deleted (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getDeletedEntityInfo
func (s *EntityChangesService) Deleted(ctx context.Context, workspaceID string, opts *EntityChangeOptions) ([]DeletedEntity, *Response, error) {
	path, err := s.path(workspaceID, "deleted", opts)
	if err != nil {
		return nil, nil, err
	}
	var out deletedPage
	resp, err := s.client.get(ctx, path, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

func (s *EntityChangesService) path(workspaceID, which string, opts *EntityChangeOptions) (string, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return "", err
	}
	if opts == nil {
		opts = &EntityChangeOptions{}
	}
	q, err := opts.query()
	if err != nil {
		return "", err
	}
	return withQuery(pathf("v1/workspaces/%s/entities/"+which, workspaceID), q), nil
}

// AllCreated iterates over every entity created in a period, in Clockify's order. It
// asks for pages of opts.PageSize items, [DefaultPageSize] when that is zero; opts.Page
// is ignored.
//
// Clockify documents neither where these pages start nor how large one may be, so the
// iterator asks for page 0 and then page 1, and drops page 1 when it repeats page 0 (a
// server counting from 1 reads page 0 as page 1); and it ends only on an empty page (or
// Last-Page: true), since a page shorter than asked for may be Clockify's cap rather than
// the end. That costs a request or two more than a documented list would. On a server
// counting from 1, a list changed between those two requests gives a page 1 unlike page
// 0, taken for the next page: the first page's items come again. Keep what is read by
// ID, as with any list paged by offset (see the package documentation).
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/created (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getCreatedEntityInfo
func (s *EntityChangesService) AllCreated(ctx context.Context, workspaceID string, opts *EntityChangeOptions) iter.Seq2[EntityChange, error] {
	return pageChanges(ctx, opts, func(ctx context.Context, o *EntityChangeOptions) ([]EntityChange, *Response, error) {
		return s.Created(ctx, workspaceID, o)
	})
}

// AllUpdated iterates over every entity updated in a period, paging as
// [EntityChangesService.AllCreated] does.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/updated (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getUpdatedEntityInfo
func (s *EntityChangesService) AllUpdated(ctx context.Context, workspaceID string, opts *EntityChangeOptions) iter.Seq2[EntityChange, error] {
	return pageChanges(ctx, opts, func(ctx context.Context, o *EntityChangeOptions) ([]EntityChange, *Response, error) {
		return s.Updated(ctx, workspaceID, o)
	})
}

// AllDeleted iterates over every entity deleted in a period, paging as
// [EntityChangesService.AllCreated] does.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/entities/deleted (Experimental)
// https://docs.clockify.me/#tag/Entity-changes-(Experimental)/operation/getDeletedEntityInfo
func (s *EntityChangesService) AllDeleted(ctx context.Context, workspaceID string, opts *EntityChangeOptions) iter.Seq2[DeletedEntity, error] {
	return pageChanges(ctx, opts, func(ctx context.Context, o *EntityChangeOptions) ([]DeletedEntity, *Response, error) {
		return s.Deleted(ctx, workspaceID, o)
	})
}

// pageChanges yields every item of an entity-change list, as AllCreated describes.
func pageChanges[T any](ctx context.Context, opts *EntityChangeOptions, fetch func(context.Context, *EntityChangeOptions) ([]T, *Response, error)) iter.Seq2[T, error] {
	first := EntityChangeOptions{}
	if opts != nil {
		first = *opts
	}
	if first.PageSize < 1 {
		first.PageSize = DefaultPageSize
	}
	return pageFromZero(func(page int) ([]T, *Response, error) {
		o := first
		o.Page = page
		return fetch(ctx, &o)
	})
}

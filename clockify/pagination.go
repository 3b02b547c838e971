package clockify

import (
	"context"
	"iter"
	"net/url"
	"strconv"
)

// MaxPageSize is the largest page Clockify serves on its list endpoints.
const MaxPageSize = 5000

// DefaultPageSize is the page size the iterators ask for when none is set: big pages mean
// fewer calls against the rate limit.
const DefaultPageSize = 1000

// ListOptions selects one page of a list. Page is 1-based; zero values mean Clockify's
// defaults for one-page calls (page 1, 50 items).
type ListOptions struct {
	Page     int
	PageSize int
}

func (o ListOptions) validate(maxSize int) error {
	switch {
	case o.Page < 0:
		return &ArgumentError{Field: "Page", Reason: "must not be negative"}
	case o.PageSize < 0 || o.PageSize > maxSize:
		return &ArgumentError{Field: "PageSize", Reason: "must be between 1 and " + strconv.Itoa(maxSize)}
	}
	return nil
}

func (o ListOptions) encode(q url.Values) {
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PageSize > 0 {
		q.Set("page-size", strconv.Itoa(o.PageSize))
	}
}

// paginate yields every item of a paged list, one page in memory at a time. It starts at
// first.Page (or 1), asks for first.PageSize items (or DefaultPageSize, capped at maxSize),
// and stops after an error (which it yields once) or the last page: the one marked
// Last-Page: true or, where Clockify sends no Last-Page header, a short one. A short page
// marked Last-Page: false (a server serving fewer items than asked for) is followed by
// the next; an empty page always ends the list. It fetches nothing until ranged over, and
// stops when the consumer does.
func paginate[T any](ctx context.Context, first ListOptions, maxSize int, fetch func(context.Context, ListOptions) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		opts := first
		if opts.Page < 1 {
			opts.Page = 1
		}
		if opts.PageSize < 1 {
			opts.PageSize = min(DefaultPageSize, maxSize)
		}
		for {
			items, resp, err := fetch(ctx, opts)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			last := len(items) < opts.PageSize
			if resp != nil && resp.lastPageSent {
				last = resp.LastPage || len(items) == 0
			}
			if last {
				return
			}
			opts.Page++
		}
	}
}

// withQuery appends encoded query values to a path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

package clockify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"reflect"
	"strconv"
)

// MaxPageSize is the largest page Clockify serves on its list endpoints.
const MaxPageSize = 5000

// DefaultPageSize is the page size the iterators ask for when none is set: big pages mean
// fewer calls against the rate limit.
const DefaultPageSize = 1000

// ListOptions selects one page of a list. Page is 1-based; zero values mean Clockify's
// defaults for one-page calls (page 1; 50 items on most lists, 10 running entries).
type ListOptions struct {
	Page     int
	PageSize int
}

// clockifyPageSize is the page size most of Clockify's lists serve when a call asks for
// none (the running entries' list serves inProgressPageSize).
const clockifyPageSize = 50

// getPage GETs one page of a list from path, whose query asks for o's page. It decodes
// the page into room for o's page size (def items, the list's default at Clockify, when
// o sets none), where a slice that grows as it fills allocates and copies every item about
// twice over (a page of 5,000 plain entries took 12 MB instead of 7; see BENCHMARKS.md),
// and copies a page that fills less than half of it into a slice of its own length, so
// that a short page (the last one, say) does not keep a full page's memory.
func getPage[T any](ctx context.Context, c *Client, path string, o ListOptions, def int) ([]T, *Response, error) {
	items := make([]T, 0, cmp.Or(o.PageSize, def))
	resp, err := c.get(ctx, path, &items)
	if err != nil {
		return nil, resp, err
	}
	if len(items) < cap(items)/2 {
		items = append(make([]T, 0, len(items)), items...)
	}
	return items, resp, nil
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

// ErrRepeatedPage is yielded by the All iterators when a page holds the same items as
// the page before it: the server (or a cache between it and the client) ignores the page
// parameter, and following it would never end. The iteration stops there, before the
// repeated items; what came before them was yielded. (With a page size of 1, an entity
// added at the list's head between two requests looks the same.)
var ErrRepeatedPage = errors.New("clockify: the server answered the same page twice")

// paginate yields every item of a paged list, one page in memory at a time. It starts at
// first.Page (or 1), asks for first.PageSize items (or DefaultPageSize, capped at maxSize),
// and stops after an error (which it yields once) or the last page: the one marked
// Last-Page: true or, where Clockify sends no Last-Page header, a short one. A short page
// marked Last-Page: false (a server serving fewer items than asked for) is followed by
// the next; an empty page always ends the list, and a page that repeats the one before
// it ends it with [ErrRepeatedPage]. It fetches nothing until ranged over, and stops when
// the consumer does.
func paginate[T any](ctx context.Context, first ListOptions, maxSize int, fetch func(context.Context, ListOptions) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		opts := first
		if opts.Page < 1 {
			opts.Page = 1
		}
		if opts.PageSize < 1 {
			opts.PageSize = min(DefaultPageSize, maxSize)
		}
		var prev pageEnds[T]
		for {
			items, resp, err := fetch(ctx, opts)
			if err == nil && prev.repeatedBy(items) {
				err = fmt.Errorf("%w: page %d repeats page %d, so the list stopped (a cache or proxy that ignores the query string can cause this)",
					ErrRepeatedPage, opts.Page, opts.Page-1)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			prev.remember(items)
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

// pageFromZero yields every item of a list whose paging Clockify does not document: it
// asks for page 0 and then page 1, and drops page 1 when it repeats page 0 (a server
// counting from 1 reads page 0 as page 1); and it ends only on an empty page (or
// Last-Page: true), since a page shorter than asked for may be the server's cap rather
// than the end. A later page that repeats the one before it ends the list with
// [ErrRepeatedPage]. Each range over it starts again from page 0.
func pageFromZero[T any](fetch func(page int) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var prev pageEnds[T]
		for page := 0; ; page++ {
			items, resp, err := fetch(page)
			repeat := err == nil && prev.repeatedBy(items)
			switch {
			case repeat && page == 1:
				continue // page 0 was page 1: the pages count from 1
			case repeat:
				err = fmt.Errorf("%w: page %d repeats page %d, so the list stopped", ErrRepeatedPage, page, page-1)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(items) == 0 {
				return
			}
			prev.remember(items)
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if resp != nil && resp.LastPage {
				return
			}
		}
	}
}

// pageEnds is a page's length and its first and last items. Two pages of one list never
// begin and end with the same items (but see ErrRepeatedPage for pages of one item), so a
// page with the same ends is the same page; and only two items are held.
type pageEnds[T any] struct {
	n          int
	head, tail T
}

// remember keeps the ends of a page that is not empty.
func (p *pageEnds[T]) remember(items []T) {
	if len(items) > 0 {
		p.n, p.head, p.tail = len(items), items[0], items[len(items)-1]
	}
}

// repeatedBy reports whether items is the page remembered, served again.
func (p *pageEnds[T]) repeatedBy(items []T) bool {
	return p.n > 0 && len(items) == p.n &&
		reflect.DeepEqual(items[0], p.head) && reflect.DeepEqual(items[p.n-1], p.tail)
}

// withQuery appends encoded query values to a path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

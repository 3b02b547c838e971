package clockifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// route is one endpoint of the fake.
type route struct {
	method  string
	prefix  string // "/api/" (core) or "/report/" (reports)
	pattern string // relative to the prefix, with {name} segments
	segs    []string
	handle  func(w http.ResponseWriter, r *http.Request, p params, userID string)
}

// params are a matched route's path parameters.
type params map[string]string

func (s *Server) buildRoutes() []route {
	core := func(method, pattern string, h func(http.ResponseWriter, *http.Request, params, string)) route {
		return route{method: method, prefix: "/api/", pattern: pattern, segs: strings.Split(pattern, "/"), handle: h}
	}
	reports := func(method, pattern string, h func(http.ResponseWriter, *http.Request, params, string)) route {
		return route{method: method, prefix: "/report/", pattern: pattern, segs: strings.Split(pattern, "/"), handle: h}
	}
	return []route{
		core(http.MethodGet, "v1/user", s.getUser),
		core(http.MethodGet, "v1/workspaces", s.listWorkspaces),
		core(http.MethodGet, "v1/workspaces/{ws}", s.getWorkspace),
		core(http.MethodGet, "v1/workspaces/{ws}/users", s.listUsers),
		core(http.MethodGet, "v1/workspaces/{ws}/projects", s.listProjects),
		core(http.MethodPost, "v1/workspaces/{ws}/projects", s.createProject),
		core(http.MethodGet, "v1/workspaces/{ws}/projects/{id}", s.getProject),
		core(http.MethodPut, "v1/workspaces/{ws}/projects/{id}", s.updateProject),
		core(http.MethodDelete, "v1/workspaces/{ws}/projects/{id}", s.deleteProject),
		core(http.MethodGet, "v1/workspaces/{ws}/user/{user}/time-entries", s.listEntries),
		core(http.MethodPost, "v1/workspaces/{ws}/user/{user}/time-entries", s.createEntry),
		core(http.MethodPatch, "v1/workspaces/{ws}/user/{user}/time-entries", s.stopTimer),
		core(http.MethodPost, "v1/workspaces/{ws}/time-entries", s.createEntry),
		core(http.MethodGet, "v1/workspaces/{ws}/time-entries/status/in-progress", s.listInProgress),
		core(http.MethodGet, "v1/workspaces/{ws}/time-entries/{id}", s.getEntry),
		core(http.MethodPut, "v1/workspaces/{ws}/time-entries/{id}", s.updateEntry),
		core(http.MethodDelete, "v1/workspaces/{ws}/time-entries/{id}", s.deleteEntry),
		core(http.MethodGet, "v1/workspaces/{ws}/webhooks", s.listWebhooks),
		core(http.MethodPost, "v1/workspaces/{ws}/webhooks", s.createWebhook),
		core(http.MethodGet, "v1/workspaces/{ws}/webhooks/{id}", s.getWebhook),
		core(http.MethodPut, "v1/workspaces/{ws}/webhooks/{id}", s.updateWebhook),
		core(http.MethodDelete, "v1/workspaces/{ws}/webhooks/{id}", s.deleteWebhook),
		core(http.MethodPatch, "v1/workspaces/{ws}/webhooks/{id}/token", s.regenerateToken),
		core(http.MethodPost, "v1/workspaces/{ws}/webhooks/{id}/logs", s.webhookLogs),
		reports(http.MethodPost, "v1/workspaces/{ws}/reports/detailed", s.detailedReport),
		core(http.MethodGet, "v1/workspaces/{ws}/entities/created", s.entityChanges(true)),
		core(http.MethodGet, "v1/workspaces/{ws}/entities/updated", s.entityChanges(false)),
		core(http.MethodGet, "v1/workspaces/{ws}/entities/deleted", s.deletedEntities),
	}
}

// Routes lists the fake's endpoints as "METHOD /prefix/pattern" (for example
// "GET /api/v1/user"), for tests that compare them with an API description.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.prefix + rt.pattern
	}
	return out
}

// match finds the route for a request. When the path matches but the method does not,
// it returns the methods the path allows. A trailing slash matches no route: Clockify's
// "No static resource" answer to an unknown path is Spring 6.1's, and Spring 6 no longer
// matches a path with a trailing slash by default.
func (s *Server) match(r *http.Request) (*route, params, []string) {
	var allowed []string
	for i := range s.routes {
		rt := &s.routes[i]
		rest, ok := strings.CutPrefix(r.URL.Path, rt.prefix)
		if !ok {
			continue
		}
		p, ok := matchSegments(rt.segs, strings.Split(rest, "/"))
		if !ok {
			continue
		}
		if rt.method == r.Method {
			return rt, p, nil
		}
		allowed = append(allowed, rt.method)
	}
	return nil, nil, allowed
}

func matchSegments(pattern, path []string) (params, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	var p params
	for i, seg := range pattern {
		if strings.HasPrefix(seg, "{") {
			if path[i] == "" {
				return nil, false
			}
			if p == nil {
				p = params{}
			}
			p[strings.Trim(seg, "{}")] = path[i]
			continue
		}
		if seg != path[i] {
			return nil, false
		}
	}
	return p, true
}

// decodeBody reads a JSON request body (at most 1 MiB) into v.
func decodeBody(r *http.Request, v any) *apiError {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errBadRequest("Could not read the request body")
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &apiError{status: http.StatusBadRequest, Message: "Malformed JSON request"}
	}
	return nil
}

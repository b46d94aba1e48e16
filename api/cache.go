package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The manifest cache. A driver's manifest is read far more often than it
// changes (phones poll it over weak links; a depot's 100 drivers fetch at
// the start of the day), so each (driver, day) keeps its rendered and
// gzipped answers under a version computed by one cheap query
// (store.ManifestVersion). A changed stop, order, household, task or
// plan changes the version and the next request rebuilds. The cache holds
// no state another process could invalidate without the database seeing
// it, so any number of API processes stay correct.
type manifestCache struct {
	mu      sync.Mutex
	entries map[manifestKey]*manifestEntry
}

type manifestKey struct {
	driver int64
	day    string
}

type manifestEntry struct {
	version string
	m       *manifest
	json    encoded
	geojson encoded
}

// encoded is a body with its gzip form and validator.
type encoded struct {
	body, gz []byte
	etag     string
}

const maxManifestEntries = 20000

func (c *manifestCache) get(k manifestKey, version string) *manifestEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil && e.version == version {
		return e
	}
	return nil
}

func (c *manifestCache) put(k manifestKey, e *manifestEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxManifestEntries {
		c.entries = map[manifestKey]*manifestEntry{} // a new day: start over
	}
	c.entries[k] = e
}

func encode(v any) (encoded, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return encoded{}, err
	}
	b = append(b, '\n')
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	if err := zw.Close(); err != nil {
		return encoded{}, err
	}
	return encoded{body: b, gz: buf.Bytes(), etag: "W/" + etagOf(b)}, nil
}

// writeEncoded answers a cached body: 304 on a matching If-None-Match, the
// gzip form to clients that accept it.
func writeEncoded(w http.ResponseWriter, r *http.Request, contentType string, e encoded) {
	h := w.Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Add("Vary", "Accept-Encoding")
	if notModified(r, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	body := e.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = e.gz
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && !strings.Contains(strings.ReplaceAll(q, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// pageCache keeps each household's rendered page for a moment: an SMS
// blast sends many households to their pages at once, and a page changes
// only when a plan or an answer changes it. An answer through this process
// drops the household's entry at once; changes made elsewhere (a re-plan,
// an SMS reply) show within pageCacheTTL.
type pageCache struct {
	mu sync.Mutex
	m  map[int64]pageEntry
}

type pageEntry struct {
	page  *householdPage
	until time.Time
}

const (
	pageCacheTTL  = 2 * time.Second
	pageCacheSize = 50000
)

func (c *pageCache) get(id int64) *householdPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok && time.Now().Before(e.until) {
		return e.page
	}
	return nil
}

func (c *pageCache) put(id int64, p *householdPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= pageCacheSize {
		c.m = map[int64]pageEntry{}
	}
	c.m[id] = pageEntry{p, time.Now().Add(pageCacheTTL)}
}

func (c *pageCache) drop(id int64) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

package api

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/go-chi/chi/v5"
)

// web holds the pages' assets, embedded so the binary works with no
// internet and no files beside it.
//
//go:embed web
var web embed.FS

//go:embed openapi.json
var openapiJSON []byte

func webFile(name string) []byte {
	b, err := fs.ReadFile(web, "web/"+name)
	if err != nil {
		panic("api: missing embedded asset " + name)
	}
	return b
}

// serveStatic serves one embedded file under /static/. Only clean, relative
// names of regular files are served: "..", absolute paths, backslashes,
// directories and anything else answer 404.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "*")
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, `\:`) || strings.HasPrefix(path.Base(name), ".") {
		writeProblemBody(w, newProblem(codeNotFound, "no such asset"))
		return
	}
	b, err := fs.ReadFile(web, "web/static/"+name)
	if err != nil {
		writeProblemBody(w, newProblem(codeNotFound, "no such asset"))
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeCacheable(w, r, ct, b)
}

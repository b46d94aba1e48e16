package api_test

import (
	"net/http"
	"testing"
)

// checkOpenAPI is replaced by the document check (openapi_test.go).
func checkOpenAPI(t *testing.T, h http.Handler) http.Handler { return h }

package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// carrierTimeout bounds one call to a carrier (below carrierLease).
const carrierTimeout = 20 * time.Second

// postCarrier POSTs body as JSON to url with headers and returns the
// answer's body, with the HTTP status classified (carrierHTTPError).
func postCarrier(ctx context.Context, c *http.Client, carrier, url string, headers map[string]string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", carrier, ErrCarrierRefused, err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if c == nil {
		c = &http.Client{Timeout: carrierTimeout}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", carrier, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusUnauthorized {
		return raw, errCarrierUnauthorized
	}
	return raw, carrierHTTPError(carrier, resp, raw)
}

// errCarrierUnauthorized: the carrier no longer takes our token; the
// connector logs in again once.
var errCarrierUnauthorized = fmt.Errorf("%w: unauthorized", ErrCarrierRefused)

// carrierSession keeps a carrier's token: it logs in when there is none,
// and once more when the carrier refuses the one it has (expired).
type carrierSession struct {
	mu    sync.Mutex
	token string
}

// with runs call with the token, logging in by login first if needed.
func (cs *carrierSession) with(ctx context.Context, login func(context.Context) (string, error), call func(token string) error) error {
	for try := 0; ; try++ {
		cs.mu.Lock()
		tok := cs.token
		cs.mu.Unlock()
		if tok == "" {
			t, err := login(ctx)
			if err != nil {
				return err
			}
			cs.mu.Lock()
			cs.token, tok = t, t
			cs.mu.Unlock()
		}
		err := call(tok)
		if !errors.Is(err, errCarrierUnauthorized) || try > 0 {
			return err
		}
		cs.mu.Lock()
		if cs.token == tok {
			cs.token = ""
		}
		cs.mu.Unlock()
	}
}

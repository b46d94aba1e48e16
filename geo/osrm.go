package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OSRM is a client for an OSRM-compatible /table service, for operators who
// run one over an OSM extract. Pairs the service cannot route (null entries)
// are filled from the great-circle model of the profile.
type OSRM struct {
	// BaseURL of the service, e.g. "http://localhost:5000".
	BaseURL string
	// Profiles maps a thugom profile name to the service's profile
	// ("motorbike" → "driving"); a missing name maps to "driving".
	Profiles map[string]string
	// Client is the HTTP client; nil means one with a 30 s timeout.
	Client *http.Client
	// Block is the most coordinates sent per request (the server's
	// max-table-size); 0 means 100. Bigger tables are fetched in blocks.
	Block int
}

type osrmTable struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

// Table fetches the travel matrix between points for the profile.
func (o *OSRM) Table(ctx context.Context, points []Point, p Profile) (Table, error) {
	if err := p.Validate(); err != nil {
		return Table{}, err
	}
	n := len(points)
	for i, pt := range points {
		if !validPoint(pt) {
			return Table{}, fmt.Errorf("osrm table: point %d is not a coordinate", i)
		}
	}
	t := Table{N: n, Durations: make([]float64, n*n), Distances: make([]float64, n*n)}
	if n == 0 {
		return t, nil
	}
	block := o.Block
	if block <= 1 {
		block = 100
	}
	half := max(block/2, 1)
	if n <= block {
		half = n
	}
	for i0 := 0; i0 < n; i0 += half {
		for j0 := 0; j0 < n; j0 += half {
			if err := o.fetchBlock(ctx, points, p, &t, i0, min(i0+half, n), j0, min(j0+half, n)); err != nil {
				return Table{}, err
			}
		}
	}
	return t, nil
}

// fetchBlock fills rows [i0,i1) × columns [j0,j1) with one request.
func (o *OSRM) fetchBlock(ctx context.Context, points []Point, p Profile, t *Table, i0, i1, j0, j1 int) error {
	// Coordinates sent: the sources, then the destinations not among them.
	var idx []int
	pos := map[int]int{}
	for i := i0; i < i1; i++ {
		pos[i] = len(idx)
		idx = append(idx, i)
	}
	for j := j0; j < j1; j++ {
		if _, ok := pos[j]; !ok {
			pos[j] = len(idx)
			idx = append(idx, j)
		}
	}
	coords := make([]string, len(idx))
	for k, i := range idx {
		coords[k] = strconv.FormatFloat(points[i].Lon, 'f', 6, 64) + "," + strconv.FormatFloat(points[i].Lat, 'f', 6, 64)
	}
	src := make([]string, 0, i1-i0)
	for i := i0; i < i1; i++ {
		src = append(src, strconv.Itoa(pos[i]))
	}
	dst := make([]string, 0, j1-j0)
	for j := j0; j < j1; j++ {
		dst = append(dst, strconv.Itoa(pos[j]))
	}
	prof := "driving"
	if v, ok := o.Profiles[p.Name]; ok && v != "" {
		prof = v
	}
	u := strings.TrimRight(o.BaseURL, "/") + "/table/v1/" + url.PathEscape(prof) + "/" + strings.Join(coords, ";") +
		"?annotations=duration,distance&sources=" + strings.Join(src, ";") + "&destinations=" + strings.Join(dst, ";")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("osrm table: %w", err)
	}
	cl := o.Client
	if cl == nil {
		cl = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := cl.Do(req)
	if err != nil {
		return fmt.Errorf("osrm table: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("osrm table: read: %w", err)
	}
	var ot osrmTable
	if err := json.Unmarshal(body, &ot); err != nil {
		return fmt.Errorf("osrm table: HTTP %d: bad JSON: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || ot.Code != "Ok" {
		return fmt.Errorf("osrm table: HTTP %d: %s %s", resp.StatusCode, ot.Code, ot.Message)
	}
	if len(ot.Durations) != i1-i0 {
		return fmt.Errorf("osrm table: %d rows of durations, want %d", len(ot.Durations), i1-i0)
	}
	for a := 0; a < i1-i0; a++ {
		if len(ot.Durations[a]) != j1-j0 || ot.Distances != nil && (len(ot.Distances) != i1-i0 || len(ot.Distances[a]) != j1-j0) {
			return fmt.Errorf("osrm table: row %d has the wrong width", a)
		}
		for b := 0; b < j1-j0; b++ {
			i, j := i0+a, j0+b
			m, s := p.Leg(points[i], points[j])
			if d := ot.Durations[a][b]; d != nil {
				s = *d
			}
			if ot.Distances != nil {
				if d := ot.Distances[a][b]; d != nil {
					m = *d
				}
			}
			t.Durations[i*t.N+j], t.Distances[i*t.N+j] = s, m
		}
	}
	return nil
}

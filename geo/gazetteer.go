package geo

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
)

//go:embed data/*.csv data/*.geojson
var dataFS embed.FS

// Point is a WGS 84 position. Named fields, so the order can never be
// confused (orb and GeoJSON are [lon, lat], h3 is (lat, lng)).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

func (p Point) orb() orb.Point { return orb.Point{p.Lon, p.Lat} }

// Structure names the administrative structure a code belongs to. GSO reuses
// numbers across structures (06112 was Thị trấn Bình Gia before 1 July 2025
// and is Xã Bình Gia after it), so a code means nothing without its structure.
type Structure string

const (
	// Structure2025 is the 65-commune structure in force from 1 July 2025.
	Structure2025 Structure = "2025"
	// StructurePre2025 is the 200-commune, 11-district structure of the GSO
	// list of 1 July 2021 (unchanged until 1 November 2024).
	StructurePre2025 Structure = "pre2025"
)

// Commune is a commune-level unit (xã or phường) of the 2025 structure.
type Commune struct {
	Code       string  `json:"code"` // 5-digit code, Structure2025
	Name       string  `json:"name"` // without type word: "Bình Gia"
	Type       string  `json:"type"` // "Xã" or "Phường"
	FullName   string  `json:"full_name"`
	NameEN     string  `json:"name_en"`
	Population int     `json:"population"`
	AreaKm2    float64 `json:"area_km2"`
	Label      Point   `json:"label_point"` // always inside the polygon
	Centroid   Point   `json:"centroid"`
	// OldCodes are the codes (GSO list of 1 January 2025, 194 units) of the
	// old communes merged whole into this one; OldCodesPartial the ones split.
	OldCodes        []string `json:"old_codes"`
	OldCodesPartial []string `json:"old_codes_partial"`
	// OldDistricts are the pre-2025 district codes the commune overlaps.
	OldDistricts []string `json:"old_districts"`
	FormedFrom   string   `json:"formed_from"`

	poly  orb.MultiPolygon
	bound orb.Bound
}

// OldCommune is a commune-level unit of the 2021 structure (StructurePre2025).
type OldCommune struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Type         string `json:"type"` // "Xã", "Phường" or "Thị trấn"
	FullName     string `json:"full_name"`
	DistrictCode string `json:"district_code"`
	DistrictName string `json:"district_name"`
	// NewCodes are the 2025 successor communes (two when the commune was split).
	NewCodes []string `json:"new_codes"`
	Postcode string   `json:"postcode"`
	// Approx is a proxy location: no public polygons exist for old communes.
	Approx         Point   `json:"approx"`
	ApproxRadiusKm float64 `json:"approx_radius_km"`
}

// District is a district-level unit of the pre-2025 structure (abolished on
// 1 July 2025, kept for old addresses).
type District struct {
	Code     string `json:"code"` // 3-digit
	Name     string `json:"name"` // "Bình Gia"
	Type     string `json:"type"` // "Huyện" or "Thành phố"
	FullName string `json:"full_name"`
	Label    Point  `json:"label_point"`
	// Seat is the 2021 code of the district's main thị trấn (the one named
	// like the district, else the first); empty for the city.
	Seat string `json:"seat"`

	poly  orb.MultiPolygon
	bound orb.Bound
}

// ObsoleteName is a commune name that ceased on 1 January 2020 (NQ 818);
// it resolves to its district only.
type ObsoleteName struct {
	Name         string `json:"name"`
	FullName     string `json:"full_name"`
	Type         string `json:"type"`
	DistrictCode string `json:"district_code"`
}

// PostOffice is a VNPost main post office (bưu cục). The source has no
// coordinates: Point is the proxy point of its old commune (±2–7 km).
type PostOffice struct {
	Code           string   `json:"code"` // VNPost 6-digit code
	Name           string   `json:"name"`
	Address        string   `json:"address"`
	Phone          string   `json:"phone"`
	OldCommuneCode string   `json:"old_commune_code"` // StructurePre2025
	CommuneCodes   []string `json:"commune_codes"`    // Structure2025
	Point          Point    `json:"point"`
	RadiusKm       float64  `json:"radius_km"`
}

// Gazetteer holds the embedded Lạng Sơn administrative data. It is immutable
// after loading and safe for concurrent use.
type Gazetteer struct {
	Communes    []Commune      // 65, sorted by code
	OldCommunes []OldCommune   // 200, sorted by code
	Districts   []District     // 11, sorted by code
	Obsolete    []ObsoleteName // 35
	PostOffices []PostOffice   // 15
	province    orb.MultiPolygon
	communeIdx  map[string]int
	oldIdx      map[string]int
	districtIdx map[string]int
	communeIx   *polyIndex
	districtIx  *polyIndex
	mapOnce     sync.Once
	mapCommunes []byte
	mapProvince []byte
	mapErr      error
}

var (
	defaultGaz     *Gazetteer
	defaultGazErr  error
	defaultGazOnce sync.Once
)

// LoadGazetteer returns the embedded gazetteer, parsed once per process.
func LoadGazetteer() (*Gazetteer, error) {
	defaultGazOnce.Do(func() { defaultGaz, defaultGazErr = loadGazetteer() })
	return defaultGaz, defaultGazErr
}

// Commune returns the 2025 commune with the given code.
func (g *Gazetteer) Commune(code string) (Commune, bool) {
	i, ok := g.communeIdx[code]
	if !ok {
		return Commune{}, false
	}
	return g.Communes[i], true
}

// OldCommune returns the 2021-structure commune with the given code.
func (g *Gazetteer) OldCommune(code string) (OldCommune, bool) {
	i, ok := g.oldIdx[code]
	if !ok {
		return OldCommune{}, false
	}
	return g.OldCommunes[i], true
}

// District returns the pre-2025 district with the given code.
func (g *Gazetteer) District(code string) (District, bool) {
	i, ok := g.districtIdx[code]
	if !ok {
		return District{}, false
	}
	return g.Districts[i], true
}

func readCSV(name string) ([]map[string]string, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, m)
	}
	return rows, nil
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func lonlat(v any) Point {
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return Point{}
	}
	lon, _ := a[0].(float64)
	lat, _ := a[1].(float64)
	return Point{Lat: lat, Lon: lon}
}

// loadGazetteer reads the embedded data, unit kind by unit kind; the
// districts come after the old communes, whose towns are their seats.
func loadGazetteer() (*Gazetteer, error) {
	g := &Gazetteer{communeIdx: map[string]int{}, oldIdx: map[string]int{}, districtIdx: map[string]int{}}
	for _, load := range []func() error{g.loadCommunes, g.loadOldCommunes, g.loadDistricts, g.loadObsolete, g.loadPostOffices, g.loadProvince} {
		if err := load(); err != nil {
			return nil, err
		}
	}
	cp := make([]orb.MultiPolygon, len(g.Communes))
	for i, c := range g.Communes {
		cp[i] = c.poly
	}
	g.communeIx = newPolyIndex(cp, 0.05)
	dp := make([]orb.MultiPolygon, len(g.Districts))
	for i, d := range g.Districts {
		dp[i] = d.poly
	}
	g.districtIx = newPolyIndex(dp, 0.08)
	return g, nil
}

// readFeatures reads the features of an embedded GeoJSON file (what: how
// errors name it).
func readFeatures(name, what string) ([]gjFeature, error) {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	fc, err := parseFeatures(raw)
	if err != nil {
		return nil, fmt.Errorf("%s geojson: %w", what, err)
	}
	return fc, nil
}

// loadCommunes reads the 2025 communes: attributes from the CSV, polygons
// from the GeoJSON.
func (g *Gazetteer) loadCommunes() error {
	fc, err := readFeatures("langson_communes_2025.geojson", "communes 2025")
	if err != nil {
		return err
	}
	polys := map[string]orb.MultiPolygon{}
	partial := map[string][]string{}
	for _, f := range fc {
		code, _ := f.Properties["code"].(string)
		mp, err := f.Geometry.multiPolygon()
		if err != nil {
			return fmt.Errorf("commune %s: %w", code, err)
		}
		polys[code] = mp
		if a, ok := f.Properties["old_codes_partial"].([]any); ok {
			for _, x := range a {
				if s, ok := x.(string); ok {
					partial[code] = append(partial[code], s)
				}
			}
		}
	}
	rows, err := readCSV("langson_communes_2025.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		c := Commune{
			Code: r["code"], Name: r["name"], Type: r["type"], FullName: r["full_name"], NameEN: r["name_en"],
			AreaKm2:    atof(r["area_km2_official"]),
			Label:      Point{atof(r["label_lat"]), atof(r["label_lon"])},
			Centroid:   Point{atof(r["lat"]), atof(r["lon"])},
			OldCodes:   strings.Fields(r["old_codes"]),
			FormedFrom: r["formed_from"],
		}
		c.Population, _ = strconv.Atoi(r["population"])
		c.OldCodesPartial = partial[c.Code]
		mp, ok := polys[c.Code]
		if !ok {
			return fmt.Errorf("commune %s has no polygon", c.Code)
		}
		c.poly, c.bound = mp, mp.Bound()
		g.Communes = append(g.Communes, c)
	}
	sort.Slice(g.Communes, func(i, j int) bool { return g.Communes[i].Code < g.Communes[j].Code })
	for i, c := range g.Communes {
		g.communeIdx[c.Code] = i
	}
	return nil
}

// loadOldCommunes reads the communes of the 2021 structure and gives each
// 2025 commune the districts it overlaps, through its old communes.
func (g *Gazetteer) loadOldCommunes() error {
	rows, err := readCSV("langson_communes_pre2025.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		o := OldCommune{
			Code: r["code"], Name: r["name"], Type: r["type"], FullName: r["full_name"],
			DistrictCode: r["district_code"], DistrictName: r["district_name"],
			NewCodes:       strings.Fields(r["new_codes_2025_07"]),
			Postcode:       r["postcode_2020"],
			Approx:         Point{atof(r["approx_lat"]), atof(r["approx_lon"])},
			ApproxRadiusKm: atof(r["approx_radius_km"]),
		}
		g.OldCommunes = append(g.OldCommunes, o)
	}
	sort.Slice(g.OldCommunes, func(i, j int) bool { return g.OldCommunes[i].Code < g.OldCommunes[j].Code })
	for i, o := range g.OldCommunes {
		g.oldIdx[o.Code] = i
	}
	distOf := map[string]map[string]bool{}
	for _, o := range g.OldCommunes {
		for _, n := range o.NewCodes {
			if distOf[n] == nil {
				distOf[n] = map[string]bool{}
			}
			distOf[n][o.DistrictCode] = true
		}
	}
	for i := range g.Communes {
		for d := range distOf[g.Communes[i].Code] {
			g.Communes[i].OldDistricts = append(g.Communes[i].OldDistricts, d)
		}
		sort.Strings(g.Communes[i].OldDistricts)
	}
	return nil
}

// loadDistricts reads the pre-2025 districts and finds each one's seat
// among the old communes.
func (g *Gazetteer) loadDistricts() error {
	fc, err := readFeatures("langson_districts_pre2025.geojson", "districts")
	if err != nil {
		return err
	}
	for _, f := range fc {
		full, _ := f.Properties["full_name"].(string)
		d := District{Code: fmt.Sprint(f.Properties["code"]), FullName: full, Label: lonlat(f.Properties["label_point"])}
		switch {
		case strings.HasPrefix(full, "Thành phố "):
			d.Type, d.Name = "Thành phố", strings.TrimPrefix(full, "Thành phố ")
		case strings.HasPrefix(full, "Huyện "):
			d.Type, d.Name = "Huyện", strings.TrimPrefix(full, "Huyện ")
		default:
			d.Name = full
		}
		mp, err := f.Geometry.multiPolygon()
		if err != nil {
			return fmt.Errorf("district %s: %w", d.Code, err)
		}
		d.poly, d.bound = mp, mp.Bound()
		g.Districts = append(g.Districts, d)
	}
	sort.Slice(g.Districts, func(i, j int) bool { return g.Districts[i].Code < g.Districts[j].Code })
	for i, d := range g.Districts {
		g.districtIdx[d.Code] = i
	}
	for _, o := range g.OldCommunes { // sorted by code: the first town wins
		if o.Type != "Thị trấn" {
			continue
		}
		d := &g.Districts[g.districtIdx[o.DistrictCode]]
		if d.Seat == "" || Fold(o.Name) == Fold(d.Name) {
			d.Seat = o.Code
		}
	}
	return nil
}

// loadObsolete reads the names of units gone before 2020.
func (g *Gazetteer) loadObsolete() error {
	rows, err := readCSV("langson_names_pre2020_obsolete.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		full := r["full_name_2019"]
		o := ObsoleteName{FullName: full, DistrictCode: r["district_code"]}
		for _, t := range []string{"Thị trấn", "Phường", "Xã"} {
			if strings.HasPrefix(full, t+" ") {
				o.Type, o.Name = t, strings.TrimPrefix(full, t+" ")
			}
		}
		if o.Name == "" {
			o.Name = full
		}
		g.Obsolete = append(g.Obsolete, o)
	}
	return nil
}

// loadPostOffices reads VNPost's post offices (bưu cục).
func (g *Gazetteer) loadPostOffices() error {
	rows, err := readCSV("langson_postoffices_vnpost.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		g.PostOffices = append(g.PostOffices, PostOffice{
			Code: r["vnpost_code"], Name: r["name"], Address: r["address"], Phone: r["phone"],
			OldCommuneCode: r["old_commune_code"], CommuneCodes: strings.Fields(r["new_commune_codes_2025"]),
			Point:    Point{atof(r["approx_lat"]), atof(r["approx_lon"])},
			RadiusKm: atof(r["approx_radius_km"]),
		})
	}
	return nil
}

// loadProvince reads the province's outline.
func (g *Gazetteer) loadProvince() error {
	raw, err := dataFS.ReadFile("data/langson_province_2025.geojson")
	if err != nil {
		return err
	}
	fc, err := parseFeatures(raw)
	if err != nil {
		return fmt.Errorf("province geojson: %w", err)
	}
	if len(fc) != 1 {
		return fmt.Errorf("province geojson: %d features, want 1", len(fc))
	}
	if g.province, err = fc[0].Geometry.multiPolygon(); err != nil {
		return fmt.Errorf("province: %w", err)
	}
	return nil
}

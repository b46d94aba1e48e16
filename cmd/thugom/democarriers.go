package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo/sim"
	"github.com/thugom/thugom/fakecarrier"
)

// demoCarriers is demo.json's "carriers": where each carrier's webhook
// posts (and with what), and the fake carrier's API the connector talks to.
type demoCarriers struct {
	ViettelPost demoCarrier `json:"viettelpost"`
	VNPost      demoCarrier `json:"vnpost"`

	vtp *fakecarrier.ViettelPost
	vnp *fakecarrier.VNPost
}

type demoCarrier struct {
	WebhookURL string `json:"webhook_url"`
	Token      string `json:"token,omitempty"` // ViettelPost's TOKEN
	Key        string `json:"key,omitempty"`   // VNPost's SignData key (jobs.VNPostSign)
	APIURL     string `json:"api_url"`         // the fake's API
}

// startDemoCarriers serves both carriers' fakes (package fakecarrier) on
// loopback and points the connectors at them through cfg's environment,
// unless THUGOM_CARRIERS names real carriers. The webhook secrets derive
// from the data directory's secret: the same on every start.
func startDemoCarriers(ctx context.Context, cfg *config) (*demoCarriers, func(), error) {
	if os.Getenv("THUGOM_CARRIERS") != "" {
		return nil, func() {}, nil
	}
	ln, err := listenDemoCarriers(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: fake carriers: %w", err)
	}
	// The fakes' passwords: new on every start, known to this process only.
	pass := rand.Text()
	vtp, vnp := fakecarrier.NewViettelPost("demo", pass), fakecarrier.NewVNPost("demo", pass)
	mux := http.NewServeMux()
	mux.Handle("/viettelpost/", vtp)
	mux.Handle("/vnpost/", vnp)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("demo: fake carriers stopped", "err", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	dc := &demoCarriers{
		ViettelPost: demoCarrier{WebhookURL: cfg.BaseURL + "/hooks/viettelpost", APIURL: base + "/viettelpost/v2"},
		VNPost:      demoCarrier{WebhookURL: cfg.BaseURL + "/hooks/vnpost", APIURL: base + "/vnpost/api/api"},
		vtp:         vtp, vnp: vnp,
	}
	env := map[string]string{
		"THUGOM_CARRIERS":             "viettelpost,vnpost",
		"THUGOM_VIETTELPOST_USERNAME": "demo", "THUGOM_VIETTELPOST_PASSWORD": pass, "THUGOM_VIETTELPOST_URL": dc.ViettelPost.APIURL,
		"THUGOM_VIETTELPOST_STATUS_URL": base + "/viettelpost" + fakecarrier.StatusPath, "THUGOM_VNPOST_STATUS_URL": base + "/vnpost" + fakecarrier.StatusPath,
		"THUGOM_VNPOST_USERNAME": "demo", "THUGOM_VNPOST_PASSWORD": pass, "THUGOM_VNPOST_URL": dc.VNPost.APIURL,
		// The label's print page, and the fakes' province ids (the demo's destinations, their codes as ids).
		"THUGOM_VIETTELPOST_PRINT_URL": base + "/viettelpost" + fakecarrier.PrintPath, "THUGOM_VNPOST_PROVINCE_IDS": "01=01,24=24,31=31,22=22,19=19,20=20,79=79,48=48,40=40,38=38,92=92,56=56",
	}
	// The secrets are read once the service loaded the data directory's.
	cfg.getenv = func(k string) string {
		switch k {
		case "THUGOM_VIETTELPOST_WEBHOOK_TOKEN":
			dc.ViettelPost.Token = demoHookSecret(cfg.Secret, "viettelpost")
			return dc.ViettelPost.Token
		case "THUGOM_VNPOST_WEBHOOK_KEY":
			dc.VNPost.Key = demoHookSecret(cfg.Secret, "vnpost")
			return dc.VNPost.Key
		}
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	cfg.demoCarriers = dc
	slog.Info("demo: fake carriers", "url", base)
	return dc, func() { _ = srv.Close() }, nil
}

// carriersAddrFile keeps, in the data directory, the address the demo's
// fake carriers listen on, so demo.json's api_url stays the same across
// restarts.
const carriersAddrFile = "carriers.addr"

// listenDemoCarriers listens on loopback for the fakes: on the address of
// the last start when it is free, else on a new port, which it keeps.
func listenDemoCarriers(ctx context.Context, cfg *config) (net.Listener, error) {
	lc := &net.ListenConfig{}
	if addr := cfg.readKept(carriersAddrFile); addr != "" {
		if host, _, err := net.SplitHostPort(addr); err == nil && host == "127.0.0.1" {
			if ln, err := lc.Listen(ctx, "tcp", addr); err == nil {
				return ln, nil
			}
		}
	}
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := cfg.keep(carriersAddrFile, ln.Addr().String()); err != nil {
		_ = ln.Close()
		return nil, err
	}
	return ln, nil
}

// demoHookSecret derives a carrier's webhook secret of the demo from the
// data directory's secret.
func demoHookSecret(secret []byte, carrier string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("demo carrier webhook: " + carrier))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// deliver makes both fakes carry and deliver what the demo hands over
// (fakecarrier.Courier: scheduled by the depot's line-haul timetable, door
// to door, the spread after it; sim.CourierArrival), their webhooks posted
// to the demo's own endpoints in real time, until ctx ends. Call it once the service runs (the webhook secrets are
// known then).
func (dc *demoCarriers) deliver(ctx context.Context, svc *service) {
	if dc == nil {
		return
	}
	arrival := func(carrier string) func(fakecarrier.Order, time.Time) (time.Time, bool) {
		return sim.CourierArrival(ctx, svc.db, carrier, func(err error) {
			slog.Warn("demo: fake carrier: no timetable", "carrier", carrier, "err", err)
		})
	}
	logf := func(carrier string) func(error) {
		return func(err error) {
			slog.Warn("demo: fake carrier: webhook not accepted, sent again later", "carrier", carrier, "err", err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	for _, c := range []struct {
		name    string
		courier *fakecarrier.Courier
	}{
		{thugom.CarrierViettelPost, dc.vtp.Deliver(dc.ViettelPost.WebhookURL, dc.ViettelPost.Token, nil, seed)},
		{thugom.CarrierVNPost, dc.vnp.Deliver(dc.VNPost.WebhookURL, dc.VNPost.Key, nil, seed+1)},
	} {
		c.courier.Arrival = arrival(c.name)
		go c.courier.Run(ctx, time.Now, 30*time.Second, logf(c.name))
	}
}

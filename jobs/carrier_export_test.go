package jobs

// ErrCarrierBusy is errCarrierBusy, for the external tests.
var ErrCarrierBusy = errCarrierBusy

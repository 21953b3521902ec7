package mercadopagoemu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// notification is the body of a Mercado Pago Webhooks notification. It
// names the resource, never its state.
type notification struct {
	ID          int64  `json:"id"`
	LiveMode    bool   `json:"live_mode"`
	Type        string `json:"type"`
	DateCreated string `json:"date_created"`
	UserID      int64  `json:"user_id"`
	APIVersion  string `json:"api_version"`
	Action      string `json:"action"`
	Data        struct {
		ID string `json:"id"`
	} `json:"data"`
}

// Sign returns the x-signature header value Mercado Pago sends: ts is the
// Unix time in seconds and v1 the hex HMAC-SHA256, keyed with the secret
// signature, of the manifest "id:<data.id>;request-id:<x-request-id>;ts:<ts>;"
// (data.id lowercased; a part whose value is absent is left out).
func Sign(secret, dataID, requestID string, ts int64) string {
	var m strings.Builder
	if dataID != "" {
		m.WriteString("id:" + strings.ToLower(dataID) + ";")
	}
	if requestID != "" {
		m.WriteString("request-id:" + requestID + ";")
	}
	m.WriteString("ts:" + strconv.FormatInt(ts, 10) + ";")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(m.String()))
	return "ts=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedNotification returns the headers and body of a "payment.updated"
// notification about paymentID, signed now with WebhookSecret as Mercado
// Pago signs it. Each call is a new notification (a new id and
// x-request-id); the payment need not exist.
func (e *Emulator) SignedNotification(paymentID string) (http.Header, []byte) {
	return e.SignedNotificationAt(paymentID, time.Now())
}

// SignedNotificationAt is SignedNotification signed as of at (for stale
// deliveries).
func (e *Emulator) SignedNotificationAt(paymentID string, at time.Time) (http.Header, []byte) {
	e.mu.Lock()
	e.nextNotif++
	id := e.nextNotif
	e.mu.Unlock()
	return signedNotification(id, paymentID, "payment.updated", at)
}

func signedNotification(id int64, paymentID, action string, at time.Time) (http.Header, []byte) {
	n := notification{
		ID: id, Type: "payment", DateCreated: mpTime(at), UserID: CollectorID,
		APIVersion: "v1", Action: action,
	}
	n.Data.ID = paymentID
	body, _ := json.Marshal(n)
	requestID := newRequestID()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", requestID)
	h.Set("X-Signature", Sign(WebhookSecret, paymentID, requestID, at.Unix()))
	return h, body
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// SetAutoNotify makes the emulator deliver, as Mercado Pago does, a signed
// notification to a payment's notification_url (with ?data.id=…&type=payment)
// each time the payment is created or changes state. Off by default.
func (e *Emulator) SetAutoNotify(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.autoNotify = on
}

// DeliveryErrors returns the failures of automatic deliveries so far (a
// transport error or a non-2xx answer).
func (e *Emulator) DeliveryErrors() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.deliveryErr...)
}

// takeNotifications drains the changed payments (e.mu held) and returns a
// function, to call after unlocking, that starts their deliveries.
func (e *Emulator) takeNotifications() func() {
	changed := e.changed
	e.changed = nil
	if !e.autoNotify {
		return func() {}
	}
	type delivery struct {
		url  string
		h    http.Header
		body []byte
	}
	var ds []delivery
	for _, id := range changed {
		p := e.payments[id]
		if p == nil || p.notificationURL == "" {
			continue
		}
		u, err := url.Parse(p.notificationURL)
		if err != nil {
			e.deliveryErr = append(e.deliveryErr, err)
			continue
		}
		q := u.Query()
		q.Set("data.id", strconv.FormatInt(id, 10))
		q.Set("type", "payment")
		u.RawQuery = q.Encode()
		action := "payment.updated"
		if p.updated.Equal(p.created) {
			action = "payment.created"
		}
		e.nextNotif++
		h, body := signedNotification(e.nextNotif, strconv.FormatInt(id, 10), action, time.Now())
		ds = append(ds, delivery{url: u.String(), h: h, body: body})
	}
	return func() {
		for _, d := range ds {
			e.srv.Deliver(d.url, d.h, d.body, func(status int, err error) {
				switch {
				case err != nil:
					err = fmt.Errorf("mercadopagoemu: notify %s: %w", d.url, err)
				case status/100 != 2:
					err = fmt.Errorf("mercadopagoemu: notify %s: %d %s", d.url, status, http.StatusText(status))
				default:
					return
				}
				e.mu.Lock()
				e.deliveryErr = append(e.deliveryErr, err)
				e.mu.Unlock()
			})
		}
	}
}

package domain

import (
	"encoding/json"
	"strconv"
	"time"
)

// marshalCreditResult returns json.Marshal(r), the stored answer of an
// idempotency record: every spend with a key writes one inside the group
// commit's serial section, where json.Marshal's reflection was a sixth of
// the leader's time. The common result (plain ASCII strings, no metadata,
// UTC times) is appended by hand, byte for byte as json.Marshal writes it;
// anything else goes to json.Marshal itself.
func marshalCreditResult(r CreditResult) ([]byte, error) {
	if b, ok := appendCreditResult(make([]byte, 0, 512+256*len(r.Balance.Grants)), r); ok {
		return b, nil
	}
	return json.Marshal(r)
}

// appendCreditResult appends r as json.Marshal encodes it; false when r
// holds a value it leaves to json.Marshal (see marshalCreditResult).
func appendCreditResult(b []byte, r CreditResult) ([]byte, bool) {
	e, bal := r.Entry, r.Balance
	if e.Metadata != nil {
		return b, false
	}
	var ok bool
	b = append(b, `{"Entry":{"ID":`...)
	if b, ok = appendPlain(b, e.ID); !ok {
		return b, false
	}
	b = append(b, `,"OrgID":`...)
	if b, ok = appendPlain(b, e.OrgID); !ok {
		return b, false
	}
	b = append(b, `,"Seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"Kind":`...)
	if b, ok = appendPlain(b, string(e.Kind)); !ok {
		return b, false
	}
	b = append(b, `,"Amount":`...)
	b = strconv.AppendInt(b, e.Amount, 10)
	b = append(b, `,"BalanceAfter":`...)
	b = strconv.AppendInt(b, e.BalanceAfter, 10)
	b = append(b, `,"Allocations":`...)
	if e.Allocations == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range e.Allocations {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"grantId":`...)
			if b, ok = appendPlain(b, a.GrantID); !ok {
				return b, false
			}
			b = append(b, `,"amount":`...)
			b = strconv.AppendInt(b, a.Amount, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"Reason":`...)
	if b, ok = appendPlain(b, e.Reason); !ok {
		return b, false
	}
	b = append(b, `,"Metadata":null,"ActorKind":`...)
	if b, ok = appendPlain(b, string(e.ActorKind)); !ok {
		return b, false
	}
	b = append(b, `,"ActorID":`...)
	if b, ok = appendPlain(b, e.ActorID); !ok {
		return b, false
	}
	b = append(b, `,"CreatedAt":`...)
	if b, ok = appendUTC(b, e.CreatedAt); !ok {
		return b, false
	}
	b = append(b, `},"Balance":{"OrgID":`...)
	if b, ok = appendPlain(b, bal.OrgID); !ok {
		return b, false
	}
	b = append(b, `,"Total":`...)
	b = strconv.AppendInt(b, bal.Total, 10)
	b = append(b, `,"Free":`...)
	b = strconv.AppendInt(b, bal.Free, 10)
	b = append(b, `,"Paid":`...)
	b = strconv.AppendInt(b, bal.Paid, 10)
	b = append(b, `,"Version":`...)
	b = strconv.AppendInt(b, bal.Version, 10)
	b = append(b, `,"UpdatedAt":`...)
	if b, ok = appendUTC(b, bal.UpdatedAt); !ok {
		return b, false
	}
	b = append(b, `,"OrgStatus":`...)
	if b, ok = appendPlain(b, string(bal.OrgStatus)); !ok {
		return b, false
	}
	b = append(b, `,"RechargeBelow":`...)
	b = strconv.AppendInt(b, bal.RechargeBelow, 10)
	b = append(b, `,"LowBalanceBelow":`...)
	b = strconv.AppendInt(b, bal.LowBalanceBelow, 10)
	b = append(b, `,"LowBalanceAlerted":`...)
	b = strconv.AppendBool(b, bal.LowBalanceAlerted)
	b = append(b, `,"Grants":`...)
	if bal.Grants == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, g := range bal.Grants {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendGrant(b, g); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	return append(b, "}}"...), true
}

// appendGrant appends g as json.Marshal encodes it.
func appendGrant(b []byte, g Grant) ([]byte, bool) {
	var ok bool
	b = append(b, `{"ID":`...)
	if b, ok = appendPlain(b, g.ID); !ok {
		return b, false
	}
	b = append(b, `,"OrgID":`...)
	if b, ok = appendPlain(b, g.OrgID); !ok {
		return b, false
	}
	b = append(b, `,"Kind":`...)
	if b, ok = appendPlain(b, string(g.Kind)); !ok {
		return b, false
	}
	b = append(b, `,"Amount":`...)
	b = strconv.AppendInt(b, g.Amount, 10)
	b = append(b, `,"Remaining":`...)
	b = strconv.AppendInt(b, g.Remaining, 10)
	b = append(b, `,"ExpiresAt":`...)
	if g.ExpiresAt == nil {
		b = append(b, "null"...)
	} else if b, ok = appendUTC(b, *g.ExpiresAt); !ok {
		return b, false
	}
	b = append(b, `,"OrderID":`...)
	if b, ok = appendPlain(b, g.OrderID); !ok {
		return b, false
	}
	b = append(b, `,"Reason":`...)
	if b, ok = appendPlain(b, g.Reason); !ok {
		return b, false
	}
	b = append(b, `,"CreatedAt":`...)
	if b, ok = appendUTC(b, g.CreatedAt); !ok {
		return b, false
	}
	return append(b, '}'), true
}

// appendPlain appends s quoted when json.Marshal writes it as it is:
// printable ASCII other than the quote, the backslash and the characters
// it escapes for HTML (<, >, &).
func appendPlain(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendUTC appends t quoted in RFC 3339 with nanoseconds, as
// time.Time.MarshalJSON does, when t is at offset zero in years 0-9999.
func appendUTC(b []byte, t time.Time) ([]byte, bool) {
	if _, off := t.Zone(); off != 0 {
		return b, false
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

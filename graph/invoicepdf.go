package graph

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
	"github.com/tallyhq/tally/graph/httperror"
)

// InvoicePDF returns the handler of GET (and HEAD) /invoices/{id}.pdf and
// /credit-notes/{id}.pdf, the paths of Invoice.pdfUrl and
// CreditNote.pdfUrl: {id} is the invoice's or credit note's global ID,
// path-escaped or not. Both are authorized exactly like the invoice query
// (a credit note like the invoice it refers to), from the actor the
// authentication middleware put in the request context (mount it behind
// the same auth.Authenticator.Middleware as /graphql, on both paths): 401
// without credentials, 404 for a malformed ID or a document of an org the
// caller does not belong to, 403 for a role that may not see invoices. The
// PDF is rendered by invoicepdf.Render or invoicepdf.RenderCreditNote with
// issuer as the seller and served inline as "<number>.pdf", privately
// cacheable and revalidated by ETag; neither document changes once issued.
// Errors are GraphQL-shaped JSON bodies with extensions.code; browser
// origins are allowed as opts.AllowedOrigins says, and internal errors go
// to opts.Logger.
func InvoicePDF(svc *domain.Service, issuer invoicepdf.Issuer, opts Options) http.Handler {
	opts = opts.withDefaults()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, "use GET", domain.CodeInvalidInput, "method")
			return
		}
		w.Header().Set("Cache-Control", "no-store") // errors; a PDF replaces it
		if _, signedIn := domain.ActorFrom(r.Context()); !signedIn {
			writeCodedError(w, domain.Errorf(domain.CodeUnauthenticated, "sign in required"))
			return
		}
		typ, id, ok := pdfTargetOf(r.URL.Path)
		if !ok {
			writeCodedError(w, domain.NotFound("invoice"))
			return
		}
		var (
			number string
			buf    bytes.Buffer
			err    error
		)
		if typ == typeCreditNote {
			var cn domain.CreditNote
			if cn, err = svc.CreditNote(r.Context(), id); err == nil {
				number = cn.Number
				err = renderPDF(invoicepdf.RenderCreditNote(&buf, cn, issuer))
			}
		} else {
			var inv domain.Invoice
			if inv, err = svc.Invoice(r.Context(), id); err == nil {
				number = inv.Number
				err = renderPDF(invoicepdf.Render(&buf, inv, issuer))
			}
		}
		if err != nil {
			if domain.IsCode(err, domain.CodeInternal) {
				opts.Logger.ErrorContext(r.Context(), "invoice pdf", "error", err, "path", r.URL.Path, "number", number)
			}
			writeCodedError(w, err)
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		hdr := w.Header()
		hdr.Set("Content-Type", "application/pdf")
		hdr.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": number + ".pdf"}))
		hdr.Set("Cache-Control", "private, no-cache")
		hdr.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		hdr.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, number+".pdf", time.Time{}, bytes.NewReader(buf.Bytes()))
	})
	return cors(opts, corsDownload, h)
}

// renderPDF makes a rendering failure an internal error.
func renderPDF(err error) error {
	if err != nil {
		return domain.Internal(err)
	}
	return nil
}

// pdfTargetOf returns the GraphQL type (Invoice or CreditNote) and domain
// ID of the document a PDF path names: the (unescaped) rest of the path
// after its first "/invoices/" or "/credit-notes/", without ".pdf", which
// must be a global ID of that type.
func pdfTargetOf(path string) (typ, id string, ok bool) {
	for _, t := range []struct{ prefix, typ string }{
		{invoicePathPrefix, typeInvoice}, {creditNotePathPrefix, typeCreditNote},
	} {
		i := strings.Index(path, t.prefix)
		if i < 0 {
			continue
		}
		gid, ok := strings.CutSuffix(path[i+len(t.prefix):], invoicePathSuffix)
		if !ok {
			continue
		}
		if id, err := decodeIDOf("id", gid, t.typ); err == nil {
			return t.typ, id, true
		}
	}
	return "", "", false
}

// writeCodedError answers a PDF download with err's code, at its HTTP
// status, and its client-safe message; anything unexpected is a 500
// INTERNAL without its cause.
func writeCodedError(w http.ResponseWriter, err error) {
	if domain.ErrorCode(err) == domain.CodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	httperror.WriteError(w, err)
}

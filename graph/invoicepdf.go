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

// InvoicePDF returns the handler of GET (and HEAD) /invoices/{id}.pdf, the
// path of Invoice.pdfUrl: {id} is the invoice's global ID, path-escaped or
// not. It is authorized exactly like the invoice query, from the actor the
// authentication middleware put in the request context (mount it behind
// the same auth.Authenticator.Middleware as /graphql): 401 without
// credentials, 404 for a malformed ID or an invoice of an org the caller
// does not belong to, 403 for a role that may not see invoices. The PDF is
// rendered by invoicepdf.Render with issuer as the seller and served inline
// as "<number>.pdf", privately cacheable and revalidated by ETag. Errors
// are GraphQL-shaped JSON bodies with extensions.code; browser origins are
// allowed as opts.AllowedOrigins says, and internal errors go to
// opts.Logger.
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
		id, ok := invoiceIDOf(r.URL.Path)
		if !ok {
			writeCodedError(w, domain.NotFound("invoice"))
			return
		}
		inv, err := svc.Invoice(r.Context(), id)
		if err != nil {
			if domain.IsCode(err, domain.CodeInternal) {
				opts.Logger.ErrorContext(r.Context(), "invoice pdf: load", "error", err, "path", r.URL.Path)
			}
			writeCodedError(w, err)
			return
		}
		var buf bytes.Buffer
		if err := invoicepdf.Render(&buf, inv, issuer); err != nil {
			opts.Logger.ErrorContext(r.Context(), "invoice pdf: render", "error", err, "invoice", inv.Number)
			writeCodedError(w, domain.Internal(err))
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		hdr := w.Header()
		hdr.Set("Content-Type", "application/pdf")
		hdr.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": inv.Number + ".pdf"}))
		hdr.Set("Cache-Control", "private, no-cache")
		hdr.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		hdr.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, inv.Number+".pdf", time.Time{}, bytes.NewReader(buf.Bytes()))
	})
	return cors(opts, corsDownload, h)
}

// invoiceIDOf returns the domain ID of the invoice an /invoices/{id}.pdf
// path names: the (unescaped) rest of the path after its first
// "/invoices/", without ".pdf", which must be an Invoice global ID.
func invoiceIDOf(path string) (string, bool) {
	i := strings.Index(path, invoicePathPrefix)
	if i < 0 {
		return "", false
	}
	gid, ok := strings.CutSuffix(path[i+len(invoicePathPrefix):], invoicePathSuffix)
	if !ok {
		return "", false
	}
	id, err := decodeIDOf("id", gid, typeInvoice)
	return id, err == nil
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

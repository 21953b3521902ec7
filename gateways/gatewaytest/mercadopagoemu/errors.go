package mercadopagoemu

import "net/http"

// apiError is Mercado Pago's error body.
type apiError struct {
	Message string  `json:"message"`
	Error   string  `json:"error"`
	Status  int     `json:"status"`
	Cause   []cause `json:"cause"`
}

// cause is one entry of an error's cause list. The codes the emulator uses
// follow Mercado Pago's published list where one exists.
type cause struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
	Data        any    `json:"data"`
}

func apiErr(status int, message, kind string, causes ...cause) apiError {
	if causes == nil {
		causes = []cause{}
	}
	return apiError{Message: message, Error: kind, Status: status, Cause: causes}
}

// badRequest is a 400 whose message is the first cause's description.
func badRequest(code int, description string) (int, any) {
	return http.StatusBadRequest, apiErr(http.StatusBadRequest, description, "bad_request", cause{Code: code, Description: description})
}

func notFound(code int, description string) (int, any) {
	return http.StatusNotFound, apiErr(http.StatusNotFound, description, "not_found", cause{Code: code, Description: description})
}

// Error causes the emulator answers with.
const (
	codePaymentNotFound    = 2000
	codeTokenNotFound      = 2006
	codePaymentMethod      = 3011
	codeInstallments       = 3032
	codeAmount             = 4037
	codePayerEmail         = 4050
	codeRefundAmount       = 4040
	codeNotRefundable      = 4041
	codePreferenceNotFound = 2001
	codeInvalidJSON        = 4001
)

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/tallyhq/tally/domain"
)

// fixtureTargets pairs the fixture's orgs with their GraphQL IDs (the IDs
// consumeCredits takes) and API keys, in fixture order.
func fixtureTargets(fx fixture) []Target {
	out := make([]Target, len(fx.Orgs))
	for i, o := range fx.Orgs {
		out[i] = Target{OrgID: orgGlobalID(o.ID), APIKey: o.APIKey, ID: o.ID}
	}
	return out
}

// graphQL posts one query and decodes its data into out; any GraphQL error
// or non-200 answer fails.
func graphQL(ctx context.Context, endpoint, authorization, query string, out any) error {
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return domain.Internal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return domain.InvalidInput("url", "bad server URL: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authorization)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return domain.Internal(fmt.Errorf("POST %s: %w", endpoint, err))
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return domain.Internal(fmt.Errorf("POST %s: %w", endpoint, err))
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || res.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		return domain.Internal(fmt.Errorf("POST %s: HTTP %d: %s", endpoint, res.StatusCode, clip(raw)))
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return domain.Internal(fmt.Errorf("POST %s: decode data: %w", endpoint, err))
	}
	return nil
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
)

// viewerOrgsQuery lists the benchmark owner's orgs with their global IDs.
const viewerOrgsQuery = `{ viewer { memberships { org { id name } } } }`

// resolveTargets asks the server, as the benchmark owner, for the global
// IDs of the fixture's orgs (the IDs consumeCredits takes) and pairs them
// with the orgs' API keys, in fixture order.
func resolveTargets(ctx context.Context, endpoint string, jwtSecret string, fx fixture) ([]Target, error) {
	token, err := auth.Mint([]byte(jwtSecret), auth.Claims{
		Subject: fx.Owner.Subject, Email: fx.Owner.Email, Name: fx.Owner.Name, TTL: time.Hour,
	})
	if err != nil {
		return nil, domain.Internal(fmt.Errorf("mint the owner's token: %w", err))
	}
	var data struct {
		Viewer struct {
			Memberships []struct {
				Org struct{ ID, Name string } `json:"org"`
			} `json:"memberships"`
		} `json:"viewer"`
	}
	if err := graphQL(ctx, endpoint, "Bearer "+token, viewerOrgsQuery, &data); err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(data.Viewer.Memberships))
	for _, m := range data.Viewer.Memberships {
		ids[m.Org.Name] = m.Org.ID
	}
	targets := make([]Target, len(fx.Orgs))
	for i, o := range fx.Orgs {
		id, ok := ids[o.Name]
		if !ok {
			return nil, domain.Internal(fmt.Errorf("the server does not list org %q among the owner's memberships", o.Name))
		}
		targets[i] = Target{OrgID: id, APIKey: o.APIKey}
	}
	return targets, nil
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

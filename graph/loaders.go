package graph

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// loaderWait is how long a loader collects keys before it runs a batch.
const loaderWait = 2 * time.Millisecond

// loaders batch the relationship fields of one GraphQL operation: one
// domain call per field kind and resolver level instead of one per object.
// The loaders are built on first use, so an operation without relationship
// fields (a balance read) builds none.
type loaders struct {
	svc  *domain.Service
	once sync.Once
	set  atomic.Pointer[loaderSet] // nil until first used
}

// loaderSet is one operation's loaders.
type loaderSet struct {
	users  *dataloader.Loader[string, *model.User]
	orgs   *dataloader.Loader[string, *model.Org]
	grants *dataloader.Loader[string, *model.CreditGrant]
	orders *dataloader.Loader[string, *model.Order]
	// wholeLedger tells, per org, whether the caller reads every ledger
	// entry (domain.Service.ReadsWholeLedger).
	wholeLedger *dataloader.Loader[string, *bool]
}

// newLoaders returns the loaders of one operation over svc's batch methods.
func newLoaders(svc *domain.Service) *loaders { return &loaders{svc: svc} }

// get returns the loaders, building them on first use.
func (l *loaders) get() *loaderSet {
	l.once.Do(func() {
		svc := l.svc
		l.set.Store(&loaderSet{
			users:       newLoader(svc.UsersByIDs, toUser, "user"),
			orgs:        newLoader(svc.OrgsByIDs, toOrg, "org"),
			grants:      newLoader(svc.GrantsByIDs, toGrant, "grant"),
			orders:      newLoader(visibleOrders(svc), toOrder, "order"),
			wholeLedger: newLoader(svc.ReadsWholeLedger, func(b bool) *bool { return &b }, "org"),
		})
	})
	return l.set.Load()
}

// newLoader builds a loader whose batch asks load once for the distinct
// keys and answers one result per key, in key order; a key load did not
// return is NOT_FOUND.
func newLoader[T, M any](load func(context.Context, []string) (map[string]T, error), conv func(T) *M, what string) *dataloader.Loader[string, *M] {
	batch := func(ctx context.Context, keys []string) []*dataloader.Result[*M] {
		out := make([]*dataloader.Result[*M], len(keys))
		found, err := load(ctx, distinct(keys))
		for i, k := range keys {
			switch v, ok := found[k]; {
			case err != nil:
				out[i] = &dataloader.Result[*M]{Error: err}
			case !ok:
				out[i] = &dataloader.Result[*M]{Error: domain.NotFound(what)}
			default:
				out[i] = &dataloader.Result[*M]{Data: conv(v)}
			}
		}
		return out
	}
	return dataloader.NewBatchedLoader(batch,
		dataloader.WithWait[string, *M](loaderWait),
		dataloader.WithBatchCapacity[string, *M](domain.MaxPageSize))
}

func distinct(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// clear forgets every cached object, so a long-lived subscription does not
// serve stale grants in its next event. Loaders never used stay unbuilt:
// a subscription whose events read no relationship builds none.
func (l *loaders) clear() {
	s := l.set.Load()
	if s == nil {
		return
	}
	s.users.ClearAll()
	s.orgs.ClearAll()
	s.grants.ClearAll()
	s.orders.ClearAll()
	s.wholeLedger.ClearAll() // a role may change between two events
}

type loadersKey struct{}

// withLoaders returns ctx carrying l.
func withLoaders(ctx context.Context, l *loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// loadersFrom returns the operation's loaders.
func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// loadersMiddleware gives every GraphQL operation (a request, or one
// subscription) its own loaders, so cached objects never outlive it.
func loadersMiddleware(svc *domain.Service) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(withLoaders(ctx, newLoaders(svc)))
	}
}

func (l *loaders) user(ctx context.Context, id string) (*model.User, error) {
	return l.get().users.Load(ctx, id)()
}

func (l *loaders) org(ctx context.Context, id string) (*model.Org, error) {
	return l.get().orgs.Load(ctx, id)()
}

func (l *loaders) grant(ctx context.Context, id string) (*model.CreditGrant, error) {
	return l.get().grants.Load(ctx, id)()
}

// readsWholeLedger reports whether the caller reads every ledger entry of
// org orgID; false for an org they may not read at all.
func (l *loaders) readsWholeLedger(ctx context.Context, orgID string) (bool, error) {
	ok, err := l.get().wholeLedger.Load(ctx, orgID)()
	if domain.IsCode(err, domain.CodeNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return *ok, nil
}

// order returns an order the caller may see, NOT_FOUND for any other.
func (l *loaders) order(ctx context.Context, id string) (*model.Order, error) {
	return l.get().orders.Load(ctx, id)()
}

// visibleOrders reads orders one by one through svc.Order, which
// authorizes each (the domain has no batch read of orders), and keeps
// those the caller may see: an order of another org, or one the caller's
// role may not see, is left out (NOT_FOUND to the loader).
func visibleOrders(svc *domain.Service) func(context.Context, []string) (map[string]domain.Order, error) {
	return func(ctx context.Context, ids []string) (map[string]domain.Order, error) {
		out := make(map[string]domain.Order, len(ids))
		for _, id := range ids {
			o, err := svc.Order(ctx, id)
			switch domain.ErrorCode(err) {
			case "":
				out[id] = o
			case domain.CodeNotFound, domain.CodeForbidden, domain.CodeUnauthenticated:
			default:
				return nil, err
			}
		}
		return out, nil
	}
}

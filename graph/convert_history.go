package graph

import (
	"sort"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// typeOrgEvent is the type an org event's ID carries (events are read
// through Org.history, not node()).
const typeOrgEvent = "OrgEvent"

func toOrgEvent(ev domain.OrgEvent) *model.OrgEvent {
	names := make([]string, 0, len(ev.Detail))
	for k := range ev.Detail {
		names = append(names, k)
	}
	sort.Strings(names)
	detail := make([]*model.OrgEventDetail, len(names))
	for i, k := range names {
		detail[i] = &model.OrgEventDetail{Name: k, Value: ev.Detail[k]}
	}
	return &model.OrgEvent{
		ID: EncodeID(typeOrgEvent, ev.ID), Kind: model.OrgEventKind(ev.Kind), Detail: detail,
		CreatedAt: ev.CreatedAt, Notified: ev.SentAt != nil, SentAt: ev.SentAt,
	}
}

func toOrgEventConnection(c domain.Connection[domain.OrgEvent]) *model.OrgEventConnection {
	out := &model.OrgEventConnection{Edges: make([]*model.OrgEventEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.OrgEventEdge{Cursor: e.Cursor, Node: toOrgEvent(e.Node)}
	}
	return out
}

func toLowBalanceAlert(a domain.LowBalanceAlert) *model.LowBalanceAlert {
	return &model.LowBalanceAlert{Threshold: a.Threshold, Alerted: a.Alerted}
}

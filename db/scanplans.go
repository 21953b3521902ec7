package db

import (
	"reflect"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// maxPlannedConns bounds the connections a scanPlans remembers; past it,
// it forgets them all (closed connections' plans would otherwise stay).
const maxPlannedConns = 256

// scanPlans scans the rows of one hot statement with pgx scan plans kept
// per connection. pgx plans every column of every Rows afresh (a lookup
// and a few allocations per column), which for a wide row read on every
// request is a good part of reading it. The plans of a connection are
// made by its own type map and, like pgx's, used only by whoever holds
// the connection; they are made again when the row's columns or the
// destinations' types differ from those they were made for.
type scanPlans struct {
	mu    sync.Mutex
	conns map[*pgtype.Map]*rowPlan
}

// rowPlan is one connection's plans for one shape of row.
type rowPlan struct {
	oids    []uint32
	formats []int16
	types   []reflect.Type
	plans   []pgtype.ScanPlan
}

// matches reports whether p was made for these columns and destinations.
func (p *rowPlan) matches(fds []pgconn.FieldDescription, dest []any) bool {
	if len(p.plans) != len(dest) || len(fds) != len(dest) {
		return false
	}
	for i, fd := range fds {
		if p.oids[i] != fd.DataTypeOID || p.formats[i] != fd.Format || p.types[i] != reflect.TypeOf(dest[i]) {
			return false
		}
	}
	return true
}

// plan returns the plans for the current row of rows into dest.
func (s *scanPlans) plan(m *pgtype.Map, fds []pgconn.FieldDescription, dest []any) *rowPlan {
	s.mu.Lock()
	p := s.conns[m]
	s.mu.Unlock()
	if p != nil && p.matches(fds, dest) {
		return p
	}
	p = &rowPlan{
		oids: make([]uint32, len(dest)), formats: make([]int16, len(dest)),
		types: make([]reflect.Type, len(dest)), plans: make([]pgtype.ScanPlan, len(dest)),
	}
	for i, fd := range fds {
		p.oids[i], p.formats[i], p.types[i] = fd.DataTypeOID, fd.Format, reflect.TypeOf(dest[i])
		p.plans[i] = m.PlanScan(fd.DataTypeOID, fd.Format, dest[i])
	}
	s.mu.Lock()
	if s.conns == nil || len(s.conns) >= maxPlannedConns {
		s.conns = make(map[*pgtype.Map]*rowPlan)
	}
	s.conns[m] = p
	s.mu.Unlock()
	return p
}

// scan is rows.Scan(dest...) for the current row, with the kept plans.
func (s *scanPlans) scan(rows pgx.Rows, dest ...any) error {
	m, fds, values := rows.TypeMap(), rows.FieldDescriptions(), rows.RawValues()
	if m == nil || len(fds) != len(dest) || len(values) != len(dest) {
		return rows.Scan(dest...) // pgx words the error
	}
	p := s.plan(m, fds, dest)
	for i, d := range dest {
		if d == nil {
			continue
		}
		if err := p.plans[i].Scan(values[i], d); err != nil {
			return pgx.ScanArgError{ColumnIndex: i, FieldName: fds[i].Name, Err: err}
		}
	}
	return nil
}

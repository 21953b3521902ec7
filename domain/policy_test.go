package domain

import "testing"

// TestRoleAllows pins the role table (README, Roles), row by row.
func TestRoleAllows(t *testing.T) {
	all := []Role{RoleOwner, RoleAdmin, RoleBilling, RoleMember}
	tests := []struct {
		action Action
		want   map[Role]bool
	}{
		{ActionReadOrg, map[Role]bool{RoleOwner: true, RoleAdmin: true, RoleBilling: true, RoleMember: true}},
		{ActionReadBalance, map[Role]bool{RoleOwner: true, RoleAdmin: true, RoleBilling: true, RoleMember: true}},
		{ActionSpend, map[Role]bool{RoleOwner: true, RoleAdmin: true, RoleBilling: true, RoleMember: true}},
		{ActionManageMembers, map[Role]bool{RoleOwner: true, RoleAdmin: true}},
		{ActionManageAPIKeys, map[Role]bool{RoleOwner: true, RoleAdmin: true}},
		{ActionBilling, map[Role]bool{RoleOwner: true, RoleBilling: true}},
		{ActionOwn, map[Role]bool{RoleOwner: true}},
	}
	for _, tt := range tests {
		for _, r := range all {
			if got := RoleAllows(r, tt.action); got != tt.want[r] {
				t.Errorf("RoleAllows(%s, %s) = %v, want %v", r, tt.action, got, tt.want[r])
			}
		}
	}
}

func TestMoneyDecimal(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{500, EUR}, "5.00"},
		{Money{5, USD}, "0.05"},
		{Money{123456, BRL}, "1234.56"},
		{Money{-1050, EUR}, "-10.50"},
		{Money{0, EUR}, "0.00"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("%#v.Decimal() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// Package gateways holds the registry of payment gateway plugins and the
// router that picks one for a purchase. Each provider lives in its own
// subpackage (sandbox, stripe, paypal, installments) and implements
// domain.Gateway; gatewaytest holds the contract suite every plugin passes.
package gateways

// Tally's typed client for single-page apps: see README "Use it from your SPA".
export { createClient, withToken, authorization, websocketURL } from "./client";
export type { ClientOptions, TallyClient, Transport, Sink, TokenSource, Document } from "./client";
export { ERROR_CODES, TallyError, errorCode, isErrorCode, fromGraphQLErrors, toTallyError, closeCode } from "./errors";
export type { ErrorCode, GraphQLErrorJSON, TallyErrorInit } from "./errors";
export { resumeCheckout } from "./checkout";
export type { NextActionLike, ResumeOptions, ResumeResult } from "./checkout";
export { watchOrder, OrderNotPaidError, PAID_STATUSES, UNPAID_END_STATUSES } from "./orders";
export type { WatchedOrder, WatchOrderOptions } from "./orders";
export { parseAmount } from "./amount";
export type { ParsedAmount } from "./amount";
export { addToCart, cartRows, findDraft, itemInput, payDraft, repriceDraft } from "./cart";
export type { AddToCartOptions, CartItem, CartOrder, CartRow, CheckoutCart, PayDraftOptions, PayDraftResult } from "./cart";
export { graphql } from "../gql";

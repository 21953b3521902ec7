/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n": typeof types.BillingViewerDocument,
    "\n  mutation BillingCreateOrg($input: CreateOrgInput!) {\n    createOrg(input: $input) { org { id name currency country status } }\n  }\n": typeof types.BillingCreateOrgDocument,
    "\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n": typeof types.BalanceFieldsFragmentDoc,
    "\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n": typeof types.BillingOverviewDocument,
    "\n  subscription BillingBalanceUpdated($orgId: ID!) {\n    balanceUpdated(orgId: $orgId) {\n      balance { ...BalanceFields }\n      entry { id kind amount reason }\n    }\n  }\n": typeof types.BillingBalanceUpdatedDocument,
    "\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      recurringMonths\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n": typeof types.BillingPacksDocument,
    "\n  mutation BillingPurchase($input: PurchasePackInput!) {\n    purchasePack(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": typeof types.BillingPurchaseDocument,
    "\n  query BillingTopUpOptions($currency: Currency!) {\n    topUpOptions(currency: $currency) {\n      credits\n      per { amount currency }\n      presets { amount amountMinor currency }\n      min { amount amountMinor currency }\n      max { amount amountMinor currency }\n      validity\n      rounding\n    }\n  }\n": typeof types.BillingTopUpOptionsDocument,
    "\n  query BillingTopUpQuote($orgId: ID!, $amount: String!) {\n    topUpQuote(orgId: $orgId, amount: $amount) {\n      credits\n      rounding\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      taxRateBasisPoints\n      total { amount currency }\n    }\n  }\n": typeof types.BillingTopUpQuoteDocument,
    "\n  mutation BillingTopUp($input: TopUpInput!) {\n    topUp(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": typeof types.BillingTopUpDocument,
    "\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }\n      }\n    }\n  }\n": typeof types.BillingOrdersDocument,
    "\n  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {\n    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }\n  }\n": typeof types.BillingCartInstallmentsDocument,
    "\n  mutation BillingCancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { id status }\n  }\n": typeof types.BillingCancelOrderDocument,
    "\n  query BillingMembers($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      members(first: 100) { edges { node { role createdAt user { id email name } } } }\n    }\n  }\n": typeof types.BillingMembersDocument,
    "\n  query BillingInvitations($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      invitations { id email role expiresAt acceptedAt revokedAt }\n    }\n  }\n": typeof types.BillingInvitationsDocument,
    "\n  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {\n    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }\n  }\n": typeof types.BillingInviteDocument,
    "\n  mutation BillingRevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) { invitation { id revokedAt } }\n  }\n": typeof types.BillingRevokeInvitationDocument,
    "\n  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {\n    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }\n  }\n": typeof types.BillingSetRoleDocument,
    "\n  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {\n    removeMember(orgId: $orgId, userId: $userId) { userId }\n  }\n": typeof types.BillingRemoveMemberDocument,
    "\n  query BillingApiKeys($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }\n    }\n  }\n": typeof types.BillingApiKeysDocument,
    "\n  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {\n    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }\n  }\n": typeof types.BillingCreateApiKeyDocument,
    "\n  mutation BillingRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { apiKey { id revokedAt } }\n  }\n": typeof types.BillingRevokeApiKeyDocument,
    "\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }\n      subscription {\n        id\n        status\n        seats\n        autoRenew\n        scheduledChange { seats effectiveAt plan { id name } }\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n": typeof types.BillingPlanDocument,
    "\n  subscription BillingSubscriptionUpdated($orgId: ID!) {\n    subscriptionUpdated(orgId: $orgId) { id status seats }\n  }\n": typeof types.BillingSubscriptionUpdatedDocument,
    "\n  query BillingPlans($currency: Currency!) {\n    plans(currency: $currency) {\n      id\n      code\n      name\n      interval\n      includedCreditsPerSeat\n      price(currency: $currency) { amount currency }\n    }\n  }\n": typeof types.BillingPlansDocument,
    "\n  query BillingPreviewChange($input: PreviewChangeInput!) {\n    previewChange(input: $input) {\n      kind\n      immediate\n      effectiveAt\n      seats\n      plan { id name }\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      total { amount currency }\n      credits\n      renewal { amount currency }\n    }\n  }\n": typeof types.BillingPreviewChangeDocument,
    "\n  fragment SubscriptionCheckoutFields on SubscriptionCheckout {\n    subscription { id status seats plan { id name } }\n    order { id number status failureReason credits total { amount currency } }\n    nextAction { kind redirectUrl clientSecret }\n  }\n": typeof types.SubscriptionCheckoutFieldsFragmentDoc,
    "\n  mutation BillingSubscribe($input: SubscribeInput!) {\n    subscribe(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": typeof types.BillingSubscribeDocument,
    "\n  mutation BillingChangePlan($input: ChangePlanInput!) {\n    changePlan(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": typeof types.BillingChangePlanDocument,
    "\n  mutation BillingChangeSeats($input: ChangeSeatsInput!) {\n    changeSeats(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": typeof types.BillingChangeSeatsDocument,
    "\n  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {\n    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n": typeof types.BillingCancelSubscriptionDocument,
    "\n  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {\n    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n": typeof types.BillingResumeSubscriptionDocument,
    "\n  query BillingPaymentMethods($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }\n    }\n  }\n": typeof types.BillingPaymentMethodsDocument,
    "\n  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {\n    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }\n  }\n": typeof types.BillingAddPaymentMethodDocument,
    "\n  mutation BillingSetDefaultPaymentMethod($id: ID!) {\n    setDefaultPaymentMethod(id: $id) { id isDefault }\n  }\n": typeof types.BillingSetDefaultPaymentMethodDocument,
    "\n  mutation BillingRemovePaymentMethod($id: ID!) {\n    removePaymentMethod(id: $id) { paymentMethod { id status } }\n  }\n": typeof types.BillingRemovePaymentMethodDocument,
    "\n  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {\n    setAutoRecharge(input: $input) { enabled threshold quantity }\n  }\n": typeof types.BillingSetAutoRechargeDocument,
    "\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { id name }\n        paymentMethod { id brand last4 }\n      }\n    }\n  }\n": typeof types.BillingAutoRechargeDocument,
    "\n  mutation BillingAcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) { membership { role org { id name } } }\n  }\n": typeof types.BillingAcceptInvitationDocument,
    "\n  mutation BillingSpend($input: ConsumeCreditsInput!) {\n    consumeCredits(input: $input) { entry { id amount balanceAfter } }\n  }\n": typeof types.BillingSpendDocument,
    "\n  fragment CartOrder on Order {\n    id\n    number\n    status\n    version\n    credits\n    subtotal { amount currency }\n    tax { amount currency }\n    total { amount currency }\n    installments { count installmentAmount { amount currency } commission { amount currency } }\n    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }\n    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }\n  }\n": typeof types.CartOrderFragmentDoc,
    "\n  query CartDrafts($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }\n    }\n  }\n": typeof types.CartDraftsDocument,
    "\n  query CartOrder($id: ID!) {\n    order(id: $id) { ...CartOrder }\n  }\n": typeof types.CartOrderDocument,
    "\n  mutation CartCreate($input: CreateOrderInput!) {\n    createOrder(input: $input) { ...CartOrder }\n  }\n": typeof types.CartCreateDocument,
    "\n  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {\n    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }\n  }\n": typeof types.CartAddItemDocument,
    "\n  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {\n    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }\n  }\n": typeof types.CartSetQuantityDocument,
    "\n  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {\n    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }\n  }\n": typeof types.CartRemoveItemDocument,
    "\n  mutation CartDiscard($orderId: ID!) {\n    cancelOrder(orderId: $orderId) { id status }\n  }\n": typeof types.CartDiscardDocument,
    "\n  mutation CartCheckout($input: CheckoutOrderInput!) {\n    checkoutOrder(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": typeof types.CartCheckoutDocument,
    "\n  fragment WatchedOrder on Order {\n    id\n    number\n    status\n    failureReason\n    credits\n    total { amount currency }\n    invoice { id number pdfUrl }\n  }\n": typeof types.WatchedOrderFragmentDoc,
    "\n  query WatchOrder($id: ID!) {\n    order(id: $id) { ...WatchedOrder }\n  }\n": typeof types.WatchOrderDocument,
    "\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) { ...WatchedOrder }\n  }\n": typeof types.WatchOrderUpdatesDocument,
};
const documents: Documents = {
    "\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n": types.BillingViewerDocument,
    "\n  mutation BillingCreateOrg($input: CreateOrgInput!) {\n    createOrg(input: $input) { org { id name currency country status } }\n  }\n": types.BillingCreateOrgDocument,
    "\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n": types.BalanceFieldsFragmentDoc,
    "\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n": types.BillingOverviewDocument,
    "\n  subscription BillingBalanceUpdated($orgId: ID!) {\n    balanceUpdated(orgId: $orgId) {\n      balance { ...BalanceFields }\n      entry { id kind amount reason }\n    }\n  }\n": types.BillingBalanceUpdatedDocument,
    "\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      recurringMonths\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n": types.BillingPacksDocument,
    "\n  mutation BillingPurchase($input: PurchasePackInput!) {\n    purchasePack(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": types.BillingPurchaseDocument,
    "\n  query BillingTopUpOptions($currency: Currency!) {\n    topUpOptions(currency: $currency) {\n      credits\n      per { amount currency }\n      presets { amount amountMinor currency }\n      min { amount amountMinor currency }\n      max { amount amountMinor currency }\n      validity\n      rounding\n    }\n  }\n": types.BillingTopUpOptionsDocument,
    "\n  query BillingTopUpQuote($orgId: ID!, $amount: String!) {\n    topUpQuote(orgId: $orgId, amount: $amount) {\n      credits\n      rounding\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      taxRateBasisPoints\n      total { amount currency }\n    }\n  }\n": types.BillingTopUpQuoteDocument,
    "\n  mutation BillingTopUp($input: TopUpInput!) {\n    topUp(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": types.BillingTopUpDocument,
    "\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }\n      }\n    }\n  }\n": types.BillingOrdersDocument,
    "\n  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {\n    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }\n  }\n": types.BillingCartInstallmentsDocument,
    "\n  mutation BillingCancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { id status }\n  }\n": types.BillingCancelOrderDocument,
    "\n  query BillingMembers($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      members(first: 100) { edges { node { role createdAt user { id email name } } } }\n    }\n  }\n": types.BillingMembersDocument,
    "\n  query BillingInvitations($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      invitations { id email role expiresAt acceptedAt revokedAt }\n    }\n  }\n": types.BillingInvitationsDocument,
    "\n  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {\n    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }\n  }\n": types.BillingInviteDocument,
    "\n  mutation BillingRevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) { invitation { id revokedAt } }\n  }\n": types.BillingRevokeInvitationDocument,
    "\n  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {\n    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }\n  }\n": types.BillingSetRoleDocument,
    "\n  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {\n    removeMember(orgId: $orgId, userId: $userId) { userId }\n  }\n": types.BillingRemoveMemberDocument,
    "\n  query BillingApiKeys($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }\n    }\n  }\n": types.BillingApiKeysDocument,
    "\n  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {\n    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }\n  }\n": types.BillingCreateApiKeyDocument,
    "\n  mutation BillingRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { apiKey { id revokedAt } }\n  }\n": types.BillingRevokeApiKeyDocument,
    "\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }\n      subscription {\n        id\n        status\n        seats\n        autoRenew\n        scheduledChange { seats effectiveAt plan { id name } }\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n": types.BillingPlanDocument,
    "\n  subscription BillingSubscriptionUpdated($orgId: ID!) {\n    subscriptionUpdated(orgId: $orgId) { id status seats }\n  }\n": types.BillingSubscriptionUpdatedDocument,
    "\n  query BillingPlans($currency: Currency!) {\n    plans(currency: $currency) {\n      id\n      code\n      name\n      interval\n      includedCreditsPerSeat\n      price(currency: $currency) { amount currency }\n    }\n  }\n": types.BillingPlansDocument,
    "\n  query BillingPreviewChange($input: PreviewChangeInput!) {\n    previewChange(input: $input) {\n      kind\n      immediate\n      effectiveAt\n      seats\n      plan { id name }\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      total { amount currency }\n      credits\n      renewal { amount currency }\n    }\n  }\n": types.BillingPreviewChangeDocument,
    "\n  fragment SubscriptionCheckoutFields on SubscriptionCheckout {\n    subscription { id status seats plan { id name } }\n    order { id number status failureReason credits total { amount currency } }\n    nextAction { kind redirectUrl clientSecret }\n  }\n": types.SubscriptionCheckoutFieldsFragmentDoc,
    "\n  mutation BillingSubscribe($input: SubscribeInput!) {\n    subscribe(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": types.BillingSubscribeDocument,
    "\n  mutation BillingChangePlan($input: ChangePlanInput!) {\n    changePlan(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": types.BillingChangePlanDocument,
    "\n  mutation BillingChangeSeats($input: ChangeSeatsInput!) {\n    changeSeats(input: $input) { ...SubscriptionCheckoutFields }\n  }\n": types.BillingChangeSeatsDocument,
    "\n  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {\n    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n": types.BillingCancelSubscriptionDocument,
    "\n  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {\n    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n": types.BillingResumeSubscriptionDocument,
    "\n  query BillingPaymentMethods($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }\n    }\n  }\n": types.BillingPaymentMethodsDocument,
    "\n  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {\n    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }\n  }\n": types.BillingAddPaymentMethodDocument,
    "\n  mutation BillingSetDefaultPaymentMethod($id: ID!) {\n    setDefaultPaymentMethod(id: $id) { id isDefault }\n  }\n": types.BillingSetDefaultPaymentMethodDocument,
    "\n  mutation BillingRemovePaymentMethod($id: ID!) {\n    removePaymentMethod(id: $id) { paymentMethod { id status } }\n  }\n": types.BillingRemovePaymentMethodDocument,
    "\n  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {\n    setAutoRecharge(input: $input) { enabled threshold quantity }\n  }\n": types.BillingSetAutoRechargeDocument,
    "\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { id name }\n        paymentMethod { id brand last4 }\n      }\n    }\n  }\n": types.BillingAutoRechargeDocument,
    "\n  mutation BillingAcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) { membership { role org { id name } } }\n  }\n": types.BillingAcceptInvitationDocument,
    "\n  mutation BillingSpend($input: ConsumeCreditsInput!) {\n    consumeCredits(input: $input) { entry { id amount balanceAfter } }\n  }\n": types.BillingSpendDocument,
    "\n  fragment CartOrder on Order {\n    id\n    number\n    status\n    version\n    credits\n    subtotal { amount currency }\n    tax { amount currency }\n    total { amount currency }\n    installments { count installmentAmount { amount currency } commission { amount currency } }\n    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }\n    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }\n  }\n": types.CartOrderFragmentDoc,
    "\n  query CartDrafts($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }\n    }\n  }\n": types.CartDraftsDocument,
    "\n  query CartOrder($id: ID!) {\n    order(id: $id) { ...CartOrder }\n  }\n": types.CartOrderDocument,
    "\n  mutation CartCreate($input: CreateOrderInput!) {\n    createOrder(input: $input) { ...CartOrder }\n  }\n": types.CartCreateDocument,
    "\n  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {\n    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }\n  }\n": types.CartAddItemDocument,
    "\n  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {\n    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }\n  }\n": types.CartSetQuantityDocument,
    "\n  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {\n    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }\n  }\n": types.CartRemoveItemDocument,
    "\n  mutation CartDiscard($orderId: ID!) {\n    cancelOrder(orderId: $orderId) { id status }\n  }\n": types.CartDiscardDocument,
    "\n  mutation CartCheckout($input: CheckoutOrderInput!) {\n    checkoutOrder(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n": types.CartCheckoutDocument,
    "\n  fragment WatchedOrder on Order {\n    id\n    number\n    status\n    failureReason\n    credits\n    total { amount currency }\n    invoice { id number pdfUrl }\n  }\n": types.WatchedOrderFragmentDoc,
    "\n  query WatchOrder($id: ID!) {\n    order(id: $id) { ...WatchedOrder }\n  }\n": types.WatchOrderDocument,
    "\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) { ...WatchedOrder }\n  }\n": types.WatchOrderUpdatesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingViewer {\n    viewer {\n      user { id email name }\n      memberships { role org { id name currency country status } }\n    }\n  }\n"): typeof import('./graphql').BillingViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingCreateOrg($input: CreateOrgInput!) {\n    createOrg(input: $input) { org { id name currency country status } }\n  }\n"): typeof import('./graphql').BillingCreateOrgDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BalanceFields on Balance {\n    total\n    free\n    paid\n    updatedAt\n    grants { id kind paid amount remaining expiresAt reason }\n  }\n"): typeof import('./graphql').BalanceFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingOverview($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      name\n      currency\n      country\n      status\n      seats { total used available pending }\n      balance { ...BalanceFields }\n    }\n  }\n"): typeof import('./graphql').BillingOverviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BillingBalanceUpdated($orgId: ID!) {\n    balanceUpdated(orgId: $orgId) {\n      balance { ...BalanceFields }\n      entry { id kind amount reason }\n    }\n  }\n"): typeof import('./graphql').BillingBalanceUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingPacks($currency: Currency!) {\n    packs(currency: $currency) {\n      id\n      code\n      name\n      credits\n      custom\n      validity\n      recurringMonths\n      price(currency: $currency) { amount amountMinor currency }\n    }\n  }\n"): typeof import('./graphql').BillingPacksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingPurchase($input: PurchasePackInput!) {\n    purchasePack(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n"): typeof import('./graphql').BillingPurchaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingTopUpOptions($currency: Currency!) {\n    topUpOptions(currency: $currency) {\n      credits\n      per { amount currency }\n      presets { amount amountMinor currency }\n      min { amount amountMinor currency }\n      max { amount amountMinor currency }\n      validity\n      rounding\n    }\n  }\n"): typeof import('./graphql').BillingTopUpOptionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingTopUpQuote($orgId: ID!, $amount: String!) {\n    topUpQuote(orgId: $orgId, amount: $amount) {\n      credits\n      rounding\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      taxRateBasisPoints\n      total { amount currency }\n    }\n  }\n"): typeof import('./graphql').BillingTopUpQuoteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingTopUp($input: TopUpInput!) {\n    topUp(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n"): typeof import('./graphql').BillingTopUpDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingOrders($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 50) {\n        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }\n      }\n      invoices(first: 50) {\n        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }\n      }\n    }\n  }\n"): typeof import('./graphql').BillingOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {\n    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }\n  }\n"): typeof import('./graphql').BillingCartInstallmentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingCancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { id status }\n  }\n"): typeof import('./graphql').BillingCancelOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingMembers($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      members(first: 100) { edges { node { role createdAt user { id email name } } } }\n    }\n  }\n"): typeof import('./graphql').BillingMembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingInvitations($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      invitations { id email role expiresAt acceptedAt revokedAt }\n    }\n  }\n"): typeof import('./graphql').BillingInvitationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {\n    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }\n  }\n"): typeof import('./graphql').BillingInviteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingRevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id) { invitation { id revokedAt } }\n  }\n"): typeof import('./graphql').BillingRevokeInvitationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {\n    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }\n  }\n"): typeof import('./graphql').BillingSetRoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {\n    removeMember(orgId: $orgId, userId: $userId) { userId }\n  }\n"): typeof import('./graphql').BillingRemoveMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingApiKeys($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }\n    }\n  }\n"): typeof import('./graphql').BillingApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {\n    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }\n  }\n"): typeof import('./graphql').BillingCreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { apiKey { id revokedAt } }\n  }\n"): typeof import('./graphql').BillingRevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingPlan($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      seats { total used available pending }\n      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }\n      subscription {\n        id\n        status\n        seats\n        autoRenew\n        scheduledChange { seats effectiveAt plan { id name } }\n        currentPeriodEnd\n        renewsAt\n        cancelAtPeriodEnd\n        includedCreditsPerMonth\n        includedCreditsLeft\n        plan { id name interval }\n      }\n    }\n  }\n"): typeof import('./graphql').BillingPlanDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BillingSubscriptionUpdated($orgId: ID!) {\n    subscriptionUpdated(orgId: $orgId) { id status seats }\n  }\n"): typeof import('./graphql').BillingSubscriptionUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingPlans($currency: Currency!) {\n    plans(currency: $currency) {\n      id\n      code\n      name\n      interval\n      includedCreditsPerSeat\n      price(currency: $currency) { amount currency }\n    }\n  }\n"): typeof import('./graphql').BillingPlansDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingPreviewChange($input: PreviewChangeInput!) {\n    previewChange(input: $input) {\n      kind\n      immediate\n      effectiveAt\n      seats\n      plan { id name }\n      lines { kind description amount { amount currency } }\n      subtotal { amount currency }\n      tax { amount currency }\n      total { amount currency }\n      credits\n      renewal { amount currency }\n    }\n  }\n"): typeof import('./graphql').BillingPreviewChangeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SubscriptionCheckoutFields on SubscriptionCheckout {\n    subscription { id status seats plan { id name } }\n    order { id number status failureReason credits total { amount currency } }\n    nextAction { kind redirectUrl clientSecret }\n  }\n"): typeof import('./graphql').SubscriptionCheckoutFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingSubscribe($input: SubscribeInput!) {\n    subscribe(input: $input) { ...SubscriptionCheckoutFields }\n  }\n"): typeof import('./graphql').BillingSubscribeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingChangePlan($input: ChangePlanInput!) {\n    changePlan(input: $input) { ...SubscriptionCheckoutFields }\n  }\n"): typeof import('./graphql').BillingChangePlanDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingChangeSeats($input: ChangeSeatsInput!) {\n    changeSeats(input: $input) { ...SubscriptionCheckoutFields }\n  }\n"): typeof import('./graphql').BillingChangeSeatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {\n    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n"): typeof import('./graphql').BillingCancelSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {\n    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }\n  }\n"): typeof import('./graphql').BillingResumeSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingPaymentMethods($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }\n    }\n  }\n"): typeof import('./graphql').BillingPaymentMethodsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {\n    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }\n  }\n"): typeof import('./graphql').BillingAddPaymentMethodDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingSetDefaultPaymentMethod($id: ID!) {\n    setDefaultPaymentMethod(id: $id) { id isDefault }\n  }\n"): typeof import('./graphql').BillingSetDefaultPaymentMethodDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingRemovePaymentMethod($id: ID!) {\n    removePaymentMethod(id: $id) { paymentMethod { id status } }\n  }\n"): typeof import('./graphql').BillingRemovePaymentMethodDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {\n    setAutoRecharge(input: $input) { enabled threshold quantity }\n  }\n"): typeof import('./graphql').BillingSetAutoRechargeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingAutoRecharge($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      autoRecharge {\n        enabled\n        mode\n        threshold\n        quantity\n        paused\n        pauseReason\n        spendingLimit { amount currency }\n        spentThisPeriod { amount currency }\n        periodEnd\n        pack { id name }\n        paymentMethod { id brand last4 }\n      }\n    }\n  }\n"): typeof import('./graphql').BillingAutoRechargeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingAcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) { membership { role org { id name } } }\n  }\n"): typeof import('./graphql').BillingAcceptInvitationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BillingSpend($input: ConsumeCreditsInput!) {\n    consumeCredits(input: $input) { entry { id amount balanceAfter } }\n  }\n"): typeof import('./graphql').BillingSpendDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CartOrder on Order {\n    id\n    number\n    status\n    version\n    credits\n    subtotal { amount currency }\n    tax { amount currency }\n    total { amount currency }\n    installments { count installmentAmount { amount currency } commission { amount currency } }\n    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }\n    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }\n  }\n"): typeof import('./graphql').CartOrderFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CartDrafts($orgId: ID!) {\n    org(id: $orgId) {\n      id\n      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }\n    }\n  }\n"): typeof import('./graphql').CartDraftsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CartOrder($id: ID!) {\n    order(id: $id) { ...CartOrder }\n  }\n"): typeof import('./graphql').CartOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartCreate($input: CreateOrderInput!) {\n    createOrder(input: $input) { ...CartOrder }\n  }\n"): typeof import('./graphql').CartCreateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {\n    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }\n  }\n"): typeof import('./graphql').CartAddItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {\n    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }\n  }\n"): typeof import('./graphql').CartSetQuantityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {\n    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }\n  }\n"): typeof import('./graphql').CartRemoveItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartDiscard($orderId: ID!) {\n    cancelOrder(orderId: $orderId) { id status }\n  }\n"): typeof import('./graphql').CartDiscardDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartCheckout($input: CheckoutOrderInput!) {\n    checkoutOrder(input: $input) {\n      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }\n      nextAction { kind redirectUrl clientSecret }\n    }\n  }\n"): typeof import('./graphql').CartCheckoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WatchedOrder on Order {\n    id\n    number\n    status\n    failureReason\n    credits\n    total { amount currency }\n    invoice { id number pdfUrl }\n  }\n"): typeof import('./graphql').WatchedOrderFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WatchOrder($id: ID!) {\n    order(id: $id) { ...WatchedOrder }\n  }\n"): typeof import('./graphql').WatchOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchOrderUpdates($orgId: ID!) {\n    orderUpdated(orgId: $orgId) { ...WatchedOrder }\n  }\n"): typeof import('./graphql').WatchOrderUpdatesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

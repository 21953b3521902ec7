// The billing page's operations; `npm run codegen` types them into src/gql.
import { graphql } from "../gql";

export const ViewerDoc = graphql(`
  query BillingViewer {
    viewer {
      user { id email name }
      memberships { role org { id name currency country status } }
    }
  }
`);

export const CreateOrgDoc = graphql(`
  mutation BillingCreateOrg($input: CreateOrgInput!) {
    createOrg(input: $input) { org { id name currency country status } }
  }
`);

export const BalanceFields = graphql(`
  fragment BalanceFields on Balance {
    total
    free
    paid
    updatedAt
    grants { id kind paid amount remaining expiresAt reason }
  }
`);

export const OverviewDoc = graphql(`
  query BillingOverview($orgId: ID!) {
    org(id: $orgId) {
      id
      name
      currency
      country
      status
      seats { total used available pending }
      balance { ...BalanceFields }
    }
  }
`);

export const BalanceUpdatedDoc = graphql(`
  subscription BillingBalanceUpdated($orgId: ID!) {
    balanceUpdated(orgId: $orgId) {
      balance { ...BalanceFields }
      entry { id kind amount reason }
    }
  }
`);

export const PacksDoc = graphql(`
  query BillingPacks($currency: Currency!) {
    packs(currency: $currency) {
      id
      code
      name
      credits
      custom
      validity
      recurringMonths
      price(currency: $currency) { amount amountMinor currency }
    }
  }
`);

export const PurchaseDoc = graphql(`
  mutation BillingPurchase($input: PurchasePackInput!) {
    purchasePack(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`);

export const TopUpOptionsDoc = graphql(`
  query BillingTopUpOptions($currency: Currency!) {
    topUpOptions(currency: $currency) {
      credits
      per { amount currency }
      presets { amount amountMinor currency }
      min { amount amountMinor currency }
      max { amount amountMinor currency }
      validity
      rounding
    }
  }
`);

export const TopUpQuoteDoc = graphql(`
  query BillingTopUpQuote($orgId: ID!, $amount: String!) {
    topUpQuote(orgId: $orgId, amount: $amount) {
      credits
      rounding
      lines { kind description amount { amount currency } }
      subtotal { amount currency }
      tax { amount currency }
      taxRateBasisPoints
      total { amount currency }
    }
  }
`);

export const TopUpDoc = graphql(`
  mutation BillingTopUp($input: TopUpInput!) {
    topUp(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`);

export const OrdersDoc = graphql(`
  query BillingOrders($orgId: ID!) {
    org(id: $orgId) {
      id
      orders(first: 50) {
        edges { node { id number status credits createdAt failureReason total { amount currency } invoice { id number } } }
      }
      invoices(first: 50) {
        edges { node { id number issuedAt status pdfUrl orderNumber total { amount currency } lines { description amount { amount currency } } } }
      }
    }
  }
`);

export const CartInstallmentsDoc = graphql(`
  query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {
    installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) { count }
  }
`);

export const CancelOrderDoc = graphql(`
  mutation BillingCancelOrder($id: ID!) {
    cancelOrder(orderId: $id) { id status }
  }
`);

export const MembersDoc = graphql(`
  query BillingMembers($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      members(first: 100) { edges { node { role createdAt user { id email name } } } }
    }
  }
`);

export const InvitationsDoc = graphql(`
  query BillingInvitations($orgId: ID!) {
    org(id: $orgId) {
      id
      invitations { id email role expiresAt acceptedAt revokedAt }
    }
  }
`);

export const InviteDoc = graphql(`
  mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
    inviteMember(orgId: $orgId, email: $email, role: $role) { token invitation { id email role expiresAt } }
  }
`);

export const RevokeInvitationDoc = graphql(`
  mutation BillingRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) { invitation { id revokedAt } }
  }
`);

export const SetRoleDoc = graphql(`
  mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
    setMemberRole(orgId: $orgId, userId: $userId, role: $role) { member { role user { id } } }
  }
`);

export const RemoveMemberDoc = graphql(`
  mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
    removeMember(orgId: $orgId, userId: $userId) { userId }
  }
`);

export const ApiKeysDoc = graphql(`
  query BillingApiKeys($orgId: ID!) {
    org(id: $orgId) {
      id
      apiKeys { id name prefix createdAt lastUsedAt revokedAt createdBy { name email } }
    }
  }
`);

export const CreateApiKeyDoc = graphql(`
  mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
    createApiKey(orgId: $orgId, name: $name) { secret apiKey { id name prefix } }
  }
`);

export const RevokeApiKeyDoc = graphql(`
  mutation BillingRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { apiKey { id revokedAt } }
  }
`);

export const PlanDoc = graphql(`
  query BillingPlan($orgId: ID!) {
    org(id: $orgId) {
      id
      seats { total used available pending }
      usage { scope periodStart periodEnd creditsConsumed extraCredits metrics { metric quantity limit limitFromExtraCredits fractionUsed level overLimit } }
      subscription {
        id
        status
        seats
        autoRenew
        scheduledChange { seats effectiveAt plan { id name } }
        currentPeriodEnd
        renewsAt
        cancelAtPeriodEnd
        includedCreditsPerMonth
        includedCreditsLeft
        plan { id name interval }
      }
    }
  }
`);

export const SubscriptionUpdatedDoc = graphql(`
  subscription BillingSubscriptionUpdated($orgId: ID!) {
    subscriptionUpdated(orgId: $orgId) { id status seats }
  }
`);

export const PlansDoc = graphql(`
  query BillingPlans($currency: Currency!) {
    plans(currency: $currency) {
      id
      code
      name
      interval
      includedCreditsPerSeat
      price(currency: $currency) { amount currency }
    }
  }
`);

export const PreviewChangeDoc = graphql(`
  query BillingPreviewChange($input: PreviewChangeInput!) {
    previewChange(input: $input) {
      kind
      immediate
      effectiveAt
      seats
      plan { id name }
      lines { kind description amount { amount currency } }
      subtotal { amount currency }
      tax { amount currency }
      total { amount currency }
      credits
      renewal { amount currency }
    }
  }
`);

export const SubscriptionCheckoutFields = graphql(`
  fragment SubscriptionCheckoutFields on SubscriptionCheckout {
    subscription { id status seats plan { id name } }
    order { id number status failureReason credits total { amount currency } }
    nextAction { kind redirectUrl clientSecret }
  }
`);

export const SubscribeDoc = graphql(`
  mutation BillingSubscribe($input: SubscribeInput!) {
    subscribe(input: $input) { ...SubscriptionCheckoutFields }
  }
`);

export const ChangePlanDoc = graphql(`
  mutation BillingChangePlan($input: ChangePlanInput!) {
    changePlan(input: $input) { ...SubscriptionCheckoutFields }
  }
`);

export const ChangeSeatsDoc = graphql(`
  mutation BillingChangeSeats($input: ChangeSeatsInput!) {
    changeSeats(input: $input) { ...SubscriptionCheckoutFields }
  }
`);

export const CancelSubscriptionDoc = graphql(`
  mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
    cancelSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`);

export const ResumeSubscriptionDoc = graphql(`
  mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
    resumeSubscription(orgId: $orgId, idempotencyKey: $key) { id status cancelAtPeriodEnd }
  }
`);

export const PaymentMethodsDoc = graphql(`
  query BillingPaymentMethods($orgId: ID!) {
    org(id: $orgId) {
      id
      paymentMethods { id brand last4 expMonth expYear isDefault gateway kind status }
    }
  }
`);

export const AddPaymentMethodDoc = graphql(`
  mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) { paymentMethod { id brand last4 status isDefault } nextAction { kind redirectUrl } }
  }
`);

export const SetDefaultPaymentMethodDoc = graphql(`
  mutation BillingSetDefaultPaymentMethod($id: ID!) {
    setDefaultPaymentMethod(id: $id) { id isDefault }
  }
`);

export const RemovePaymentMethodDoc = graphql(`
  mutation BillingRemovePaymentMethod($id: ID!) {
    removePaymentMethod(id: $id) { paymentMethod { id status } }
  }
`);

export const SetAutoRechargeDoc = graphql(`
  mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
    setAutoRecharge(input: $input) { enabled threshold quantity }
  }
`);

export const AutoRechargeDoc = graphql(`
  query BillingAutoRecharge($orgId: ID!) {
    org(id: $orgId) {
      id
      autoRecharge {
        enabled
        mode
        threshold
        quantity
        paused
        pauseReason
        spendingLimit { amount currency }
        spentThisPeriod { amount currency }
        periodEnd
        pack { id name }
        paymentMethod { id brand last4 }
      }
    }
  }
`);

export const AcceptInvitationDoc = graphql(`
  mutation BillingAcceptInvitation($token: String!) {
    acceptInvitation(token: $token) { membership { role org { id name } } }
  }
`);

export const SpendDoc = graphql(`
  mutation BillingSpend($input: ConsumeCreditsInput!) {
    consumeCredits(input: $input) { entry { id amount balanceAfter } }
  }
`);

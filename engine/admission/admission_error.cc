#include "engine/admission/admission_error.h"

#include <cstdio>
#include <string>

namespace ringgate::admission {
namespace {

using protocol::ApiError;
using protocol::ErrorCode;

std::string usd(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld USD", (long long)(micros / 1'000'000),
                (long long)(micros % 1'000'000));
  return buf;
}

std::string rate_message(const Refusal& r) {
  std::string m = "rate limit exceeded: the " + std::string(scope_name(r.scope)) + "'s " +
                  std::string(limit_name(r.limit.kind)) + " limit is " +
                  std::to_string(r.limit.limit);
  if (r.limit.wait_ns == kNeverNs)
    return m + ", and this request alone needs " + std::to_string(r.requested_tokens) +
           " tokens; lower max_tokens or the prompt";
  return m + "; retry after " + std::to_string(r.retry_after_ms) + " ms";
}

std::string budget_message(const Refusal& r) {
  const BudgetRefusal& b = r.budget;
  std::string m = "budget exceeded: the " + std::string(scope_name(r.scope)) + "'s " +
                  std::string(budget_period_name(b.period)) + " budget is " + usd(b.limit_micros) +
                  ", spent " + usd(b.spent_micros) + ", reserved by requests in flight " +
                  usd(b.reserved_micros);
  if (b.resets_at_unix_s) m += "; resets at unix time " + std::to_string(b.resets_at_unix_s);
  return m;
}

}  // namespace

std::string_view scope_name(Scope scope) {
  switch (scope) {
    case Scope::kKey:
      return "key";
    case Scope::kTeam:
      return "team";
    case Scope::kModel:
      return "model";
    case Scope::kAddress:
      return "address";
  }
  return "unknown";
}

ApiError to_api_error(const Refusal& r, std::string_view model) {
  switch (r.kind) {
    case RefusalKind::kNone:
      break;
    case RefusalKind::kMissingKey:
      return {401, "missing API key: send it as Authorization: Bearer, x-api-key or api-key",
              ErrorCode::kInvalidApiKey};
    case RefusalKind::kInvalidKey:
      return {401, "invalid API key", ErrorCode::kInvalidApiKey};
    case RefusalKind::kModelNotAllowed:
      return {403, "this key may not use model '" + std::string(model) + "'",
              ErrorCode::kModelNotAllowed, "model"};
    case RefusalKind::kPathNotAllowed:
      return {403,
              "this key may not use endpoints that name no model (files, batches, ...); its "
              "config allows them with allow_modelless_paths = true",
              ErrorCode::kModelNotAllowed};
    case RefusalKind::kRateLimited:
      return {429, rate_message(r), ErrorCode::kRateLimited};
    case RefusalKind::kAnonymousFull:
      return {429, "too many anonymous clients at once; retry later or use an API key",
              ErrorCode::kRateLimited};
    case RefusalKind::kBudgetExceeded:
      return {402, budget_message(r), ErrorCode::kBudgetExceeded};
    case RefusalKind::kBudgetRenewing:
      return {429,
              "the " + std::string(scope_name(r.scope)) + "'s " +
                  std::string(budget_period_name(r.budget.period)) +
                  " budget is shared by the fleet and this node is renewing its share; retry "
                  "after " +
                  std::to_string(r.retry_after_ms) + " ms",
              ErrorCode::kRateLimited};
    case RefusalKind::kFleetPending:  // answered only when the wait timed out under "closed"
    case RefusalKind::kFleetUnavailable:
      return {503,
              "fleet-wide limits and budgets are unavailable (the shared Redis does not answer and "
              "on_redis_down is \"closed\"); retry later",
              ErrorCode::kUpstreamUnavailable};
  }
  return {500, "admitted request has no error", ErrorCode::kConfigurationError};
}

}  // namespace ringgate::admission

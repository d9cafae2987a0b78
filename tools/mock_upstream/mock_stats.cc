#include "tools/mock_upstream/mock_stats.h"

#include <set>
#include <string_view>

#include "tools/mock_upstream/json_text.h"

namespace ringgate::mock_upstream {
namespace {

bool IsCredentialHeader(const std::string& name) {
  return name == "authorization" || name == "x-api-key" || name == "proxy-authorization" ||
         name == "api-key" || name == "x-goog-api-key";
}

}  // namespace

void MockStats::RecordRequest(const HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  std::string auth_sha;
  std::string auth_header;
  for (const HttpHeader& h : request.headers) {
    if (IsCredentialHeader(h.name)) {
      std::string digest = Sha256Hex(h.value);
      if ((h.name == "authorization" || h.name == "x-api-key") &&
          (auth_header.empty() || h.name == "authorization")) {
        auth_sha = digest;
        auth_header = h.name;
      }
      headers.emplace_back(h.name, std::move(digest));
    } else {
      headers.emplace_back(h.name, h.value);
    }
  }
  std::lock_guard lock(mu_);
  last_method_ = request.method;
  last_path_ = request.target;
  last_body_ = request.body;
  last_headers_ = std::move(headers);
  last_authorization_sha256_ = std::move(auth_sha);
  last_authorization_header_ = std::move(auth_header);
  if (recent_.size() == kMaxRecent) recent_.pop_front();
  recent_.push_back({request.method, request.target, request.body});
}

std::string MockStats::RecentRequestsJson() const {
  std::lock_guard lock(mu_);
  std::string out = "{\"requests\":[";
  for (size_t i = 0; i < recent_.size(); ++i) {
    if (i) out += ',';
    out += "{\"method\":";
    AppendJsonString(out, recent_[i].method);
    out += ",\"path\":";
    AppendJsonString(out, recent_[i].path);
    out += ",\"body\":";
    AppendJsonString(out, recent_[i].body);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string MockStats::StatsJson() const {
  std::string out = "{";
  auto field = [&](const char* name, auto value) {
    out += '"';
    out += name;
    out += "\":";
    out += std::to_string(value);
    out += ',';
  };
  field("requests", requests.load());
  field("connections_accepted", connections_accepted.load());
  field("connections_active", connections_active.load());
  field("client_disconnects_midstream", client_disconnects_midstream.load());
  field("client_disconnects_inflight", client_disconnects_inflight.load());
  field("active_streams", active_streams.load());
  field("streams_completed", streams_completed.load());
  field("responses_completed", responses_completed.load());
  field("failures_injected", failures_injected.load());
  field("disconnects_injected", disconnects_injected.load());
  field("bad_requests", bad_requests.load());
  field("health_checks", health_checks.load());
  std::lock_guard lock(mu_);
  out += "\"health_check_ms\":[";
  for (size_t i = 0; i < health_times_.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(health_times_[i]);
  }
  out += "],";
  out += "\"last_authorization\":";
  AppendJsonString(out, last_authorization_sha256_);
  out += ",\"last_authorization_header\":";
  AppendJsonString(out, last_authorization_header_);
  out += ",\"last_path\":";
  AppendJsonString(out, last_path_);
  // Names only: values may be credentials or otherwise sensitive.
  out += ",\"last_request_headers\":{";
  std::set<std::string_view> seen;
  for (const auto& header : last_headers_) {
    if (!seen.insert(header.first).second) continue;
    if (seen.size() > 1) out += ',';
    AppendJsonString(out, header.first);
    out += ":true";
  }
  out += "},\"last_body_sha256\":";
  AppendJsonString(out, last_path_.empty() ? std::string() : Sha256Hex(last_body_));
  out += "}";
  return out;
}

std::string MockStats::LastRequestJson() const {
  std::lock_guard lock(mu_);
  std::string out = "{\"method\":";
  AppendJsonString(out, last_method_);
  out += ",\"path\":";
  AppendJsonString(out, last_path_);
  out += ",\"headers\":{";
  bool first = true;
  for (const auto& [name, value] : last_headers_) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, name);
    out += ':';
    if (IsCredentialHeader(name)) {
      out += "{\"present\":true,\"sha256\":";
      AppendJsonString(out, value);
      out += '}';
    } else {
      AppendJsonString(out, value);
    }
  }
  out += "},\"body\":";
  AppendJsonString(out, last_body_);
  out += '}';
  return out;
}

void MockStats::RecordUsage(std::string tag, std::string_view api, std::string usage_json) {
  std::lock_guard lock(mu_);
  if (usage_log_.size() >= kMaxUsageLog) {
    ++usage_log_dropped_;
    return;
  }
  usage_log_.push_back({std::move(tag), std::string(api), std::move(usage_json)});
}

std::string MockStats::UsageLogJson() const {
  std::lock_guard lock(mu_);
  std::string out = "{\"entries\":[";
  for (size_t i = 0; i < usage_log_.size(); ++i) {
    const UsageEntry& e = usage_log_[i];
    if (i) out += ',';
    out += "{\"tag\":";
    AppendJsonString(out, e.tag);
    out += ",\"api\":";
    AppendJsonString(out, e.api);
    out += ",\"usage\":";
    out += e.usage_json;  // the mock's own JSON
    out += '}';
  }
  out += "],\"dropped\":" + std::to_string(usage_log_dropped_) + "}";
  return out;
}

void MockStats::RecordHealthCheck(uint64_t ms_since_start) {
  health_checks.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  if (health_times_.size() < kMaxHealthTimes) health_times_.push_back(ms_since_start);
}

void MockStats::Reset() {
  for (auto* counter : {&requests, &connections_accepted, &client_disconnects_midstream,
                        &client_disconnects_inflight, &streams_completed, &responses_completed,
                        &failures_injected, &disconnects_injected, &bad_requests}) {
    counter->store(0);
  }
  std::lock_guard lock(mu_);
  last_method_.clear();
  last_path_.clear();
  last_body_.clear();
  last_headers_.clear();
  last_authorization_sha256_.clear();
  last_authorization_header_.clear();
  usage_log_.clear();
  usage_log_dropped_ = 0;
  recent_.clear();
}

}  // namespace ringgate::mock_upstream

#include "engine/config/config.h"

#include "engine/config/cidr.h"
#include "engine/config/microdollars.h"

namespace ringgate::config {
namespace {

// "rpm=60 tpm=100000 concurrent=4", or "" when nothing is limited.
std::string limits_text(const RateLimits& l) {
  std::string out;
  const std::pair<const char*, uint64_t> counts[] = {{"rpm", l.rpm},
                                                     {"rph", l.rph},
                                                     {"rpd", l.rpd},
                                                     {"tpm", l.tpm},
                                                     {"tph", l.tph},
                                                     {"tpd", l.tpd},
                                                     {"concurrent", l.concurrent}};
  for (auto [name, v] : counts) {
    if (v == 0) continue;
    if (!out.empty()) out += ' ';
    out.append(name).append("=").append(std::to_string(v));
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

// Who may call and from where. Counts of keys and teams only: never a key id's hash, never a key.
std::string admission_lines(const Admission& a) {
  std::string out;
  if (a.mode == AuthMode::kKeys) {
    out += "auth: keys (" + std::to_string(a.keys.size()) + " keys, " +
           std::to_string(a.teams.size()) + " teams); anonymous tier: ";
    const Anonymous& an = a.anonymous;
    if (!an.enabled) {
      out += "off";
    } else {
      std::string limits = limits_text(an.limits_per_address);
      out += "on, models " + (an.models.empty() ? std::string("all") : joined(an.models)) +
             ", per address " + (limits.empty() ? std::string("unlimited") : limits);
    }
  } else {
    out += "auth: none: every client that reaches the listener is served without a key";
  }
  out += "\ncors: " + (a.cors.allowed_origins.empty()
                           ? std::string("none (pages on other origins get no CORS headers)")
                           : "allowed origins " + joined(a.cors.allowed_origins));
  std::vector<std::string> proxies;
  for (const Cidr& c : a.trusted_proxies) proxies.push_back(format_cidr(c));
  out += "\ntrusted proxies: " +
         (proxies.empty() ? std::string("none (the client address is the socket's peer)")
                          : joined(proxies));
  return out + "\n";
}

std::string price_text(const Price& p) {
  return "price/Mtok in=" + format_usd(p.input_per_mtok_micros) +
         " out=" + format_usd(p.output_per_mtok_micros) +
         " cached_in=" + format_usd(p.cached_input_per_mtok_micros) +
         " cache_write=" + format_usd(p.cache_write_per_mtok_micros) + " USD";
}

}  // namespace

std::string_view to_string(ApiFormat format) { return providers::format_name(format); }

std::string_view to_string(BalanceStrategy s) {
  switch (s) {
    case BalanceStrategy::kLeastOutstanding:
      return "least_outstanding";
    case BalanceStrategy::kLatency:
      return "latency";
    case BalanceStrategy::kWeighted:
      break;
  }
  return "weighted";
}

const Upstream* Config::find_upstream(std::string_view name) const {
  for (const Upstream& u : upstreams) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

const Deployment* Config::find_deployment(std::string_view name) const {
  for (const Deployment& d : deployments) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// A linear scan: model lists are short and this is not the routing table (that is the providers'
// model registry); what matters here is that matching is exact and happens only here.
const Model* Config::find_model(std::string_view name) const {
  for (const Model& m : models) {
    if (m.name == name) return &m;
    for (const std::string& alias : m.aliases) {
      if (alias == name) return &m;
    }
  }
  return nullptr;
}

namespace {

std::string metrics_line(const Config& c) {
  const Metrics& m = c.metrics;
  if (!m.enabled) return "metrics: off";
  std::string text = "metrics: GET " + m.path;
  if (m.admin_key_sha256) return text + " with admin key " + m.admin_key_ref;
  if (c.admission.mode == AuthMode::kNone) return text + " (open access, no admin key)";
  return text + " refused: [auth] mode = \"keys\" needs [metrics] admin_key";
}

// The webhook as scheme and authority only: its path or query may hold a token.
std::string alerts_line(const Alerts& a) {
  std::string text = "alerts: budget_percent=";
  if (a.budget_percent.empty()) text += "none";
  for (size_t i = 0; i < a.budget_percent.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(a.budget_percent[i]);
  }
  const WebhookTarget& w = a.webhook;
  text += " webhook=";
  if (!w.enabled()) return text + "none";
  text += w.safe_name();
  if (!w.ref.empty()) text.append(" (").append(w.ref).append(")");
  text.append(" timeout=").append(std::to_string(w.timeout_ms));
  text.append("ms retries=").append(std::to_string(w.retries));
  return text;
}

}  // namespace

std::string describe(const Config& c) {
  const Server& s = c.server;
  const Timeouts& t = c.timeouts;
  std::string out;
  auto line = [&out](std::string text) {
    out += text;
    out += '\n';
  };
  line("config: " + (c.source_path.empty() ? std::string("(built in)") : c.source_path));
  std::string host =
      s.listen_host.find(':') != std::string::npos ? "[" + s.listen_host + "]" : s.listen_host;
  line("listen: " + host + ":" + std::to_string(s.listen_port) + ", shards: " +
       (s.shards == 0 ? std::string("one per online CPU") : std::to_string(s.shards)));
  if (s.tls.enabled) {
    const ServerTls& tls = s.tls;
    std::string where = tls.own_listener ? tls.listen_host + ":" + std::to_string(tls.listen_port)
                                         : "the [server] listen address";
    line("tls: on " + where + ", cert_file=" + tls.cert_file +
         ", min_version=" + (tls.tls13_only ? "1.3" : "1.2") + ", client certificates: " +
         (tls.client_ca_file.empty() ? std::string("not asked for")
          : tls.client_cert_required ? "required (" + tls.client_ca_file + ")"
                                     : "optional (" + tls.client_ca_file + ")") +
         ", handshake_ms=" + std::to_string(tls.handshake_ms) + ", kTLS: not used");
  }
  line("limits: max_body_bytes=" + std::to_string(s.max_body_bytes) + " max_upload_bytes=" +
       std::to_string(s.max_upload_bytes) + " max_head_bytes=" + std::to_string(s.max_head_bytes) +
       " max_headers=" + std::to_string(s.max_headers) +
       " max_response_bytes=" + std::to_string(s.max_response_bytes) +
       " max_sse_event_bytes=" + std::to_string(s.max_sse_event_bytes) +
       " max_connections=" + std::to_string(s.max_connections) + "/shard" +
       " max_pooled_buffer_bytes=" + std::to_string(s.max_pooled_buffer_bytes) + "/shard");
  line("timeouts (ms): header_read=" + std::to_string(t.header_read_ms) + " body_read=" +
       std::to_string(t.body_read_ms) + " keepalive_idle=" + std::to_string(t.keepalive_idle_ms) +
       " upstream_connect=" + std::to_string(t.upstream_connect_ms) +
       " upstream_ttfb=" + std::to_string(t.upstream_ttfb_ms) +
       " stream_idle=" + std::to_string(t.stream_idle_ms) + " total=" + std::to_string(t.total_ms) +
       " sse_heartbeat=" + std::to_string(t.sse_heartbeat_ms));
  const LedgerConfig& l = c.ledger;
  line(l.enabled() ? "ledger: " + l.path + " (flush every " + std::to_string(l.flush_interval_ms) +
                         " ms or " + std::to_string(l.batch_rows) + " rows, queue " +
                         std::to_string(l.queue_rows) + " rows)" +
                         (l.ships_to_postgres()
                              ? "; shipped to postgres " + l.postgres_ref + " every " +
                                    std::to_string(l.postgres_flush_interval_ms) + " ms as node " +
                                    (l.node.empty() ? std::string("hostname:port") : l.node)
                              : std::string())
                   : std::string("ledger: off"));
  for (const Upstream& u : c.upstreams) {
    std::string key =
        u.api_key_ref.empty() ? std::string("none") : u.api_key_ref + " " + redact(u.api_key);
    std::string text =
        "upstream " + u.name + ": " + u.url + " format=" + std::string(to_string(u.format)) +
        (u.api_version.empty() ? "" : " api_version=" + u.api_version) +
        (u.responses_api == providers::ResponsesApi::kChat ? " responses_api=chat" : "") +
        " key=" + key + " pool=" + std::to_string(u.max_connections) + " max, " +
        std::to_string(u.max_idle) + " idle per shard, queue " + std::to_string(u.queue_depth) +
        " for " + std::to_string(u.queue_timeout_ms) + " ms";
    if (u.parsed.tls) {
      text += std::string(" tls_verify=") + (u.tls_verify ? "on" : "OFF");
      if (!u.ca_file.empty()) text += " ca_file=" + u.ca_file;
    }
    line(std::move(text));
  }
  for (const Deployment& d : c.deployments) {
    std::string text = "deployment " + d.name + " -> " + d.upstream + " as " + d.model +
                       " weight=" + std::to_string(d.weight) + " keys=";
    for (size_t i = 0; i < d.key_refs.size(); ++i) text += (i ? "," : "") + d.key_refs[i];
    if (d.key_refs.empty()) text += "(upstream's)";
    text += " max_concurrent=" + (d.max_concurrent ? std::to_string(d.max_concurrent) : "none") +
            " connect_ms=" + std::to_string(d.connect_ms) + " ttfb_ms=" + std::to_string(d.ttfb_ms);
    if (d.price.set) text.append(" ").append(price_text(d.price));
    line(std::move(text));
  }
  for (const Model& m : c.models) {
    std::string text = "model " + m.name + " -> ";
    if (m.deployments.empty()) {
      text += m.upstream;
      if (!m.upstream_model.empty()) text += " as " + m.upstream_model;
    } else {
      for (size_t i = 0; i < m.deployments.size(); ++i) text += (i ? "," : "") + m.deployments[i];
      text.append(" strategy=").append(to_string(m.strategy));
    }
    if (!m.fallbacks.empty()) {
      text += " fallbacks=";
      for (size_t i = 0; i < m.fallbacks.size(); ++i) text += (i ? "," : "") + m.fallbacks[i];
    }
    if (m.on_timeout == OnTimeout::kFail) text += " on_timeout=fail";
    if (!m.aliases.empty()) {
      text += " aliases=";
      for (size_t i = 0; i < m.aliases.size(); ++i) text += (i ? "," : "") + m.aliases[i];
    }
    text += " max_tokens_cap=" + (m.max_tokens_cap ? std::to_string(m.max_tokens_cap) : "none") +
            " default_max_tokens=" + std::to_string(m.default_max_tokens);
    if (m.reasoning) text += " reasoning";
    if (m.unsupported_fields != UnsupportedFields::kDrop) {
      text.append(" unsupported_fields=")
          .append(providers::unsupported_fields_name(m.unsupported_fields));
    }
    if (m.price.set) text.append(" ").append(price_text(m.price));
    if (m.limits.any()) text.append(" limits: ").append(limits_text(m.limits));
    line(std::move(text));
  }
  line(metrics_line(c));
  line(alerts_line(c.alerts));
  if (c.passthrough && !c.upstreams.empty()) {
    line("passthrough: every model and /v1/* path goes to upstream " + c.upstreams[0].name);
  }
  if (c.translation.reasoning || c.translation.unsupported_fields != UnsupportedFields::kDrop) {
    line(std::string("translation defaults: reasoning=") +
         (c.translation.reasoning ? "on" : "off") + " unsupported_fields=" +
         std::string(providers::unsupported_fields_name(c.translation.unsupported_fields)));
  }
  return out + admission_lines(c.admission);
}

}  // namespace ringgate::config

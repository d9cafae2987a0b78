#include "tools/cli/top_frame.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <vector>

namespace ringgate::cli {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using Num = std::optional<double>;

// The frame's lines, each cut to the width; beyond the height only counted.
class Lines {
 public:
  Lines(unsigned width, unsigned height) : width_(width), height_(height) {}

  void add(std::string_view s) {
    ++total_;
    s = s.substr(0, width_);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (kept_.size() < height_) kept_.push_back(printable(s));
  }

  std::string text() {
    if (total_ > height_ && height_ > 0) {
      char more[64];
      std::snprintf(more, sizeof more, "... %zu more lines (a taller terminal shows them)",
                    total_ - height_ + 1);
      kept_.back() = std::string(more).substr(0, width_);
    }
    std::string out;
    for (const std::string& l : kept_) out.append(l).push_back('\n');
    return out;
  }

 private:
  // Names come from the gateway's JSON: a control byte or UTF-8 could move the cursor or
  // make the line wider than it counts.
  static std::string printable(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c < 0x20 || c > 0x7e) c = '?';
    }
    return out;
  }

  unsigned width_, height_;
  size_t total_ = 0;
  std::vector<std::string> kept_;
};

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

Num number(element e, std::string_view key) {
  double d;
  if (e[key].get_double().get(d) || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string_view text(element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s) || s.empty()) return "-";
  return s;
}

// Numbers beyond what a screen column holds are shown in exponent form rather than widened.
std::string fixed(Num v, int decimals) {
  if (!v) return "-";
  if (std::fabs(*v) >= 1e9) return format("%.3g", *v);
  return format("%.*f", decimals, *v);
}

std::string count(Num v) {
  if (!v) return "-";
  const double a = std::fabs(*v);
  if (a < 1e6) return format("%.0f", *v);
  if (a < 1e9) return format("%.1fM", *v / 1e6);
  if (a < 1e12) return format("%.1fG", *v / 1e9);
  return format("%.3g", *v);
}

// Cents, or four decimals for a spend below a cent, so a small spend is not shown as none.
std::string money(Num v) {
  if (!v) return "-";
  const double a = std::fabs(*v);
  if (a == 0) return "$0";
  if (a < 0.01) return format("$%.4f", *v);
  if (a < 1e9) return format("$%.2f", *v);
  return format("$%.3g", *v);
}

std::string percent(Num ratio) {
  if (!ratio) return "-";
  if (std::fabs(*ratio) >= 1e6) return format("%.3g%%", *ratio * 100);
  return format("%.1f%%", *ratio * 100);
}

// 12s, 3m05s, 3h12m, 2d03h: the two largest units are enough to read a reset at a glance.
std::string duration(Num seconds) {
  if (!seconds) return "-";
  if (*seconds <= 0) return "now";
  if (*seconds >= 86400.0 * 1000) return ">999d";
  const auto s = static_cast<unsigned long long>(std::ceil(*seconds));
  if (s < 60) return format("%llus", s);
  if (s < 3600) return format("%llum%02llus", s / 60, s % 60);
  if (s < 86400) return format("%lluh%02llum", s / 3600, s / 60 % 60);
  return format("%llud%02lluh", s / 86400, s / 3600 % 24);
}

std::string until(Num at, Num now) {
  if (!at || !now) return "-";
  return duration(*at - *now);
}

// HH:MM:SS UTC of a unix time.
std::string clock_text(Num now) {
  if (!now || *now < 0 || *now >= 1e12) return "-";
  const auto s = static_cast<long long>(*now) % 86400;
  return format("%02lld:%02lld:%02lld UTC", s / 3600, s / 60 % 60, s % 60);
}

std::string bar(Num used, Num limit, unsigned inner) {
  double f = 0;
  if (used && limit && *limit > 0) f = std::clamp(*used / *limit, 0.0, 1.0);
  const auto full = static_cast<unsigned>(std::lround(f * inner));
  std::string out(inner + 2, '.');
  out.front() = '[';
  out.back() = ']';
  std::fill_n(out.begin() + 1, full, '#');
  return out;
}

// One JSON reply, parsed on its own parser: the elements stay valid while the section draws.
struct Reply {
  simdjson::dom::parser parser;
  element root;
  bool ok = false;
  explicit Reply(std::string_view json) { ok = !json.empty() && !parser.parse(json).get(root); }
};

struct Layout {
  unsigned width;
  // 24 at 80 columns; wider terminals get longer bars up to 40, narrower ones keep 5.
  unsigned bar_inner() const { return std::clamp(int(width) - 56, 5, 40); }
};

void overview_lines(const Reply& r, std::string_view gateway, std::string_view problem,
                    Lines& out) {
  const element o = r.root;  // looked into only when the reply parsed
  const bool ok = r.ok;
  auto n = [&](std::string_view k) { return ok ? number(o, k) : std::nullopt; };
  auto sub = [&](std::string_view obj, std::string_view k) {
    element e;
    return ok && !o[obj].get(e) ? number(e, k) : std::nullopt;
  };
  out.add(format("ringgate top  %.*s  up %s  %s shards  %s",
                 int(std::min<size_t>(gateway.size(), 80)), gateway.data(),
                 duration(n("uptime_s")).c_str(), count(n("shards")).c_str(),
                 clock_text(n("now")).c_str()));
  if (!problem.empty()) out.add("! " + std::string(problem));
  out.add(format(
      "requests/s  1m %-9s 5m %-9s     errors  1m %-7s 5m %s",
      fixed(sub("requests_per_s", "1m"), 2).c_str(), fixed(sub("requests_per_s", "5m"), 2).c_str(),
      percent(sub("error_rate", "1m")).c_str(), percent(sub("error_rate", "5m")).c_str()));
  out.add(format(
      "latency ms  p50 %-8s p95 %-8s p99 %-8s", fixed(sub("latency_ms", "p50"), 1).c_str(),
      fixed(sub("latency_ms", "p95"), 1).c_str(), fixed(sub("latency_ms", "p99"), 1).c_str()));
  out.add(format("ttft ms     p50 %-8s p95 %-8s p99 %-8s", fixed(sub("ttft_ms", "p50"), 1).c_str(),
                 fixed(sub("ttft_ms", "p95"), 1).c_str(), fixed(sub("ttft_ms", "p99"), 1).c_str()));
  out.add(format("open        %s connections  %s streams     spend today %s",
                 count(n("open_connections")).c_str(), count(n("open_streams")).c_str(),
                 money(n("spend_today_usd")).c_str()));
}

void deployment_lines(const Reply& r, Lines& out) {
  array list;
  if (!r.ok || r.root["deployments"].get_array().get(list)) {
    out.add("DEPLOYMENTS  -");
    return;
  }
  out.add(format("DEPLOYMENTS (%zu)", list.size()));
  out.add(format("%-18s %-7s %-9s %5s %7s %8s %6s %s", "NAME", "HEALTH", "BREAKER", "INFL",
                 "EWMA-MS", "REQS", "ERRS", "MANAGED"));
  for (element d : list) {
    const std::string_view name = text(d, "name"), health = text(d, "health"),
                           breaker = text(d, "breaker");
    element managed;
    std::string_view state = "-";
    if (!d["managed"].get(managed)) state = text(managed, "state");
    out.add(format("%-18.18s %-7.7s %-9.9s %5s %7s %8s %6s %.12s", std::string(name).c_str(),
                   std::string(health).c_str(), std::string(breaker).c_str(),
                   count(number(d, "in_flight")).c_str(),
                   fixed(number(d, "latency_ewma_ms"), 1).c_str(),
                   count(number(d, "requests")).c_str(), count(number(d, "errors")).c_str(),
                   std::string(state).c_str()));
  }
}

// A bar per limit (used of the limit, when it refills) and per budget (spent, when it resets).
void limit_lines(element owner, Num now, const Layout& lay, Lines& out) {
  array limits, budgets;
  const bool has_limits = !owner["limits"].get_array().get(limits) && limits.size() > 0;
  const bool has_budgets = !owner["budgets"].get_array().get(budgets) && budgets.size() > 0;
  if (!has_limits && !has_budgets) {
    out.add("  no limits or budgets");
    return;
  }
  if (has_limits) {
    for (element l : limits) {
      const Num limit = number(l, "limit"), remaining = number(l, "remaining");
      Num used;
      if (limit && remaining) used = *limit - *remaining;
      // A bucket with nothing used has nothing to refill.
      const std::string reset =
          used && *used <= 0 ? "full" : "resets " + duration(number(l, "reset_s"));
      out.add(format("  %-20.20s %s %15s  %s", std::string(text(l, "name")).c_str(),
                     bar(used, limit, lay.bar_inner()).c_str(),
                     (count(used) + "/" + count(limit)).c_str(), reset.c_str()));
    }
  }
  if (has_budgets) {
    for (element b : budgets) {
      const Num limit = number(b, "limit_usd"), spent = number(b, "spent_usd");
      const std::string label = "budget " + std::string(text(b, "period"));
      out.add(format("  %-20.20s %s %15s  resets %s", label.c_str(),
                     bar(spent, limit, lay.bar_inner()).c_str(),
                     (money(spent) + "/" + money(limit)).c_str(),
                     until(number(b, "resets_at"), now).c_str()));
    }
  }
}

// KEYS or TEAMS: a line per owner (usage so far), then its bars.
void owner_lines(const Reply& r, std::string_view field, const char* title, Num now,
                 const Layout& lay, Lines& out) {
  array list;
  if (!r.ok || r.root[field].get_array().get(list)) {
    out.add(format("%s  -", title));
    return;
  }
  out.add(format("%s (%zu)", title, list.size()));
  for (element o : list) {
    std::string line = std::string(text(o, "id"));
    if (field == "keys") {
      line += "  team " + std::string(text(o, "team"));
      bool revoked = false;
      if (!o["revoked"].get_bool().get(revoked) && revoked) line += "  REVOKED";
      if (const Num exp = number(o, "expires_at")) line += "  expires in " + until(exp, now);
    } else {
      line += "  " + count(number(o, "keys")) + " keys";
    }
    line += "  " + count(number(o, "requests")) + " requests  " + money(number(o, "spend_usd"));
    out.add(line);
    limit_lines(o, now, lay, out);
  }
}

}  // namespace

std::string render_top_frame(const TopFrameInput& in, unsigned width, unsigned height) {
  Lines out(width, height);
  const Layout lay{width};
  const Reply overview(in.overview);
  overview_lines(overview, in.gateway, in.problem, out);
  const Num now = overview.ok ? number(overview.root, "now") : std::nullopt;
  out.add("");
  deployment_lines(Reply(in.deployments), out);
  out.add("");
  owner_lines(Reply(in.keys), "keys", "KEYS", now, lay, out);
  out.add("");
  owner_lines(Reply(in.teams), "teams", "TEAMS", now, lay, out);
  return out.text();
}

}  // namespace ringgate::cli

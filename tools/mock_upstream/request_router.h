#pragma once

#include <simdjson.h>

#include <string_view>

#include "tools/mock_upstream/http_request_reader.h"
#include "tools/mock_upstream/mock_options.h"
#include "tools/mock_upstream/mock_stats.h"
#include "tools/mock_upstream/response_plan.h"

namespace ringgate::mock_upstream {

// Turns a complete request into a response plan: mock control endpoints, auth, injected failures,
// then the API handlers. One per worker thread (it owns a simdjson parser).
class RequestRouter {
 public:
  RequestRouter(const MockOptions& options, MockStats& stats) : options_(options), stats_(stats) {}

  // Milliseconds since the process started (the --startup-delay-ms clock).
  static uint64_t UptimeMs();

  ResponsePlan Route(const HttpRequest& request);

  // A request the reader rejected; the connection closes after the answer.
  ResponsePlan ProtocolError(int status, std::string_view message);

 private:
  ResponsePlan RouteApi(const HttpRequest& request, bool close_after);

  const MockOptions& options_;
  MockStats& stats_;
  simdjson::dom::parser parser_;
};

}  // namespace ringgate::mock_upstream

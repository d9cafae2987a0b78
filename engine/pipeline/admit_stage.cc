#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

// The admission issue fills this in (virtual keys, token buckets, budgets). Until then every
// client is admitted, and the gateway says so loudly at start.
Verdict admit(RequestContext&, const ShardServices&) { return Verdict::go_on(); }

}  // namespace ringgate::pipeline

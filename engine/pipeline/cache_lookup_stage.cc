#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {

// The cache issue fills this in (exact key, then semantic). Until then every lookup misses.
Verdict cache_lookup(RequestContext&, const ShardServices&) { return Verdict::go_on(); }

}  // namespace ringgate::pipeline

// What a stage may use on its shard, handed in: stages include neither the session nor the shard,
// so they run (and are unit tested) without a ring.
#pragma once

#include <simdjson.h>

#include <functional>

#include "engine/pipeline/request_id.h"

namespace ringgate::pipeline {

struct ShardServices {
  simdjson::dom::parser* json = nullptr;  // the shard's parser: a request's JSON is parsed once
  RequestIdSource* request_ids = nullptr;
  std::function<bool()> ready;  // every shard serving and not draining (for /readyz)
};

}  // namespace ringgate::pipeline

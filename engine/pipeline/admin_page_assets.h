// The operator console's files (engine/admin_page/), built into the binary by embed.py.
#pragma once

#include <span>
#include <string_view>

namespace ringgate::pipeline {

struct AdminAsset {
  std::string_view path;  // "/admin/console.js"
  std::string_view content_type;
  std::string_view body;
};

// Defined in the generated admin_page_assets.cc.
std::span<const AdminAsset> admin_assets();

}  // namespace ringgate::pipeline

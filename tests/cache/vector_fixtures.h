// Test data for the semantic cache index: clustered random unit vectors (reproducible from a
// seed) and brute-force nearest neighbours to measure recall against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <unordered_set>
#include <vector>

#include "cache/hnsw_index.h"

namespace ringgate::cache::testing {

// n unit vectors of `dim` floats in `clusters` Gaussian clusters around random unit centres.
inline std::vector<std::vector<float>> clustered_vectors(size_t n, size_t dim, size_t clusters,
                                                         uint64_t seed, float spread = 0.6f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<std::vector<float>> centres(clusters, std::vector<float>(dim));
  for (auto& c : centres) {
    for (float& x : c) x = gauss(rng);
    normalize(c);
  }
  const float noise = spread / std::sqrt(static_cast<float>(dim));
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (size_t i = 0; i < n; ++i) {
    const auto& c = centres[rng() % clusters];
    for (size_t d = 0; d < dim; ++d) out[i][d] = c[d] + noise * gauss(rng);
    normalize(out[i]);
  }
  return out;
}

// Ids (positions in `data`, restricted to `allowed` when given) of the k most similar vectors.
inline std::vector<uint64_t> brute_force(const std::vector<std::vector<float>>& data,
                                         std::span<const float> q, size_t k,
                                         const std::vector<bool>* allowed = nullptr) {
  std::vector<std::pair<float, uint64_t>> scored;
  for (size_t i = 0; i < data.size(); ++i) {
    if (allowed && !(*allowed)[i]) continue;
    scored.push_back({dot_product(data[i].data(), q.data(), q.size()), i});
  }
  k = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + k, scored.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < k; ++i) ids.push_back(scored[i].second);
  return ids;
}

// Share of the true top-k found among the hits.
inline double recall(const std::vector<uint64_t>& truth, const std::vector<SearchHit>& hits) {
  if (truth.empty()) return 1.0;
  std::unordered_set<uint64_t> want(truth.begin(), truth.end());
  size_t found = 0;
  for (const SearchHit& h : hits) found += want.count(h.id);
  return static_cast<double>(found) / static_cast<double>(truth.size());
}

}  // namespace ringgate::cache::testing

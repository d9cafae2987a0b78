// hnsw_compare: our HnswIndex against hnswlib and FAISS's IndexHNSWFlat at equal M and
// efConstruction, one thread each, on clustered random 384-d vectors and on real text lines
// (Debian's licence and copyright files) embedded with LocalEmbedder. For every ef it prints
// recall@10 against exact search and single-thread queries/s, plus build time and the process's
// the index's bytes per vector. Usage: hnsw_compare [--n N] [--queries Q] [--text N]
//   [--m M] [--efc EF]; --text 0 skips the text set.
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "cache/hnsw_index.h"
#include "cache/local_embedder.h"

namespace {

using ringgate::cache::HnswIndex;
using ringgate::cache::HnswParams;
using Clock = std::chrono::steady_clock;

constexpr size_t kK = 10;
constexpr size_t kEfs[] = {16, 32, 64, 128, 256};

struct Options {
  size_t n = 100000, queries = 1000, text = 30000, m = 16, efc = 200;
};

struct DataSet {
  std::string name;
  size_t dim = 0;
  std::vector<float> base, queries;  // row-major, unit rows
  size_t rows() const { return base.size() / dim; }
  size_t query_rows() const { return queries.size() / dim; }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void normalize_rows(std::vector<float>& v, size_t dim) {
  for (size_t r = 0; r < v.size() / dim; ++r) {
    ringgate::cache::normalize(std::span<float>(v.data() + r * dim, dim));
  }
}

DataSet clustered(size_t n, size_t queries, size_t dim) {
  DataSet d{"clustered-384", dim, {}, {}};
  std::mt19937_64 rng(42);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  const size_t clusters = std::max<size_t>(n / 1000, 10);
  std::vector<float> centres(clusters * dim);
  for (float& x : centres) x = gauss(rng);
  normalize_rows(centres, dim);
  const float noise = 0.6f / std::sqrt(static_cast<float>(dim));
  for (auto* out : {&d.base, &d.queries}) {
    const size_t rows = out == &d.base ? n : queries;
    out->resize(rows * dim);
    for (size_t r = 0; r < rows; ++r) {
      const float* c = &centres[(rng() % clusters) * dim];
      for (size_t i = 0; i < dim; ++i) (*out)[r * dim + i] = c[i] + noise * gauss(rng);
    }
    normalize_rows(*out, dim);
  }
  return d;
}

// Distinct lines of 20+ characters from the licence texts Debian ships, shuffled reproducibly;
// the first `queries` become queries (not indexed), the next up to `limit` the base set.
DataSet text_lines(size_t limit, size_t queries, size_t dim) {
  std::vector<std::string> files;
  for (const char* dir : {"/usr/share/common-licenses", "/usr/share/doc"}) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const auto& p = it->path();
      if (it->is_regular_file(ec) &&
          (p.parent_path() == "/usr/share/common-licenses" || p.filename() == "copyright")) {
        files.push_back(p.string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::unordered_set<std::string> seen;
  std::vector<std::string> lines;
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      const auto b = line.find_first_not_of(" \t");
      if (b == std::string::npos || line.size() - b < 20) continue;
      if (seen.insert(line.substr(b)).second) lines.push_back(line.substr(b));
    }
  }
  std::shuffle(lines.begin(), lines.end(), std::mt19937_64(7));
  lines.resize(std::min(lines.size(), limit + queries));
  DataSet d{"text-lines", dim, {}, {}};
  ringgate::cache::LocalEmbedder embedder(dim);
  std::vector<float> v(dim);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!embedder.embed_now(lines[i], v)) continue;
    auto& out = i < queries ? d.queries : d.base;
    out.insert(out.end(), v.begin(), v.end());
  }
  return d;
}

// Exact top-k ids for every query (FAISS's flat inner-product index: BLAS, one thread).
std::vector<std::vector<int64_t>> ground_truth(const DataSet& d) {
  faiss::IndexFlatIP flat(static_cast<int>(d.dim));
  flat.add(static_cast<faiss::Index::idx_t>(d.rows()), d.base.data());
  const size_t q = d.query_rows();
  std::vector<float> dist(q * kK);
  std::vector<faiss::Index::idx_t> ids(q * kK);
  flat.search(static_cast<faiss::Index::idx_t>(q), d.queries.data(), kK, dist.data(), ids.data());
  std::vector<std::vector<int64_t>> out(q);
  for (size_t i = 0; i < q; ++i) out[i].assign(ids.begin() + i * kK, ids.begin() + (i + 1) * kK);
  return out;
}

// One library behind three calls: build everything, set ef, answer one query into ids.
struct Contender {
  std::string name;
  std::function<void()> build;
  std::function<void(size_t ef, const float* q, std::vector<int64_t>& ids)> search;
  std::function<size_t()> bytes;  // the index's own arrays (vectors, links, labels, levels)
};

void measure(const DataSet& d, const std::vector<std::vector<int64_t>>& truth, Contender& c) {
  const auto t0 = Clock::now();
  c.build();
  const double build_s = seconds_since(t0);
  const double bytes = static_cast<double>(c.bytes()) / d.rows();
  std::vector<int64_t> ids;
  for (size_t ef : kEfs) {
    size_t found = 0;
    const auto t1 = Clock::now();
    for (size_t q = 0; q < d.query_rows(); ++q) {
      c.search(ef, &d.queries[q * d.dim], ids);
      for (int64_t id : ids) found += std::count(truth[q].begin(), truth[q].end(), id);
    }
    const double qps = d.query_rows() / seconds_since(t1);
    std::printf("| %s | %zu | %s | %.1f | %.0f | %zu | %.3f | %.0f |\n", d.name.c_str(), d.rows(),
                c.name.c_str(), build_s, bytes, ef, double(found) / (truth.size() * kK), qps);
    std::fflush(stdout);
  }
}

void run_ours(const DataSet& d, const Options& o, const std::vector<std::vector<int64_t>>& truth) {
  std::unique_ptr<HnswIndex> index;
  Contender c{"ringgate",
              [&] {
                HnswParams p;
                p.dim = d.dim;
                p.capacity = d.rows();
                p.m = o.m;
                p.ef_construction = o.efc;
                index = std::make_unique<HnswIndex>(p);
                for (size_t i = 0; i < d.rows(); ++i) {
                  index->insert(i, std::span<const float>(&d.base[i * d.dim], d.dim), 0);
                }
              },
              [&](size_t ef, const float* q, std::vector<int64_t>& ids) {
                ids.clear();
                for (const auto& h : index->search(std::span<const float>(q, d.dim), kK, ef, 0)) {
                  ids.push_back(static_cast<int64_t>(h.id));
                }
              },
              [&] { return index->memory_bytes(); }};
  measure(d, truth, c);
}

void run_hnswlib(const DataSet& d, const Options& o,
                 const std::vector<std::vector<int64_t>>& truth) {
  hnswlib::InnerProductSpace space(d.dim);
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
  Contender c{
      "hnswlib",
      [&] {
        index =
            std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, d.rows(), o.m, o.efc, 100);
        for (size_t i = 0; i < d.rows(); ++i) index->addPoint(&d.base[i * d.dim], i);
      },
      [&](size_t ef, const float* q, std::vector<int64_t>& ids) {
        index->setEf(ef);
        auto top = index->searchKnn(q, kK);
        ids.clear();
        for (; !top.empty(); top.pop()) ids.push_back(static_cast<int64_t>(top.top().second));
      },
      [&] {
        size_t upper = 0;
        for (size_t i = 0; i < d.rows(); ++i) {
          upper += index->element_levels_[i] * index->size_links_per_element_;
        }
        // level 0 block, upper lists, their pointers, levels, label map (~32 B/entry)
        return index->max_elements_ * (index->size_data_per_element_ + sizeof(void*) + 4 + 32) +
               upper;
      }};
  measure(d, truth, c);
}

void run_faiss(const DataSet& d, const Options& o, const std::vector<std::vector<int64_t>>& truth) {
  std::unique_ptr<faiss::IndexHNSWFlat> index;
  Contender c{
      "faiss",
      [&] {
        index = std::make_unique<faiss::IndexHNSWFlat>(
            static_cast<int>(d.dim), static_cast<int>(o.m), faiss::METRIC_INNER_PRODUCT);
        index->hnsw.efConstruction = static_cast<int>(o.efc);
        index->add(static_cast<faiss::Index::idx_t>(d.rows()), d.base.data());
      },
      [&](size_t ef, const float* q, std::vector<int64_t>& ids) {
        index->hnsw.efSearch = static_cast<int>(ef);
        float dist[kK];
        faiss::Index::idx_t got[kK];
        index->search(1, q, kK, dist, got);
        ids.assign(got, got + kK);
      },
      [&] {
        const auto& h = index->hnsw;
        return d.rows() * d.dim * sizeof(float) + h.neighbors.size() * sizeof(h.neighbors[0]) +
               h.offsets.size() * sizeof(h.offsets[0]) + h.levels.size() * sizeof(h.levels[0]);
      }};
  measure(d, truth, c);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const size_t v = std::strtoull(argv[i + 1], nullptr, 10);
    const std::string flag = argv[i];
    if (flag == "--n")
      o.n = v;
    else if (flag == "--queries")
      o.queries = v;
    else if (flag == "--text")
      o.text = v;
    else if (flag == "--m")
      o.m = v;
    else if (flag == "--efc")
      o.efc = v;
    else
      std::fprintf(stderr, "hnsw_compare: unknown flag %s\n", argv[i]), std::exit(2);
  }
  o.queries = std::max<size_t>(o.queries, 1);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  omp_set_num_threads(1);  // FAISS builds and searches on one thread, like the others
  std::printf("M=%zu efConstruction=%zu k=%zu queries=%zu, one thread\n\n", o.m, o.efc, kK,
              o.queries);
  std::printf(
      "| data | vectors | library | build s | bytes/vector | ef | recall@10 | queries/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<DataSet> sets;
  sets.push_back(clustered(std::max<size_t>(o.n, kK), o.queries, 384));
  if (o.text > 0) sets.push_back(text_lines(o.text, o.queries, 384));
  for (const DataSet& d : sets) {
    if (d.rows() < kK || d.query_rows() == 0) continue;
    const auto truth = ground_truth(d);
    run_ours(d, o, truth);
    run_hnswlib(d, o, truth);
    run_faiss(d, o, truth);
  }
  return 0;
}

// Keys created through the admin API: the managed_keys table of the ledger database, written on
// this store's own thread (never on a shard). A change is committed first, then published (the
// gateway swaps in a runtime with the new key set and every shard adopts it on its reload
// check), then answered, and audited as one JSON line on the log (ids only, never a key).
// Expired keys are refused at admission by their expires_at; the thread writes their audit line.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/admission_config.h"
#include "engine/pipeline/admin_keys_write.h"
#include "engine/telemetry/managed_key_db.h"

namespace ringgate::gateway {

class KeyStore final : public pipeline::KeyWriter {
 public:
  struct Hooks {
    // Serves `keys` (every managed key not revoked) on every shard; returns once published.
    std::function<void(std::vector<config::VirtualKey> keys)> publish;
    // The config file has a key with this id (it changes on reload, so asked at each create).
    std::function<bool(std::string_view id)> config_has;
  };

  // Opens the ledger file at `path` and loads its managed keys; null with the reason.
  static std::unique_ptr<KeyStore> open(const std::string& path, std::string& err,
                                        std::FILE* audit = stderr);
  ~KeyStore();

  // The loaded keys not revoked (expired ones too: admission refuses them), for the first runtime.
  std::vector<config::VirtualKey> active_keys() const;
  void start(Hooks hooks);
  // Answers what is queued, then joins; later submits are refused.
  void stop();
  bool submit(pipeline::KeyChange change, std::shared_ptr<pipeline::KeyChangeWaiter> w) override;

 private:
  struct Job {
    pipeline::KeyChange change;
    std::shared_ptr<pipeline::KeyChangeWaiter> waiter;
  };
  KeyStore(std::unique_ptr<telemetry::ManagedKeyDb> db, std::vector<telemetry::ManagedKeyRow> rows,
           std::FILE* audit);
  void run();
  pipeline::KeyChangeResult create(const pipeline::KeyChange& c);
  pipeline::KeyChangeResult revoke(const pipeline::KeyChange& c);
  void log_expired();
  void audit(std::string_view event, const telemetry::ManagedKeyRow& row);

  std::unique_ptr<telemetry::ManagedKeyDb> db_;
  std::vector<telemetry::ManagedKeyRow> rows_;  // the store thread's once started
  std::FILE* audit_;
  Hooks hooks_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool accepting_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ringgate::gateway

#include "engine/telemetry/admin_ledger_queries.h"

#include <pthread.h>

namespace ringgate::telemetry {

AdminLedgerQueries::AdminLedgerQueries(std::string ledger_path)
    : path_(std::move(ledger_path)), thread_([this] { run(); }) {}

AdminLedgerQueries::~AdminLedgerQueries() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool AdminLedgerQueries::submit(LedgerReader::RecentFilter filter, Done done) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= kMaxQueued) return false;
    queue_.push_back({std::move(filter), std::move(done)});
  }
  cv_.notify_one();
  return true;
}

void AdminLedgerQueries::answer(Job& job) {
  std::string error;
  if (!reader_) reader_ = LedgerReader::open(path_, error);
  if (!reader_) {
    job.done(std::nullopt, std::move(error));
    return;
  }
  std::optional<std::vector<LedgerRow>> rows = reader_->recent_rows(job.filter, error);
  if (!rows) reader_.reset();  // the next job opens the file again
  job.done(std::move(rows), std::move(error));
}

void AdminLedgerQueries::run() {
  pthread_setname_np(pthread_self(), "rg-admin-ledger");
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    answer(job);
    lock.lock();
  }
}

}  // namespace ringgate::telemetry

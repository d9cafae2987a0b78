#include "cache/single_flight.h"

#include <algorithm>
#include <utility>

namespace ringgate::cache {

void Flight::set_format(std::string format) {
  std::lock_guard lock(mu_);
  format_ = std::move(format);
}

std::string Flight::format() const {
  std::lock_guard lock(mu_);
  return format_;
}

// The wakers whose offset the log has passed (all of them once settled); run outside the lock.
std::vector<std::function<void()>> Flight::take_wakers_locked() {
  std::vector<std::function<void()>> ready;
  const bool settled = state_ != FlightState::kRunning;
  auto keep = std::remove_if(wakers_.begin(), wakers_.end(), [&](Waker& w) {
    if (!settled && log_.size() <= w.offset) return false;
    ready.push_back(std::move(w.callback));
    return true;
  });
  wakers_.erase(keep, wakers_.end());
  return ready;
}

void Flight::append(std::string_view bytes) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    if (state_ != FlightState::kRunning || bytes.empty()) return;
    log_.append(bytes);
    ready = take_wakers_locked();
  }
  for (auto& wake : ready) wake();
}

void Flight::settle(FlightState state) {
  std::vector<std::function<void()>> ready;
  std::function<void()> cancel;
  {
    std::lock_guard lock(mu_);
    if (state_ != FlightState::kRunning) return;
    state_ = state;
    ready = take_wakers_locked();
    if (state == FlightState::kCancelled) cancel = std::move(cancel_callback_);
    cancel_callback_ = nullptr;
  }
  group_->forget(key_, this);
  for (auto& wake : ready) wake();
  if (cancel) cancel();
}

void Flight::finish() { settle(FlightState::kDone); }
void Flight::fail() { settle(FlightState::kFailed); }

bool Flight::cancel_requested() const {
  std::lock_guard lock(mu_);
  return state_ == FlightState::kCancelled;
}

void Flight::on_cancel(std::function<void()> callback) {
  {
    std::lock_guard lock(mu_);
    if (state_ != FlightState::kCancelled) {
      if (state_ == FlightState::kRunning) cancel_callback_ = std::move(callback);
      return;
    }
  }
  callback();  // already cancelled: tell the leader now
}

FlightRead Flight::read_from(size_t offset, std::string& out, size_t max_bytes) const {
  std::lock_guard lock(mu_);
  FlightRead read;
  read.state = state_;
  if (offset < log_.size()) {
    read.bytes = std::min(max_bytes, log_.size() - offset);
    out.append(log_, offset, read.bytes);
  }
  read.at_end = offset + read.bytes >= log_.size();
  return read;
}

bool Flight::wake_after(size_t offset, std::function<void()> callback) {
  std::lock_guard lock(mu_);
  if (state_ != FlightState::kRunning || log_.size() > offset) return false;
  wakers_.push_back(Waker{offset, std::move(callback)});
  return true;
}

void Flight::release() {
  bool cancel = false;
  {
    std::lock_guard lock(mu_);
    if (attached_ == 0) return;
    cancel = --attached_ == 0 && state_ == FlightState::kRunning;
  }
  if (cancel) settle(FlightState::kCancelled);
}

size_t Flight::attached() const {
  std::lock_guard lock(mu_);
  return attached_;
}

Flight::Attach Flight::attach(size_t max_followers) {
  std::lock_guard lock(mu_);
  if (state_ != FlightState::kRunning || attached_ == 0) return Attach::kSettled;
  if (followers_ >= max_followers) return Attach::kFull;
  ++attached_;
  ++followers_;
  return Attach::kAttached;
}

FlightJoin SingleFlight::join(const CacheKey& key) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = flights_.try_emplace(key);
  if (inserted) {
    it->second = std::make_shared<Flight>(this, key);
    return FlightJoin{FlightRole::kLeader, it->second};
  }
  switch (it->second->attach(max_followers_)) {
    case Flight::Attach::kAttached:
      return FlightJoin{FlightRole::kFollower, it->second};
    case Flight::Attach::kFull:
      return FlightJoin{FlightRole::kAlone, nullptr};
    case Flight::Attach::kSettled:
      break;  // settling right now, forget() not yet run: lead a fresh flight
  }
  it->second = std::make_shared<Flight>(this, key);
  return FlightJoin{FlightRole::kLeader, it->second};
}

void SingleFlight::forget(const CacheKey& key, const Flight* flight) {
  std::lock_guard lock(mu_);
  auto it = flights_.find(key);
  if (it != flights_.end() && it->second.get() == flight) flights_.erase(it);
}

size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mu_);
  return flights_.size();
}

}  // namespace ringgate::cache

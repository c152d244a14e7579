#include "common/login/login_throttle.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ntmis {
namespace {

std::string PairKey(const std::string& source, const std::string& name) {
  return absl::StrCat(source, "\n", name);
}

}  // namespace

ThrottleWait LoginThrottle::Wait(const std::string& source,
                                 const std::string& name, int64_t now) {
  absl::MutexLock lock(&mu_);
  ThrottleWait wait;
  if (auto it = sources_.find(source);
      it != sources_.end() && it->second.next_allowed > now)
    wait = {it->second.next_allowed - now, ThrottleScope::kAddress};
  if (auto it = pairs_.find(PairKey(source, name));
      it != pairs_.end() && it->second.next_allowed - now > wait.seconds)
    wait = {it->second.next_allowed - now, ThrottleScope::kName};
  return wait;
}

void LoginThrottle::Delay(Counter& c, int over, int64_t now) const {
  if (over <= 0) return;
  const int64_t delay = over > 20
                            ? policy_.max_delay_seconds
                            : std::min<int64_t>(int64_t{1} << (over - 1),
                                                policy_.max_delay_seconds);
  c.next_allowed = now + delay;
}

int LoginThrottle::RecordFailure(const std::string& source,
                                 const std::string& name, int64_t now) {
  absl::MutexLock lock(&mu_);
  const std::string pair = PairKey(source, name);
  if (pairs_.size() >= policy_.max_sources && !pairs_.contains(pair))
    ForgetStale(pairs_, now);
  Counter& p = pairs_[pair];
  if (now - p.last_failure > policy_.window_seconds) p.failures = 0;
  ++p.failures;
  p.last_failure = now;
  Delay(p, p.failures - policy_.pair_free_failures, now);

  if (sources_.size() >= policy_.max_sources && !sources_.contains(source))
    ForgetStale(sources_, now);
  Counter& s = sources_[source];
  s.times.push_back(now);
  while (!s.times.empty() && now - s.times.front() > policy_.window_seconds)
    s.times.pop_front();
  while (s.times.size() > static_cast<size_t>(policy_.free_failures) + 21)
    s.times.pop_front();
  s.last_failure = now;
  const int in_window = static_cast<int>(s.times.size());
  Delay(s, in_window - policy_.free_failures, now);
  return in_window;
}

void LoginThrottle::ForgetName(const std::string& name) {
  absl::MutexLock lock(&mu_);
  const std::string suffix = "\n" + name;
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    auto next = std::next(it);
    if (absl::EndsWith(it->first, suffix)) pairs_.erase(it);
    it = next;
  }
}

void LoginThrottle::ForgetStale(Counters& counters, int64_t now) const {
  for (auto it = counters.begin(); it != counters.end();) {
    auto next = std::next(it);
    if (now - it->second.last_failure > policy_.window_seconds &&
        it->second.next_allowed <= now)
      counters.erase(it);
    it = next;
  }
  // Still full of entries failing right now: start afresh rather than grow.
  if (counters.size() >= policy_.max_sources) counters.clear();
}

}  // namespace ntmis

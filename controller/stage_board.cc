#include "controller/stage_board.h"

#include "api/topology.h"

namespace lk {

StageBoard::StageBoard(const std::vector<std::string>& nodes, const std::set<std::string>& fresh) : fresh_(fresh) {
  const int last = static_cast<int>(StageNames().size()) - 1;
  for (const auto& n : nodes) done_[n] = fresh.count(n) ? -1 : last;
  for (const auto& f : fresh) done_[f] = -1;
}

bool StageBoard::ClosesCycle(const std::string& waiter, const std::string& node, int stage, std::string* cycle) const {
  std::string path = waiter;
  std::string cur = node;
  int want = stage;
  for (size_t hops = 0; hops <= waiting_.size(); ++hops) {
    auto d = done_.find(cur);
    if (d == done_.end() || d->second >= want) return false;  // that wait ends
    path += " -> " + cur + " " + StageNames()[want];
    if (cur == waiter) {
      if (cycle) *cycle = path;
      return true;
    }
    auto w = waiting_.find(cur);
    if (w == waiting_.end()) return false;  // cur is working, and will finish its stages
    cur = w->second.first;
    want = w->second.second;
  }
  return false;  // a cycle among others: each of them finds it
}

bool StageBoard::Await(const std::string& waiter, const std::string& node, int stage, std::string* cycle) {
  std::unique_lock lock(mu_);
  if (ClosesCycle(waiter, node, stage, cycle)) return false;
  waiting_[waiter] = {node, stage};
  cv_.wait(lock, [&] { return done_[node] >= stage; });
  waiting_.erase(waiter);
  return true;
}

void StageBoard::Finish(const std::string& node, int stage) {
  std::lock_guard lock(mu_);
  if (done_[node] < stage) done_[node] = stage;
  cv_.notify_all();
}

int StageBoard::Done(const std::string& node) const {
  std::lock_guard lock(mu_);
  auto it = done_.find(node);
  return it == done_.end() ? -1 : it->second;
}

size_t StageBoard::Waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void StageBoard::AddLink(const std::string& id, const std::string& a, const std::string& b) {
  std::lock_guard lock(mu_);
  links_.push_back({id, Link{a, b}});
}

std::vector<std::string> StageBoard::ReachLinks(const std::string& node) {
  std::lock_guard lock(mu_);
  at_links_.insert(node);
  std::vector<std::string> mine;
  for (auto& [id, l] : links_) {
    if (l.claimed || (l.a != node && l.b != node)) continue;
    const std::string& peer = l.a == node ? l.b : l.a;
    if (peer.empty() || peer == node || at_links_.count(peer) || !fresh_.count(peer)) {
      l.claimed = true;
      mine.push_back(id);
    }
  }
  return mine;
}

}  // namespace lk

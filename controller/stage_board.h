// containerlab's stages for the nodes one pass (re)creates: which stage each node has finished,
// waiting for another node's stage, and which links a node makes on reaching create-links (each
// link by whichever of its two nodes gets there second, so wait-for cannot deadlock on links).
// A wait that would never end (nodes waiting for each other in a cycle) fails at once.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace lk {

class StageBoard {
 public:
  // Every node of the lab; the `fresh` ones start before the first stage, the others count as
  // through every stage.
  StageBoard(const std::vector<std::string>& nodes, const std::set<std::string>& fresh);

  // Blocks `waiter` until `node` has finished stage `stage` (an index into StageNames()).
  // Returns false at once when that wait closes a cycle of waits; `cycle` then names it
  // ("a configure -> b create -> a").
  bool Await(const std::string& waiter, const std::string& node, int stage, std::string* cycle);
  // `node` has finished `stage` (and every stage before it).
  void Finish(const std::string& node, int stage);
  int Done(const std::string& node) const;  // -1 before the first stage
  size_t Waiting() const;                   // nodes blocked in Await now

  // A link between two nodes (b empty for a one-ended link), made at create-links.
  void AddLink(const std::string& id, const std::string& a, const std::string& b);
  // `node` reaches create-links: the ids of the links it makes now, each handed out once.
  std::vector<std::string> ReachLinks(const std::string& node);

 private:
  bool ClosesCycle(const std::string& waiter, const std::string& node, int stage, std::string* cycle) const;
  struct Link {
    std::string a, b;
    bool claimed = false;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> done_;
  std::set<std::string> fresh_, at_links_;
  std::map<std::string, std::pair<std::string, int>> waiting_;  // waiter -> (node, stage)
  std::vector<std::pair<std::string, Link>> links_;             // in the order added
};

}  // namespace lk

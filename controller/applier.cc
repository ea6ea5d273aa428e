#include "controller/applier.h"

#include <algorithm>
#include <thread>

#include "controller/container_spec.h"
#include "controller/executor.h"
#include "controller/observer.h"

namespace lk {

int ApplyResult::done() const {
  int n = 0;
  for (const auto& o : outcomes) n += o.ok;
  return n;
}

std::vector<std::string> ApplyResult::failures() const {
  std::vector<std::string> out;
  for (const auto& o : outcomes)
    if (!o.ok) out.push_back(o.action.object + ": " + o.error);
  return out;
}

void ParallelFor(size_t n, int workers, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, workers)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

Applier::Applier(ContainerRuntime& runtime, LinkManager& links, Env& env, ApplyOptions opts, EventSink events,
                 ProgressSink progress)
    : runtime_(runtime),
      links_(links),
      env_(env),
      opts_(std::move(opts)),
      events_(std::move(events)),
      progress_(std::move(progress)) {
  if (opts_.owner.empty()) opts_.owner = env_.HostName();
  if (!events_) events_ = [](const Event&) {};
  if (!progress_) progress_ = [](const std::string&) {};
}

ContainerSpec Applier::SpecFor(const LabSpec& lab, const NodeConfig& n) const {
  return ContainerSpecFor(lab, n, opts_.owner);
}

ApplyResult Applier::Apply(const LabSpec& lab, bool dry_run) {
  auto start = env_.Now();
  ApplyResult r;
  ObservedLab observed = Observer(runtime_, links_).Observe(lab, opts_.adopt || lab.adopt);
  if (!observed.errors.empty()) {
    r.observe_errors = observed.errors;
    for (const auto& e : observed.errors) progress_("  cannot observe lab " + lab.name + ": " + e);
  } else {
    r.listed = observed.listed;
    r.plan = MakePlan(lab, observed, opts_.owner);
    if (!r.plan.empty() && !dry_run) {
      progress_("  " + std::to_string(r.plan.actions.size()) + " actions planned");
      Executor(PassContext{runtime_, links_, env_, opts_, events_, progress_}, lab, observed, &r).Run();
    }
  }
  r.seconds = std::chrono::duration<double>(env_.Now() - start).count();
  return r;
}

}  // namespace lk

#include "controller/metrics.h"

#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>

#include "controller/version.h"

namespace lk {

const std::vector<double>& ReconcileBuckets() {
  static const std::vector<double> b = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return b;
}

void HistogramData::Observe(double v) {
  size_t i = 0;
  while (i < bounds.size() && v > bounds[i]) ++i;
  ++counts[i];
  sum += v;
  ++count;
}

prometheus::MetricFamily& Exposition::Family(const std::string& name, const std::string& help,
                                             prometheus::MetricType type) {
  auto it = index_.find(name);
  if (it != index_.end()) return families_[it->second];
  index_[name] = families_.size();
  families_.push_back({name, help, type, {}});
  return families_.back();
}

namespace {
prometheus::ClientMetric WithLabels(const MetricLabels& labels) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  return m;
}
}  // namespace

void Exposition::Declare(const std::string& name, const std::string& help, prometheus::MetricType type) {
  Family(name, help, type);
}

void Exposition::Gauge(const std::string& name, const std::string& help, const MetricLabels& labels, double value) {
  auto m = WithLabels(labels);
  m.gauge.value = value;
  Family(name, help, prometheus::MetricType::Gauge).metric.push_back(std::move(m));
}

void Exposition::Counter(const std::string& name, const std::string& help, const MetricLabels& labels, double value) {
  auto m = WithLabels(labels);
  m.counter.value = value;
  Family(name, help, prometheus::MetricType::Counter).metric.push_back(std::move(m));
}

void Exposition::Histogram(const std::string& name, const std::string& help, const MetricLabels& labels,
                           const HistogramData& h) {
  auto m = WithLabels(labels);
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    m.histogram.bucket.push_back({cumulative, h.bounds[i]});
  }
  m.histogram.bucket.push_back({h.count, std::numeric_limits<double>::infinity()});
  Family(name, help, prometheus::MetricType::Histogram).metric.push_back(std::move(m));
}

void Exposition::Append(const prometheus::MetricFamily& family) {
  auto& dst = Family(family.name, family.help, family.type);
  dst.metric.insert(dst.metric.end(), family.metric.begin(), family.metric.end());
}

std::vector<prometheus::MetricFamily> Exposition::Take() {
  index_.clear();
  return std::move(families_);
}

HealthMetrics::HealthMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("labkeeper_build_info")
      .Help("labkeeper's version and git hash; always 1")
      .Register(*registry_)
      .Add({{"version", kVersion}, {"git_hash", kGitHash}})
      .Set(1);
  queue_latency_ = &prometheus::BuildHistogram()
                        .Name("labkeeper_workqueue_queue_duration_seconds")
                        .Help("How long a lab waits in the work queue before a worker takes it")
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries(ReconcileBuckets()));
  work_duration_ = &prometheus::BuildHistogram()
                        .Name("labkeeper_workqueue_work_duration_seconds")
                        .Help("How long a worker takes to process one lab (one reconcile pass)")
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries(ReconcileBuckets()));
}

std::string SerializeMetrics(const prometheus::Registry& registry, std::vector<prometheus::MetricFamily> extra) {
  std::vector<prometheus::MetricFamily> all = registry.Collect();
  for (auto& f : extra) all.push_back(std::move(f));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, all);
  return out.str();
}

}  // namespace lk

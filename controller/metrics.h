// Metrics in Prometheus' data model. Lab-labelled series are built at scrape time from what the
// controller holds (so a pruned lab's series disappear with it); unlabelled controller health
// lives in a prometheus-cpp registry. Both are written by prometheus-cpp's text serializer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace lk {

using MetricLabels = std::map<std::string, std::string>;

// Bucket bounds that resolve both a 5 ms pass and a 60 s one.
const std::vector<double>& ReconcileBuckets();

// A histogram's data, for series built at scrape time.
struct HistogramData {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  // per bucket, not cumulative; one extra for +Inf
  double sum = 0;
  uint64_t count = 0;
  explicit HistogramData(std::vector<double> b = ReconcileBuckets())
      : bounds(std::move(b)), counts(bounds.size() + 1) {}
  void Observe(double v);
};

// Collects metric families in the order they are first named.
class Exposition {
 public:
  void Gauge(const std::string& name, const std::string& help, const MetricLabels& labels, double value);
  void Counter(const std::string& name, const std::string& help, const MetricLabels& labels, double value);
  void Histogram(const std::string& name, const std::string& help, const MetricLabels& labels, const HistogramData& h);
  // Declares a family that may have no series now, so it is still listed (HELP and TYPE).
  void Declare(const std::string& name, const std::string& help, prometheus::MetricType type);
  // Adds a whole family built elsewhere (its series join any of the same name).
  void Append(const prometheus::MetricFamily& family);
  std::vector<prometheus::MetricFamily> Take();

 private:
  prometheus::MetricFamily& Family(const std::string& name, const std::string& help, prometheus::MetricType type);
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, size_t> index_;
};

// Controller health that has no lab label: build info, work-queue latency and work time.
class HealthMetrics {
 public:
  HealthMetrics();
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  void QueueLatency(double seconds) { queue_latency_->Observe(seconds); }
  void WorkDuration(double seconds) { work_duration_->Observe(seconds); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram* queue_latency_;
  prometheus::Histogram* work_duration_;
};

// The Prometheus text format of everything: the registry's families, then `extra`.
std::string SerializeMetrics(const prometheus::Registry& registry, std::vector<prometheus::MetricFamily> extra);

}  // namespace lk

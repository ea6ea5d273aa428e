// A link end's impairment (#20): what netem does to the frames an interface sends, as the file
// declares it (containerlab's `tools netem` names and units) and as the kernel keeps it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace lk {

// In the kernel's units, so that what is declared and what is read back compare exactly:
// durations in nanoseconds, percentages as netem's probabilities (0..UINT32_MAX for 0..100 %),
// the rate in bytes per second (0: none).
struct Impairment {
  int64_t delay_ns = 0, jitter_ns = 0;
  uint32_t loss = 0, corruption = 0, duplicate = 0, reorder = 0;
  uint64_t rate_bytes = 0;
  bool operator==(const Impairment&) const = default;
  // "delay 50ms jitter 5ms loss 10% rate 1000kbit" (what is set, in the file's units); "none".
  std::string str() const;
  // The same as name -> value in the file's units (seconds, percent, kbit/s): for JSON and metrics.
  std::map<std::string, double> Values() const;
};

// The keys of a declaration, in the order they are documented.
const char* const* ImpairmentKeys();  // null-terminated: delay, jitter, loss, corruption, duplicate, reorder, rate

// Sets `key` of `imp` from its written value: delay and jitter durations ("50ms", "1.5s", "200us";
// a bare number is milliseconds), loss, corruption, duplicate and reorder percentages ("10",
// "0.5", "10%"; 0 to 100), rate in kbit/s (a whole number). "" when it is set, else why not.
std::string SetImpairmentValue(Impairment* imp, const std::string& key, const std::string& value);

// What is wrong with the declaration as a whole ("" when nothing): netem delays nothing to
// jitter or reorder without a delay.
std::string ImpairmentProblem(const Impairment& imp);

// netem's probability for a percentage, and back.
uint32_t PercentToProb(double percent);
double ProbToPercent(uint32_t prob);

}  // namespace lk

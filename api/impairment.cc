#include "api/impairment.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace lk {

namespace {

constexpr const char* kKeys[] = {"delay", "jitter", "loss", "corruption", "duplicate", "reorder", "rate", nullptr};

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? "" : s.substr(i);
}

// A number with nothing else after it (strtod's whole input), finite and not negative.
bool Number(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) return false;
  *out = v;
  return true;
}

std::string Duration(int64_t ns) {
  char buf[48];
  if (ns % 1000000000 == 0)
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ns / 1000000000));
  else if (ns % 1000000 == 0)
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ns / 1000000));
  else if (ns % 1000 == 0)
    std::snprintf(buf, sizeof buf, "%lldus", static_cast<long long>(ns / 1000));
  else
    std::snprintf(buf, sizeof buf, "%lldns", static_cast<long long>(ns));
  return buf;
}

std::string Percent(uint32_t prob) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", ProbToPercent(prob));
  return buf;
}

}  // namespace

const char* const* ImpairmentKeys() {
  return kKeys;
}

uint32_t PercentToProb(double percent) {
  double p = std::round(percent / 100.0 * std::numeric_limits<uint32_t>::max());
  return p >= std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max() : static_cast<uint32_t>(p);
}

double ProbToPercent(uint32_t prob) {
  return std::round(static_cast<double>(prob) * 100.0 / std::numeric_limits<uint32_t>::max() * 10000.0) / 10000.0;
}

std::string Impairment::str() const {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : " ") + part; };
  if (delay_ns) add("delay " + Duration(delay_ns));
  if (jitter_ns) add("jitter " + Duration(jitter_ns));
  if (loss) add("loss " + Percent(loss));
  if (corruption) add("corruption " + Percent(corruption));
  if (duplicate) add("duplicate " + Percent(duplicate));
  if (reorder) add("reorder " + Percent(reorder));
  if (rate_bytes) add("rate " + std::to_string(rate_bytes * 8 / 1000) + "kbit");
  return s.empty() ? "none" : s;
}

std::map<std::string, double> Impairment::Values() const {
  return {{"delay", static_cast<double>(delay_ns) / 1e9},
          {"jitter", static_cast<double>(jitter_ns) / 1e9},
          {"loss", ProbToPercent(loss)},
          {"corruption", ProbToPercent(corruption)},
          {"duplicate", ProbToPercent(duplicate)},
          {"reorder", ProbToPercent(reorder)},
          {"rate", static_cast<double>(rate_bytes * 8 / 1000)}};
}

std::string SetImpairmentValue(Impairment* imp, const std::string& key, const std::string& written) {
  std::string value = Trimmed(written);
  double v = 0;
  if (key == "delay" || key == "jitter") {
    size_t split = value.find_first_not_of("0123456789.");
    std::string number = value.substr(0, split), unit = split == std::string::npos ? "" : Trimmed(value.substr(split));
    static const std::map<std::string, double> kUnits = {{"", 1e6},  // a bare number: milliseconds, as tc takes it
                                                         {"ns", 1},
                                                         {"us", 1e3},
                                                         {"ms", 1e6},
                                                         {"s", 1e9}};
    auto scale = kUnits.find(unit);
    if (scale == kUnits.end()) number.clear();
    if (!Number(number, &v)) return key + ": \"" + written + "\" is not a duration (such as 50ms, 1.5s, 200us)";
    double ns = v * scale->second;
    if (ns > 3600e9) return key + ": \"" + written + "\" is over an hour";
    (key == "delay" ? imp->delay_ns : imp->jitter_ns) = static_cast<int64_t>(std::llround(ns));
    return "";
  }
  if (key == "loss" || key == "corruption" || key == "duplicate" || key == "reorder") {
    std::string number = !value.empty() && value.back() == '%' ? Trimmed(value.substr(0, value.size() - 1)) : value;
    if (!Number(number, &v) || v > 100) return key + ": \"" + written + "\" is not a percentage from 0 to 100";
    uint32_t p = PercentToProb(v);
    (key == "loss"         ? imp->loss
     : key == "corruption" ? imp->corruption
     : key == "duplicate"  ? imp->duplicate
                           : imp->reorder) = p;
    return "";
  }
  if (key == "rate") {
    if (!Number(value, &v) || v != std::floor(v) || v > 1e12)
      return "rate: \"" + written + "\" is not a whole number of kbit/s";
    imp->rate_bytes = static_cast<uint64_t>(v) * 1000 / 8;
    return "";
  }
  std::string keys;
  for (const char* const* k = kKeys; *k; ++k) keys += (keys.empty() ? "" : ", ") + std::string(*k);
  return "unknown key \"" + key + "\" (expected one of: " + keys + ")";
}

std::string ImpairmentProblem(const Impairment& imp) {
  if (imp.jitter_ns && !imp.delay_ns) return "jitter needs a delay (netem varies the delay by it)";
  if (imp.reorder && !imp.delay_ns) return "reorder needs a delay (netem reorders by sending some frames at once)";
  return "";
}

}  // namespace lk

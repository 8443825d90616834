// NVML through dlopen: the harness builds without NVML headers or libraries and still reads SM
// clock, temperature, power and throttle reasons where the driver provides libnvidia-ml.so.1.
// A Monitor thread samples every 20 ms; the timing loop asks it whether the GPU was throttled
// while a batch of samples ran, and emits `clock` lines from its readings.
#pragma once

#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../cpu/harness_common.hpp"

namespace attnlab {

class Nvml {
 public:
  using Device = void*;
  // One reading; a field is negative when NVML could not read it.
  struct Reading {
    double t_ms = 0;  // ms since the run started
    double sm_mhz = -1, mem_mhz = -1, temp_c = -1, power_w = -1;
    uint64_t reasons = 0;
    bool reasons_ok = false;
  };

  // Clock-event reasons that mean "slower than it could be" (not GpuIdle, not app clocks).
  static constexpr uint64_t kThrottleMask = 0x4 | 0x8 | 0x20 | 0x40 | 0x80;

  ~Nvml() {
    if (shutdown_) shutdown_();
    if (lib_) dlclose(lib_);
  }

  // Loads NVML and finds the device with this PCI bus id; false (with why()) when unavailable.
  bool init(const std::string& pci_bus_id) {
    lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib_) return fail("libnvidia-ml.so.1 not found");
    init_ = sym<int (*)()>("nvmlInit_v2");
    shutdown_ = sym<int (*)()>("nvmlShutdown");
    by_pci_ = sym<int (*)(const char*, Device*)>("nvmlDeviceGetHandleByPciBusId_v2");
    driver_ = sym<int (*)(char*, unsigned)>("nvmlSystemGetDriverVersion");
    clock_ = sym<int (*)(Device, int, unsigned*)>("nvmlDeviceGetClockInfo");
    max_clock_ = sym<int (*)(Device, int, unsigned*)>("nvmlDeviceGetMaxClockInfo");
    temp_ = sym<int (*)(Device, int, unsigned*)>("nvmlDeviceGetTemperature");
    power_ = sym<int (*)(Device, unsigned*)>("nvmlDeviceGetPowerUsage");
    reasons_ = sym<int (*)(Device, unsigned long long*)>("nvmlDeviceGetCurrentClocksEventReasons");
    if (!reasons_) {
      reasons_ = sym<int (*)(Device, unsigned long long*)>("nvmlDeviceGetCurrentClocksThrottleReasons");
    }
    if (!init_ || !by_pci_) return fail("NVML lacks nvmlInit_v2 / nvmlDeviceGetHandleByPciBusId_v2");
    if (init_() != 0) {
      init_ = nullptr;
      shutdown_ = nullptr;
      return fail("nvmlInit_v2 failed");
    }
    if (by_pci_(pci_bus_id.c_str(), &device_) != 0) return fail("no NVML device at " + pci_bus_id);
    ok_ = true;
    return true;
  }

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

  std::string driver_version() const {
    char buf[96] = {0};
    if (!driver_ || driver_(buf, sizeof buf) != 0) return "";
    return buf;
  }

  // Max SM / memory clock in MHz (0 when unknown).
  unsigned max_clock(bool memory) const {
    unsigned mhz = 0;
    if (!ok_ || !max_clock_ || max_clock_(device_, memory ? 2 : 1, &mhz) != 0) return 0;
    return mhz;
  }

  Reading read(double t_ms) const {
    Reading r;
    r.t_ms = t_ms;
    if (!ok_) return r;
    unsigned x = 0;
    if (clock_ && clock_(device_, 1, &x) == 0) r.sm_mhz = x;
    if (clock_ && clock_(device_, 2, &x) == 0) r.mem_mhz = x;
    if (temp_ && temp_(device_, 0, &x) == 0) r.temp_c = x;
    if (power_ && power_(device_, &x) == 0) r.power_w = x / 1000.0;
    unsigned long long reasons = 0;
    if (reasons_ && reasons_(device_, &reasons) == 0) {
      r.reasons = reasons;
      r.reasons_ok = true;
    }
    return r;
  }

  static std::vector<std::string> reason_names(uint64_t bits) {
    static const std::pair<uint64_t, const char*> names[] = {
        {0x1, "gpu-idle"},           {0x2, "applications-clocks"}, {0x4, "sw-power-cap"},
        {0x8, "hw-slowdown"},        {0x10, "sync-boost"},         {0x20, "sw-thermal"},
        {0x40, "hw-thermal"},        {0x80, "hw-power-brake"},     {0x100, "display-clocks"},
    };
    std::vector<std::string> out;
    for (const auto& [bit, name] : names)
      if (bits & bit) out.emplace_back(name);
    return out;
  }

 private:
  template <class F>
  F sym(const char* name) {
    return reinterpret_cast<F>(dlsym(lib_, name));
  }
  bool fail(const std::string& why) {
    why_ = why;
    return false;
  }
  void* lib_ = nullptr;
  Device device_ = nullptr;
  bool ok_ = false;
  std::string why_;
  int (*init_)() = nullptr;
  int (*shutdown_)() = nullptr;
  int (*by_pci_)(const char*, Device*) = nullptr;
  int (*driver_)(char*, unsigned) = nullptr;
  int (*clock_)(Device, int, unsigned*) = nullptr;
  int (*max_clock_)(Device, int, unsigned*) = nullptr;
  int (*temp_)(Device, int, unsigned*) = nullptr;
  int (*power_)(Device, unsigned*) = nullptr;
  int (*reasons_)(Device, unsigned long long*) = nullptr;
};

// Samples NVML every 20 ms on its own thread while timing runs.
class Monitor {
 public:
  Monitor(const Nvml& nvml, double t0_ms) : nvml_(nvml), t0_(t0_ms) {
    if (nvml_.ok()) thread_ = std::thread([this] { loop(); });
  }
  ~Monitor() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Whether NVML readings are available at all.
  bool active() const { return nvml_.ok(); }
  // True when any reading since the last call showed a throttle reason; resets the flag.
  bool take_throttled() { return throttled_.exchange(false); }
  // The newest reading (t_ms < 0 when none yet).
  Nvml::Reading latest() {
    std::lock_guard<std::mutex> lock(mutex_);
    return latest_;
  }

 private:
  void loop() {
    while (!stop_) {
      Nvml::Reading r = nvml_.read(now_ms() - t0_);
      if (r.reasons_ok && (r.reasons & Nvml::kThrottleMask)) throttled_ = true;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        latest_ = r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  const Nvml& nvml_;
  double t0_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> throttled_{false};
  std::mutex mutex_;
  Nvml::Reading latest_{-1};
};

// Writes a `clock` line from a reading.
inline void emit_clock(const Nvml::Reading& r) {
  JsonWriter w;
  w.begin_object().kv("type", "clock").key("clock").begin_object();
  w.kv("t", r.t_ms < 0 ? 0.0 : r.t_ms);
  if (r.sm_mhz >= 0) w.kv("smClockMHz", r.sm_mhz);
  if (r.mem_mhz >= 0) w.kv("memClockMHz", r.mem_mhz);
  if (r.temp_c >= 0) w.kv("temperatureC", r.temp_c);
  if (r.power_w >= 0) w.kv("powerW", r.power_w);
  w.key("throttleReasons").begin_array();
  for (const auto& n : Nvml::reason_names(r.reasons & ~uint64_t(0x1))) w.value(n);
  w.end_array().end_object().end_object();
  emit(w);
}

}  // namespace attnlab

// Grad mode is per thread, as in PyTorch: a new thread starts with grad enabled.
#pragma once

namespace pyag {

struct GradMode {
  static bool enabled();
  static void set(bool on);
};

class GradModeGuard {
 public:
  explicit GradModeGuard(bool on) : prev_(GradMode::enabled()) { GradMode::set(on); }
  ~GradModeGuard() { GradMode::set(prev_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool prev_;
};

}  // namespace pyag

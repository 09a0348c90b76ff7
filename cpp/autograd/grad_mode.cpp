#include "autograd/grad_mode.h"

namespace pyag {

namespace {
thread_local bool grad_enabled = true;
}

bool GradMode::enabled() { return grad_enabled; }
void GradMode::set(bool on) { grad_enabled = on; }

}  // namespace pyag

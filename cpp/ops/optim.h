// The fused optimizer step: the one entry point through which every optimizer update runs
// (kernel id, tensors, scalars), so that a capture/replay recorder can intercept it.
#pragma once
#include <vector>

#include "kernels/optim.h"

namespace pyag {

// Checks every parameter first (nothing is written if one is invalid), then updates each
// parameter and its state in one pass and bumps the version counters of the tensors it wrote.
// Parameters or gradients that are not contiguous go through a contiguous copy.
void optim_step(OptimKernel k, const std::vector<OptimParam>& params, const OptimHyper& h);

}  // namespace pyag

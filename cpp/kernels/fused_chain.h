// A chain of elementwise kernel calls evaluated in one pass (pyautograd.compile's elementwise
// fusion, capture/fuse_chain.cpp): a short program of unary/binary kernels, their derivatives
// and sums, run block by block over one iteration space, with the intermediates that die inside
// the chain kept in small per-block arrays instead of tensors. Only a replayed step runs it.
//
// Rounding: every step computes the per-element function of the kernel it replaces (the same
// declaration, instantiated for the same dtype) and stores its result as that dtype; a sum adds
// in the order of kernels/reduce.cpp (eight double partial sums, lane i % 8, the tail into lane
// 0, combined pairwise, then added to the output). So a chain is bitwise the same as the kernels
// it replaces.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/decl.h"
#include "tensor/tensor.h"

namespace pyag {

enum class UnaryKernel : uint8_t;
enum class BinaryKernel : uint8_t;

struct ChainSlot {
  enum Kind : uint8_t {
    Operand,  // an operand tensor viewed as (rows, cols) with element strides (rs, cs)
    Literal,  // a number (a scalar operand, or NaN for a missing one)
    Temp,     // a value made and consumed inside the chain: one block array
  } kind = Temp;
  int8_t operand = -1;  // Operand: index into the call's tensors
  int8_t temp = -1;     // Temp, Literal, and an Operand broadcast along cols: its block array
  int64_t rs = 0, cs = 0;
  double value = 0;  // Literal
};

struct ChainStep {
  enum Kind : uint8_t { Unary, UnaryGrad, Binary, BinaryGrad, SumAll, SumRows } kind{};
  uint8_t id = 0;
  int8_t side = 0;  // BinaryGrad
  int8_t out = -1;  // the slot written (SumAll/SumRows: an Operand slot accumulated into)
  int8_t in[4] = {-1, -1, -1, -1};  // the slots read, in the kernel's order
  double p[kMaxParams] = {};        // unary parameters (prepared: None bounds are +-inf)
  const void* fn = nullptr;         // the per-block function (elementwise steps)
};

struct ChainProgram {
  DType dtype{};
  int64_t rows = 1, cols = 1;  // the iteration space (row-major; a row is a sum's row)
  std::vector<ChainSlot> slots;
  std::vector<ChainStep> steps;
  int ntemps = 0;
  std::string name;  // for dump(): "fused:chain[add,clamp]"
};

constexpr int kChainMaxSlots = 24;
constexpr int kChainMaxTemps = 16;
constexpr int kChainMaxSteps = 16;
constexpr int64_t kChainBlock = 512;

// Whether a step of this kernel can run in a chain for dtype d (float32/float64 whose result
// has the input's dtype); on success sets step.fn (and prepares step.p for unary kernels).
bool chain_unary(UnaryKernel k, DType d, bool grad, ScalarArgs p, ChainStep& step);
bool chain_binary(BinaryKernel k, DType d, bool grad, int side, ChainStep& step);

// Runs the program over its operands t (the fused call's tensors).
void run_chain(const ChainProgram& prog, const Tensor* t);

}  // namespace pyag

// One-pass evaluation of a chain of elementwise kernels (kernels/fused_chain.h).
#include "kernels/fused_chain.h"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <utility>

#include "capture/hooks.h"
#include "kernels/elementwise.h"

namespace pyag {
namespace {

// in: the step's inputs as block arrays of n elements; p: its parameters as T.
template <class T>
using BlockFn = void (*)(T* o, const T* const* in, int64_t n, const T* p);

template <class Op>
constexpr size_t nparams = std::tuple_size_v<std::decay_t<decltype(Op::params)>>;

template <class Op, class T, size_t... I>
void unary_block(T* o, const T* const* in, int64_t n, const T* p, std::index_sequence<I...>) {
  const std::array<T, sizeof...(I)> ps{p[I]...};  // locals: o cannot alias them (vectorizes)
  const T* a = in[0];
  for (int64_t j = 0; j < n; ++j) o[j] = Op::f(a[j], ps[I]...);
}

template <class Op, class T, size_t... I>
void unary_grad_block(T* o, const T* const* in, int64_t n, const T* p, std::index_sequence<I...>) {
  using unary::Grad;
  const std::array<T, sizeof...(I)> ps{p[I]...};
  const T* g = in[0];
  const T* x = in[1];
  const T* y = in[2];
  if constexpr (Op::grad == Grad::FromInput) {
    for (int64_t j = 0; j < n; ++j) o[j] = Op::df(g[j], x[j], ps[I]...);
  } else if constexpr (Op::grad == Grad::FromOutput) {
    for (int64_t j = 0; j < n; ++j) o[j] = Op::df(g[j], y[j], ps[I]...);
  } else if constexpr (Op::grad == Grad::FromBoth) {
    for (int64_t j = 0; j < n; ++j) o[j] = Op::df(g[j], x[j], y[j], ps[I]...);
  } else {
    for (int64_t j = 0; j < n; ++j) o[j] = Op::df(g[j], ps[I]...);
  }
}

template <class Op, class = void>
struct has_df : std::false_type {};
template <class Op>
struct has_df<Op, std::void_t<decltype(&Op::template df<double>)>> : std::true_type {};

template <class Op, class T>
void unary_fwd(T* o, const T* const* in, int64_t n, const T* p) {
  unary_block<Op, T>(o, in, n, p, std::make_index_sequence<nparams<Op>>{});
}
template <class Op, class T>
void unary_bwd(T* o, const T* const* in, int64_t n, const T* p) {
  unary_grad_block<Op, T>(o, in, n, p, std::make_index_sequence<nparams<Op>>{});
}

template <class Op, class T, size_t... I>
constexpr bool unary_same_type(std::index_sequence<I...>) {
  return std::is_same_v<decltype(Op::f(T{}, (static_cast<void>(I), T{})...)), T>;
}

template <class Op, class T>
const void* unary_fn(bool grad) {
  using unary::Grad;
  using unary::Rule;
  if constexpr (Op::rule == Rule::Integral || Op::rule == Rule::ToBool) {
    return nullptr;
  } else if constexpr (!unary_same_type<Op, T>(std::make_index_sequence<nparams<Op>>{})) {
    return nullptr;
  } else {
    if (!grad) return reinterpret_cast<const void*>(&unary_fwd<Op, T>);
    if constexpr (has_df<Op>::value && Op::grad != Grad::Zero && Op::grad != Grad::None)
      return reinterpret_cast<const void*>(&unary_bwd<Op, T>);
    return nullptr;
  }
}

template <class Op, class T>
void binary_fwd(T* o, const T* const* in, int64_t n, const T*) {
  const T* a = in[0];
  const T* b = in[1];
  for (int64_t j = 0; j < n; ++j) o[j] = Op::f(a[j], b[j]);
}
template <class Op, class T>
void binary_da(T* o, const T* const* in, int64_t n, const T*) {
  const T *g = in[0], *a = in[1], *b = in[2], *y = in[3];
  for (int64_t j = 0; j < n; ++j) o[j] = Op::da(g[j], a[j], b[j], y[j]);
}
template <class Op, class T>
void binary_db(T* o, const T* const* in, int64_t n, const T*) {
  const T *g = in[0], *a = in[1], *b = in[2], *y = in[3];
  for (int64_t j = 0; j < n; ++j) o[j] = Op::db(g[j], a[j], b[j], y[j]);
}

template <class Op, class T>
const void* binary_fn(bool grad, int side) {
  using binary::Rule;
  using binary::Side;
  if constexpr (Op::rule == Rule::Integral || Op::rule == Rule::ToBool) {
    return nullptr;
  } else if constexpr (!std::is_same_v<decltype(Op::f(T{}, T{})), T>) {
    return nullptr;
  } else {
    if (!grad) return reinterpret_cast<const void*>(&binary_fwd<Op, T>);
    if constexpr (binary::differentiable(Op::rule)) {
      if (side == 0) {
        if constexpr (Op::grad_a.kind == Side::Kernel)
          return reinterpret_cast<const void*>(&binary_da<Op, T>);
      } else {
        if constexpr (Op::grad_b.kind == Side::Kernel)
          return reinterpret_cast<const void*>(&binary_db<Op, T>);
      }
    }
    return nullptr;
  }
}

// Eight double partial sums: lane i % 8 for i below `tail`, lane 0 from there (reduce.cpp's
// sum_row, continued across blocks). i0: the index of v[0] in the summed row.
template <class T>
void accumulate(double* lanes, const T* v, int64_t n, int64_t i0, int64_t tail) {
  double acc[8];
  std::copy_n(lanes, 8, acc);
  int64_t j = 0;
  if (i0 % 8 == 0) {
    const int64_t fast = std::max<int64_t>(0, std::min(n, tail - i0)) / 8 * 8;
    for (; j < fast; j += 8)
      for (int k = 0; k < 8; ++k) acc[k] += static_cast<double>(v[j + k]);
  }
  for (; j < n; ++j) {
    const int64_t i = i0 + j;
    acc[i < tail ? (i & 7) : 0] += static_cast<double>(v[j]);
  }
  std::copy_n(acc, 8, lanes);
}

inline double combine(const double* a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

// Blocks of up to kChainBlock elements: whole rows when rows are short (every operand read in
// place is then contiguous across rows), else pieces of one row.
template <class T>
void run_typed(const ChainProgram& prog, const Tensor* t) {
  const int nslots = static_cast<int>(prog.slots.size());
  const int nsteps = static_cast<int>(prog.steps.size());
  // Temp slots' block arrays, and those of broadcast operands (filled per row or per pass).
  alignas(64) T temps[kChainMaxTemps][kChainBlock];
  T* base[kChainMaxSlots] = {};
  const T* cur[kChainMaxSlots] = {};
  T params[kChainMaxSteps][kMaxParams];
  double accs[kChainMaxSteps][8];
  int direct[kChainMaxSlots], ndirect = 0;  // operands read or written in place
  int rowb[kChainMaxSlots], nrowb = 0;      // operands broadcast along a row (a bias)
  bool flat_rows = true;                    // rows can share a block
  for (int s = 0; s < nsteps; ++s)
    for (int k = 0; k < kMaxParams; ++k) params[s][k] = param_as<T>(prog.steps[s].p[k]);
  const int64_t rows = prog.rows, cols = prog.cols;
  for (int i = 0; i < nslots; ++i) {
    const ChainSlot& sl = prog.slots[i];
    if (sl.kind == ChainSlot::Operand) base[i] = t[sl.operand]->data_as<T>();
    if (sl.kind == ChainSlot::Temp) cur[i] = temps[sl.temp];
    if (sl.kind == ChainSlot::Literal) {
      std::fill_n(temps[sl.temp], kChainBlock, param_as<T>(sl.value));
      cur[i] = temps[sl.temp];
    } else if (sl.kind == ChainSlot::Operand && sl.temp >= 0) {
      if (sl.rs == 0) {
        std::fill_n(temps[sl.temp], kChainBlock, *base[i]);
      } else {
        rowb[nrowb++] = i;
      }
      cur[i] = temps[sl.temp];
    } else if (sl.kind == ChainSlot::Operand && sl.cs == 1) {
      direct[ndirect++] = i;
      if (sl.rs != cols) flat_rows = false;
    }
  }
  const int64_t rb = cols < kChainBlock && flat_rows ? std::max<int64_t>(1, kChainBlock / cols) : 1;
  const int64_t all_tail = rows * cols / 8 * 8, row_tail = cols / 8 * 8;
  for (int s = 0; s < nsteps; ++s) std::fill_n(accs[s], 8, 0.0);
  for (int64_t r0 = 0; r0 < rows; r0 += rb) {
    const int64_t nr = std::min(rb, rows - r0);
    for (int64_t c0 = 0; c0 < cols; c0 += kChainBlock) {
      const int64_t w = std::min(kChainBlock, cols - c0);  // row piece per block row
      const int64_t n = nr * w;
      for (int k = 0; k < ndirect; ++k) {
        const int i = direct[k];
        cur[i] = base[i] + r0 * prog.slots[i].rs + c0;
      }
      if (c0 == 0)
        for (int k = 0; k < nrowb; ++k) {
          const int i = rowb[k];
          const int64_t rs = prog.slots[i].rs;
          for (int64_t q = 0; q < nr; ++q)
            std::fill_n(temps[prog.slots[i].temp] + q * w, w, base[i][(r0 + q) * rs]);
        }
      for (int s = 0; s < nsteps; ++s) {
        const ChainStep& st = prog.steps[s];
        if (st.kind == ChainStep::SumAll) {
          accumulate(accs[s], cur[st.in[0]], n, r0 * cols + c0, all_tail);
        } else if (st.kind == ChainStep::SumRows) {
          T* o = base[st.out] + r0 * prog.slots[st.out].rs;
          for (int64_t q = 0; q < nr; ++q) {
            accumulate(accs[s], cur[st.in[0]] + q * w, w, c0, row_tail);
            if (c0 + w == cols) {  // the row is complete
              o[q * prog.slots[st.out].rs] += static_cast<T>(combine(accs[s]));
              std::fill_n(accs[s], 8, 0.0);
            }
          }
        } else {
          const T* in[4];
          for (int k = 0; k < 4; ++k) in[k] = st.in[k] >= 0 ? cur[st.in[k]] : nullptr;
          auto fn = reinterpret_cast<BlockFn<T>>(st.fn);
          fn(const_cast<T*>(cur[st.out]), in, n, params[s]);
        }
      }
    }
  }
  for (int s = 0; s < nsteps; ++s)
    if (prog.steps[s].kind == ChainStep::SumAll)
      *base[prog.steps[s].out] += static_cast<T>(combine(accs[s]));
}

}  // namespace

bool chain_unary(UnaryKernel k, DType d, bool grad, ScalarArgs p, ChainStep& step) {
  if (d != DType::Float32 && d != DType::Float64) return false;
  const bool f32 = d == DType::Float32;
  switch (k) {
#define PYAG_X(op)                                                                        \
  case UnaryKernel::op:                                                                   \
    unary::op::prepare(p);                                                                \
    step.fn = f32 ? unary_fn<unary::op, float>(grad) : unary_fn<unary::op, double>(grad); \
    break;
    PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
  }
  for (int i = 0; i < kMaxParams; ++i) step.p[i] = p[i];
  return step.fn != nullptr;
}

bool chain_binary(BinaryKernel k, DType d, bool grad, int side, ChainStep& step) {
  if (d != DType::Float32 && d != DType::Float64) return false;
  const bool f32 = d == DType::Float32;
  switch (k) {
#define PYAG_X(op)                                             \
  case BinaryKernel::op:                                       \
    step.fn = f32 ? binary_fn<binary::op, float>(grad, side)   \
                  : binary_fn<binary::op, double>(grad, side); \
    break;
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
  return step.fn != nullptr;
}

void run_chain(const ChainProgram& prog, const Tensor* t) {
  capture::refuse("fused chain", "only a replayed step runs it");
  if (prog.dtype == DType::Float32)
    run_typed<float>(prog, t);
  else
    run_typed<double>(prog, t);
}

}  // namespace pyag

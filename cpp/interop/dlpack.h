// DLPack: sharing tensors with other libraries (NumPy, PyTorch, JAX, ...) without copies.
//
// The structs below follow the DLPack ABI (dlpack.h, version 1.x) field for field: they are what
// crosses the library boundary inside a PyCapsule. Only the CPU device and the dtypes pyautograd
// has are produced or accepted. No Python here: the capsule protocol is in
// cpp/bindings/dlpack.cpp; this file owns the structs' lifetime, which the C++ tests check under
// the sanitizers.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "tensor/tensor.h"

namespace pyag::dlpack {

// ---- the ABI ----
struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};
constexpr uint32_t kMajor = 1;  // the ABI version produced (and the major version accepted)
constexpr uint32_t kMinor = 0;

enum DLDeviceType : int32_t { kDLCPU = 1 };
struct DLDevice {
  int32_t device_type;  // DLDeviceType; other values name accelerators
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLBfloat = 4, kDLBool = 6 };
struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; null means compact row-major
  uint64_t byte_offset;
};

struct DLManagedTensor {  // the legacy (unversioned) struct, capsule name "dltensor"
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

constexpr uint64_t kFlagReadOnly = 1ULL << 0;
constexpr uint64_t kFlagIsCopied = 1ULL << 1;

struct DLManagedTensorVersioned {  // capsule name "dltensor_versioned"
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

// ---- errors ----
// The data cannot be exchanged (device, dtype, strides, read-only): Python's BufferError.
struct BufferError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- export ----
// A new managed tensor viewing t's elements (shape, strides and offset as they are) and keeping
// t's storage alive until its deleter runs; `copy` exports a fresh contiguous copy instead (and
// sets kFlagIsCopied). The caller owns the result: exactly one call of its deleter frees it.
DLManagedTensorVersioned* export_versioned(const Tensor& t, bool copy);
DLManagedTensor* export_legacy(const Tensor& t);

// ---- import ----
// Runs `release(managed)` where the consumer must (the bindings take the GIL first when the
// interpreter is alive). Null: call it directly.
using ReleaseHook = void (*)(void (*release)(void* managed), void* managed);

// A tensor viewing the managed tensor's elements. On success the tensor owns `m`: its deleter
// runs once, when the last tensor sharing that memory dies (at once for a tensor exported by
// pyautograd itself, whose storage, version counter included, is shared directly). On failure
// (BufferError: device, dtype, read-only, negative strides, version) nothing is owned and the
// caller still must release `m`. The tensor is writeable, so read-only memory is refused unless
// `read_only_ok` (for a caller that copies the result at once and drops it).
Tensor import_versioned(DLManagedTensorVersioned* m, ReleaseHook hook, bool read_only_ok = false);
Tensor import_legacy(DLManagedTensor* m, ReleaseHook hook);

// A message-ready name of a DLPack dtype: "int32", "float16", "uint8", "complex64", "bfloat16",
// or "code 9, 8 bits" when unknown.
std::string dtype_str(DLDataType t);

}  // namespace pyag::dlpack

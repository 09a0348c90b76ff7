#include "interop/dlpack.h"

#include <memory>
#include <optional>

#include "ops/ops.h"

namespace pyag::dlpack {
namespace {

// What an exported managed tensor points into: the tensor (keeping its storage alive) and the
// shape and strides arrays the DLTensor refers to. One allocation; the deleter frees it.
struct ExportContext {
  Tensor keep;
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];
  DLManagedTensorVersioned versioned{};
  DLManagedTensor legacy{};
};

void delete_versioned(DLManagedTensorVersioned* self) {
  if (self) delete static_cast<ExportContext*>(self->manager_ctx);
}

void delete_legacy(DLManagedTensor* self) {
  if (self) delete static_cast<ExportContext*>(self->manager_ctx);
}

DLDataType to_dl(DType d) {
  switch (d) {
    case DType::Bool:
      return {kDLBool, 8, 1};
    case DType::UInt8:
      return {kDLUInt, 8, 1};
    case DType::Int8:
      return {kDLInt, 8, 1};
    case DType::Int16:
      return {kDLInt, 16, 1};
    case DType::Int32:
      return {kDLInt, 32, 1};
    case DType::Int64:
      return {kDLInt, 64, 1};
    case DType::Float32:
      return {kDLFloat, 32, 1};
    case DType::Float64:
      return {kDLFloat, 64, 1};
    case DType::Float16:
      return {kDLFloat, 16, 1};
    case DType::BFloat16:
      return {kDLBfloat, 16, 1};
  }
  return {kDLFloat, 32, 1};
}

std::optional<DType> from_dl(DLDataType t) {
  if (t.lanes != 1) return std::nullopt;
  if (t.code == kDLFloat && t.bits == 32) return DType::Float32;
  if (t.code == kDLFloat && t.bits == 64) return DType::Float64;
  if (t.code == kDLInt && t.bits == 64) return DType::Int64;
  if (t.code == kDLInt && t.bits == 32) return DType::Int32;
  if (t.code == kDLInt && t.bits == 16) return DType::Int16;
  if (t.code == kDLInt && t.bits == 8) return DType::Int8;
  if (t.code == kDLUInt && t.bits == 8) return DType::UInt8;
  if (t.code == kDLBool && t.bits == 8) return DType::Bool;
  return std::nullopt;
}

// Fills `dl` from the context's tensor: shape and strides in elements, `data` at the first
// element and byte_offset 0 (as NumPy and PyTorch export; some consumers ignore byte_offset).
void describe(ExportContext& ctx, DLTensor& dl) {
  const Tensor& t = ctx.keep;
  for (int i = 0; i < t->dim(); ++i) {
    ctx.shape[i] = t->shape[i];
    ctx.strides[i] = t->strides[i];
  }
  dl.data = t->data();
  dl.device = {kDLCPU, 0};
  dl.ndim = t->dim();
  dl.dtype = to_dl(t->dtype);
  dl.shape = ctx.shape;
  dl.strides = ctx.strides;
  dl.byte_offset = 0;
}

std::unique_ptr<ExportContext> context_for(const Tensor& t, bool copy) {
  auto ctx = std::make_unique<ExportContext>();
  ctx->keep = copy ? clone(detach(t)) : detach(t);  // detach: no autograd state is kept alive
  return ctx;
}

// A producer's memory, released through its deleter (via the hook) when the last storage
// sharing it dies.
template <class Managed>
std::shared_ptr<void> owner_of(Managed* m, ReleaseHook hook) {
  return std::shared_ptr<void>(m, [hook](void* p) {
    auto* managed = static_cast<Managed*>(p);
    if (!managed->deleter) return;
    auto release = [](void* q) {
      auto* mt = static_cast<Managed*>(q);
      mt->deleter(mt);
    };
    if (hook) {
      hook(release, managed);
    } else {
      release(managed);
    }
  });
}

// The shared part of both imports; `ours`: pyautograd exported it (its deleter is ours).
template <class Managed>
Tensor import_tensor(Managed* m, const DLTensor& dl, bool ours, ReleaseHook hook) {
  const char* op = "from_dlpack";
  if (dl.device.device_type != kDLCPU)
    throw BufferError(cat("[", op, "] the tensor is on device type ", dl.device.device_type,
                          " (DLPack code); pyautograd tensors live on the CPU (code 1): "
                          "move it to the CPU first"));
  const auto dtype = from_dl(dl.dtype);
  if (!dtype)
    throw BufferError(cat("[", op, "] unsupported dtype ", dtype_str(dl.dtype),
                          "; supported: float32, float64, int64, int32, int16, int8, uint8, bool"));
  if (dl.ndim < 0 || dl.ndim > kMaxDims)
    throw BufferError(
        cat("[", op, "] ", dl.ndim, " dimensions; at most ", kMaxDims, " are supported"));
  const auto isz = static_cast<int64_t>(itemsize(*dtype));
  if (dl.byte_offset % static_cast<uint64_t>(isz) != 0)
    throw BufferError(cat("[", op, "] byte_offset ", dl.byte_offset,
                          " is not a multiple of the item size ", isz));
  Dims shape, strides;
  for (int i = 0; i < dl.ndim; ++i) {
    if (dl.shape[i] < 0) throw BufferError(cat("[", op, "] negative size ", dl.shape[i]));
    shape.push_back(dl.shape[i]);
  }
  if (dl.strides) {
    for (int i = 0; i < dl.ndim; ++i) {
      if (dl.strides[i] < 0)
        throw BufferError(cat("[", op, "] negative strides are not supported (dimension ", i,
                              " has stride ", dl.strides[i], "); copy the tensor first"));
      strides.push_back(dl.strides[i]);
    }
  } else {
    strides = contiguous_strides(shape);
  }
  const int64_t numel = numel_of(shape, op);

  if (ours) {  // our own export: share the storage (and its version counter) directly
    auto* ctx = static_cast<ExportContext*>(m->manager_ctx);
    const char* first = static_cast<const char*>(dl.data) + dl.byte_offset;
    const int64_t offset = (first - static_cast<const char*>(ctx->keep->storage->data)) / isz;
    Tensor t = make_view(ctx->keep, shape, strides, offset);
    m->deleter(m);  // drops the context's reference; `t` holds the storage
    return t;
  }
  auto t = std::make_shared<TensorImpl>();
  if (numel == 0) {  // nothing to share: an empty storage of our own; release the producer now
    t->storage = Storage::allocate(0);
    const auto release_now = owner_of(m, hook);  // the only owner: released at scope exit
  } else {
    int64_t span = 1;
    for (int i = 0; i < shape.size(); ++i) span += (shape[i] - 1) * strides[i];
    char* data = static_cast<char*>(dl.data) + dl.byte_offset;
    t->storage = Storage::wrap(data, static_cast<size_t>(span * isz), owner_of(m, hook));
  }
  t->shape = shape;
  t->strides = strides;
  t->numel = numel;
  t->dtype = *dtype;
  return t;
}

}  // namespace

DLManagedTensorVersioned* export_versioned(const Tensor& t, bool copy) {
  auto ctx = context_for(t, copy);
  DLManagedTensorVersioned& m = ctx->versioned;
  m.version = {kMajor, kMinor};
  m.manager_ctx = ctx.get();
  m.deleter = &delete_versioned;
  m.flags = copy ? kFlagIsCopied : 0;
  describe(*ctx, m.dl_tensor);
  ctx.release();
  return &m;
}

DLManagedTensor* export_legacy(const Tensor& t) {
  auto ctx = context_for(t, false);
  DLManagedTensor& m = ctx->legacy;
  m.manager_ctx = ctx.get();
  m.deleter = &delete_legacy;
  describe(*ctx, m.dl_tensor);
  ctx.release();
  return &m;
}

Tensor import_versioned(DLManagedTensorVersioned* m, ReleaseHook hook, bool read_only_ok) {
  if (m->version.major != kMajor)
    throw BufferError(cat("[from_dlpack] DLPack version ", m->version.major, ".", m->version.minor,
                          " is not supported (this build reads ", kMajor, ".x)"));
  if ((m->flags & kFlagReadOnly) && !read_only_ok)
    throw BufferError(
        "[from_dlpack] the tensor is read-only and pyautograd tensors are writeable; "
        "pass copy=True (or copy the source first)");
  return import_tensor(m, m->dl_tensor, m->deleter == &delete_versioned, hook);
}

Tensor import_legacy(DLManagedTensor* m, ReleaseHook hook) {
  return import_tensor(m, m->dl_tensor, m->deleter == &delete_legacy, hook);
}

std::string dtype_str(DLDataType t) {
  std::string base;
  switch (t.code) {
    case kDLInt:
      base = "int";
      break;
    case kDLUInt:
      base = "uint";
      break;
    case kDLFloat:
      base = "float";
      break;
    case kDLBfloat:
      base = "bfloat";
      break;
    case kDLBool:
      base = "bool";
      break;
    case 5:
      base = "complex";
      break;
    default:
      return cat("(DLPack code ", int{t.code}, ", ", int{t.bits}, " bits, ", t.lanes, " lanes)");
  }
  std::string name = t.code == kDLBool && t.bits == 8 ? base : cat(base, int{t.bits});
  return t.lanes == 1 ? name : cat(name, "x", t.lanes);
}

}  // namespace pyag::dlpack

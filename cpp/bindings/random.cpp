// Bindings of the random generators and the random ops: Generator (PyTorch's torch.Generator:
// manual_seed, seed, initial_seed, get_state, set_state), the global generator, and rand,
// randn, randint, randperm, normal_, uniform_, random_, bernoulli, bernoulli_, each taking
// generator=. Conversion only: the algorithms are in cpp/ops/random.cpp.
#include <pybind11/stl.h>

#include <cstring>
#include <random>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/generator.h"
#include "ops/ops.h"

namespace pyag {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

// A seed as PyTorch takes it: any int in [-2^63, 2^64), negative ones wrapped to 64 bits.
uint64_t parse_seed(py::handle h, const char* op) {
  if (!PyLong_Check(h.ptr()) || PyBool_Check(h.ptr()))
    fail<TypeError>(op, "seed must be an int, got ", type_name(h));
  const unsigned long long u = PyLong_AsUnsignedLongLong(h.ptr());
  if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) return u;
  PyErr_Clear();
  const long long s = PyLong_AsLongLong(h.ptr());
  if (s == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    fail<ValueError>(op, "Overflow when unpacking long long");
  }
  return static_cast<uint64_t>(s);
}

uint64_t nondeterministic_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) | rd();
}

Generator* gen_arg(py::handle h, const char* op) {
  if (h.is_none()) return nullptr;
  if (!py::isinstance<Generator>(h))
    fail<TypeError>(op, "generator must be a pyautograd.Generator, got ", type_name(h));
  return h.cast<Generator*>();
}

// The keyword options of a random creation function.
struct Options {
  std::optional<DType> dtype;
  bool requires_grad = false;
  Generator* gen = nullptr;
};

Options options(const py::kwargs& kw, const char* op,
                std::initializer_list<const char*> skip = {}) {
  Options o;
  for (auto item : kw) {
    const std::string k = py::str(item.first).cast<std::string>();
    bool skipped = false;
    for (const char* s : skip) skipped = skipped || k == s;
    if (skipped) continue;
    if (k == "dtype") {
      if (!item.second.is_none()) o.dtype = parse_dtype(item.second, op);
    } else if (k == "device") {
      check_device(item.second, op);
    } else if (k == "generator") {
      o.gen = gen_arg(item.second, op);
    } else if (k == "requires_grad") {
      if (!PyBool_Check(item.second.ptr()))
        fail<TypeError>(op, "requires_grad must be a bool, got ", type_name(item.second));
      o.requires_grad = item.second.ptr() == Py_True;
    } else if (k != "layout" && k != "pin_memory" && k != "memory_format") {
      fail<TypeError>(op, "got an unexpected keyword argument '", k, "'");
    }
  }
  return o;
}

Tensor finish(Tensor t, const Options& o, const char* op) {
  if (o.requires_grad) set_requires_grad(t, true, op);
  return t;
}

double number(py::handle h, const char* op, const char* name) {
  Scalar s;
  if (!to_scalar(h, s)) fail<TypeError>(op, name, " must be a number, got ", type_name(h));
  return s.v;
}

std::optional<int64_t> opt_int(py::handle h, const char* op, const char* name) {
  if (h.is_none()) return std::nullopt;
  return parse_int(h, op, name);
}

Tensor state_tensor(const Generator& g) {
  const std::vector<uint8_t> bytes = g.get_state();
  Tensor t = empty(Dims{static_cast<int64_t>(bytes.size())}, DType::UInt8);
  std::memcpy(t->data_as<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

void set_state_tensor(Generator& g, py::handle state, const char* op) {
  if (!py::isinstance<TensorImpl>(state) || state.cast<Tensor>()->dtype != DType::UInt8)
    fail<TypeError>(op, "RNG state must be a torch.ByteTensor");
  Tensor t = contiguous(state.cast<Tensor>());
  std::lock_guard<std::mutex> lock(g.mu);
  g.set_state(t->data_as<uint8_t>(), static_cast<size_t>(t->numel), op);
}

}  // namespace

void init_random(TensorClass& c, py::module_& m) {
  py::class_<Generator, std::shared_ptr<Generator>>(
      m, "Generator",
      "A random number generator with its own state, PyTorch's CPU generator (a Mersenne "
      "Twister): Generator().manual_seed(s) draws the numbers torch.Generator().manual_seed(s) "
      "does. Pass it as generator= to the random ops and the data utilities.")
      .def(py::init([](py::handle device) {
             if (!device.is_none()) {
               if (py::isinstance<py::str>(device))
                 check_device(device.cast<std::string>(), "Generator");
               else
                 check_device(py::str(device).cast<std::string>(), "Generator");
             }
             return std::make_shared<Generator>();
           }),
           py::arg("device") = "cpu")
      .def(
          "manual_seed",
          [](std::shared_ptr<Generator> g, py::handle seed) {
            manual_seed(parse_seed(seed, "manual_seed"), g.get());
            return g;
          },
          "Seeds the generator (PyTorch's numbers for that seed follow); returns it.",
          py::arg("seed"))
      .def(
          "seed",
          [](Generator& g) {
            const uint64_t s = nondeterministic_seed();
            manual_seed(s, &g);
            return s;
          },
          "Seeds the generator from the system's entropy; returns the seed.")
      .def(
          "initial_seed",
          [](Generator& g) {
            std::lock_guard<std::mutex> lock(g.mu);
            return g.initial_seed();
          },
          "The seed the generator was last seeded with.")
      .def(
          "get_state",
          [](Generator& g) {
            std::lock_guard<std::mutex> lock(g.mu);
            return state_tensor(g);
          },
          "The generator's state as a uint8 tensor of 5056 bytes, PyTorch's layout (set_state "
          "restores it, in either library).")
      .def(
          "set_state",
          [](std::shared_ptr<Generator> g, py::handle state) {
            set_state_tensor(*g, state, "set_state");
            return g;
          },
          "Restores a state from get_state (or from torch's get_state); returns the generator.",
          py::arg("new_state"))
      .def(
          "clone_state",
          [](Generator& g) {
            auto copy = std::make_shared<Generator>();
            std::lock_guard<std::mutex> lock(g.mu);
            const std::vector<uint8_t> bytes = g.get_state();
            copy->set_state(bytes.data(), bytes.size(), "clone_state");
            return copy;
          },
          "A new generator in this one's state.")
      .def_property_readonly(
          "device",
          [](py::handle) { return py::module_::import("pyautograd").attr("device")("cpu"); },
          "The generator's device: the CPU.");
  m.attr("default_generator") = py::cast(global_generator_ptr());
  m.def(
      "_manual_seed",
      [](py::handle seed) {
        manual_seed(parse_seed(seed, "manual_seed"));
        return global_generator_ptr();
      },
      "Seeds the global generator; returns it (pyautograd.manual_seed wraps this).",
      py::arg("seed"));
  m.def(
      "_seed_nondeterministic", []() { return nondeterministic_seed(); },
      "A 64-bit seed from the system's entropy.");
  m.def(
      "get_rng_state",
      []() {
        Generator& g = global_generator();
        std::lock_guard<std::mutex> lock(g.mu);
        return state_tensor(g);
      },
      "The global generator's state as a uint8 tensor (PyTorch's 5056-byte layout).");
  m.def(
      "set_rng_state",
      [](py::handle state) { set_state_tensor(global_generator(), state, "set_rng_state"); },
      "Restores the global generator's state from get_rng_state (or torch.get_rng_state).",
      py::arg("new_state"));

  for (const bool normal : {false, true}) {
    const char* name = normal ? "randn" : "rand";
    m.def(
        name,
        [name, normal](py::args args, py::kwargs kw) {
          const Options o = options(kw, name);
          const Dims shape = parse_shape(args, name);
          const DType d = o.dtype.value_or(default_dtype());
          return finish(normal ? randn(shape, d, o.gen) : rand(shape, d, o.gen), o, name);
        },
        normal ? "A tensor of the given size with values drawn from the standard normal "
                 "distribution."
               : "A tensor of the given size with values drawn uniformly from [0, 1).");
  }
  m.def(
      "randint",
      [](py::args args, py::kwargs kw) {
        // randint(high, size), randint(low, high, size), and their keyword forms
        py::object low = py::none(), high = py::none(), size = py::none();
        if (args.size() > 3)
          fail<TypeError>("randint", "expected (high, size) or (low, high, size), got ",
                          args.size(), " positional arguments");
        // which parameters the positional arguments are depends on the keywords given
        std::vector<py::object*> slots;
        if (args.size() == 3 || (args.size() == 2 && kw.contains("size")))
          slots = {&low, &high, &size};
        else if (args.size() == 1 && kw.contains("high"))
          slots = {&low};
        else
          slots = {&high, &size};
        for (size_t i = 0; i < args.size(); ++i) *slots[i] = args[i];
        for (const char* k : {"low", "high", "size"}) {
          if (!kw.contains(k)) continue;
          py::object& slot = k[0] == 'l' ? low : k[0] == 'h' ? high : size;
          if (!slot.is_none())
            fail<TypeError>("randint", "got multiple values for argument '", k, "'");
          slot = kw[k];
        }
        if (high.is_none() || size.is_none())
          fail<TypeError>("randint", "expected (high, size) or (low, high, size)");
        const Options o = options(kw, "randint", {"low", "high", "size"});
        return finish(randint(low.is_none() ? 0 : parse_int(low, "randint", "low"),
                              parse_int(high, "randint", "high"), parse_shape_obj(size, "randint"),
                              o.dtype.value_or(DType::Int64), o.gen),
                      o, "randint");
      },
      "Integers drawn uniformly from [low, high) (low defaults to 0): randint(high, size) or "
      "randint(low, high, size); int64 unless dtype= says otherwise.");
  m.def(
      "randperm",
      [](py::handle n, py::kwargs kw) {
        const Options o = options(kw, "randperm");
        return finish(
            randperm(parse_int(n, "randperm", "n"), o.dtype.value_or(DType::Int64), o.gen), o,
            "randperm");
      },
      "A random permutation of 0 .. n - 1 (int64 unless dtype= says otherwise).", py::arg("n"));
  m.def(
      "_empty_like_dense",
      [](const Tensor& t, py::handle dtype) {
        return empty_like_dense(t, parse_dtype(dtype, "empty_like").value_or(t->dtype));
      },
      "An uninitialized tensor laid out in memory as t when t's elements tile its memory "
      "(PyTorch's empty_like), else row-major.",
      py::arg("t"), py::arg("dtype") = py::none());

  c.def(
      "normal_",
      [](const Tensor& self, py::handle mean, py::handle std, py::handle generator) {
        return normal_(self, number(mean, "normal_", "mean"), number(std, "normal_", "std"),
                       gen_arg(generator, "normal_"));
      },
      "Fills self with numbers drawn from the normal distribution N(mean, std^2).",
      py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(),
      py::arg("generator") = py::none());
  c.def(
      "uniform_",
      [](const Tensor& self, py::handle from, py::handle to, py::handle generator) {
        return uniform_(self, number(from, "uniform_", "from_"), number(to, "uniform_", "to"),
                        gen_arg(generator, "uniform_"));
      },
      "Fills self with numbers drawn uniformly from [from, to).", py::arg("from_") = 0.0,
      py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  c.def(
      "random_",
      [](const Tensor& self, py::args args, py::kwargs kw) {
        // random_(), random_(to), random_(from, to) (to=None: up to the dtype's max)
        py::object from = py::none(), to = py::none();
        bool has_to = false;
        if (args.size() == 1) {
          to = args[0], has_to = true;
        } else if (args.size() == 2) {
          from = args[0], to = args[1], has_to = true;
        } else if (args.size() > 2) {
          fail<TypeError>("random_", "takes at most 2 positional arguments, got ", args.size());
        }
        Generator* g = nullptr;
        for (auto item : kw) {
          const std::string k = py::str(item.first).cast<std::string>();
          if (k == "generator")
            g = gen_arg(item.second, "random_");
          else if (k == "from" && from.is_none() && args.size() < 2)
            from = py::reinterpret_borrow<py::object>(item.second);
          else if (k == "to" && args.size() != 1 && args.size() < 2)
            to = py::reinterpret_borrow<py::object>(item.second), has_to = true;
          else
            fail<TypeError>("random_", "got an unexpected keyword argument '", k, "'");
        }
        std::optional<int64_t> lo = opt_int(from, "random_", "from");
        std::optional<int64_t> hi = opt_int(to, "random_", "to");
        if (!has_to && !lo) return random_(self, std::nullopt, std::nullopt, g);
        return random_(self, lo.value_or(0), hi, g);
      },
      "Fills self with integers drawn uniformly: random_() from [0, the dtype's max], "
      "random_(to) from [0, to), random_(from, to) from [from, to) (to=None: [from, max]).");
  const char* bern_doc =
      "1 with probability p (each element of input, or the number p), else 0; input's dtype.";
  auto bern = [](const Tensor& x, py::handle p, py::handle generator) {
    Generator* g = gen_arg(generator, "bernoulli");
    if (p.is_none()) return bernoulli(x, g);
    Tensor r = empty(x->shape, x->dtype);
    bernoulli_(r, number(p, "bernoulli", "p"), g);
    return r;
  };
  m.def("bernoulli", bern, bern_doc, py::arg("input"), py::arg("p") = py::none(), py::kw_only(),
        py::arg("generator") = py::none());
  c.def("bernoulli", bern, bern_doc, py::arg("p") = py::none(), py::kw_only(),
        py::arg("generator") = py::none());
  c.def(
      "bernoulli_",
      [](const Tensor& self, py::handle p, py::handle generator) -> Tensor {
        Generator* g = gen_arg(generator, "bernoulli_");
        if (py::isinstance<TensorImpl>(p)) return bernoulli_(self, p.cast<Tensor>(), g);
        return bernoulli_(self, number(p, "bernoulli_", "p"), g);
      },
      "Fills self with 1 with probability p (a number or a tensor broadcast to self's shape), "
      "else 0.",
      py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none());
}

}  // namespace pyag

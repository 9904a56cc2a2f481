// Private bridge to Boost.Odeint's rosenbrock4 (RODAS4) with its step-size controller.
//
// This header is deliberately C++17-clean and free of project types: the .cpp that includes
// odeint is compiled as C++17 because Boost 1.74's ublas storage calls std::allocator::construct,
// which C++20 removed. The system is passed as plain function pointers on raw arrays.
#pragma once

#include <memory>

namespace citsim::detail {

/// du/dt = f(u) and its Jacobian (row-major n×n), on raw arrays.
struct RawSystem {
  const void* context;
  void (*rhs)(const void* context, const double* u, double* dudt);
  void (*jacobian)(const void* context, const double* u, double* jac_row_major);
};

class OdeintRosenbrock {
 public:
  OdeintRosenbrock(int n, double atol, double rtol);
  ~OdeintRosenbrock();
  OdeintRosenbrock(OdeintRosenbrock&&) noexcept;
  OdeintRosenbrock& operator=(OdeintRosenbrock&&) noexcept;

  /// Start a new integration from u: clears the controller's step-size history (Gustafsson
  /// control remembers the last error), so each point's result is independent of which points
  /// this object integrated before — and hence of the thread count.
  void start(const double* u);
  void get_state(double* u) const;
  /// One controlled step attempt from t with trial step dt. On success advances t, and dt
  /// becomes the proposed next step; on failure dt becomes the proposed retry. Returns success.
  bool try_step(const RawSystem& system, double& t, double& dt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citsim::detail

// Bridge to ublas LU (linalg_ublas.cpp, compiled as C++17) on plain arrays.
#pragma once

namespace citsim_bench {

class UblasLu {
 public:
  explicit UblasLu(int n);
  ~UblasLu();
  UblasLu(const UblasLu&) = delete;
  UblasLu& operator=(const UblasLu&) = delete;
  void set_jacobian(const double* jac_row_major);
  /// LU of −J + inv_gamma_dt·I, as rosenbrock4 builds it each step.
  void factorize(double inv_gamma_dt);
  /// b ← (−J + I/(γ·dt))⁻¹ b.
  void solve(double* b);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace citsim_bench

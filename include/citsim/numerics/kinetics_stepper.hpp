// Advances the local kinetics of one point over an interval with an adaptive, L-stable
// Rosenbrock method (Boost.Odeint's rosenbrock4, RODAS4 tableau, analytic Jacobian).
#pragma once

#include <memory>

#include "citsim/model/kinetics.hpp"

namespace citsim {

struct KineticsTolerance {
  double rtol = 1e-4;
  double atol = 1e-7;
};

/// Holds the stepper's scratch (one per thread); the model stays a pure function.
class KineticsStepper {
 public:
  explicit KineticsStepper(KineticsTolerance tol);
  ~KineticsStepper();
  KineticsStepper(KineticsStepper&&) noexcept;
  KineticsStepper& operator=(KineticsStepper&&) noexcept;

  /// Integrate du/dt = R(u) from t0 to t1. `dt` is the first trial step and returns the last
  /// accepted one (the caller keeps it per point, so the sequence is the same at any thread
  /// count). Returns the number of accepted steps. Throws NumericalError if the step collapses.
  int advance(SpeciesVector& u, const SiteRates& site, const Parameters& p, double t0, double t1,
              double& dt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citsim

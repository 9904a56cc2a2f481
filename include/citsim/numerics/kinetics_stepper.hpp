// Advances the local kinetics of one point over an interval with an adaptive, L-stable
// Rosenbrock method (RODAS4, rodas4.hpp, or a 3rd-order one, rosenbrock.hpp) and Odeint's
// step-size controller; analytic Jacobian.
#pragma once

#include <memory>

#include "citsim/model/kinetics.hpp"

namespace citsim {

/// The smallest kinetics step [day]: below it the integration has failed (a step-size collapse).
/// Every step the split step starts from (numerics.dt_min) must be at least this.
inline constexpr double kMinKineticsStep = 1e-12;

/// The Rosenbrock method of the kinetics: RODAS4 (6 stages, order 4(3)), or one of order 3(2):
/// ROS3 (3 stages, 2 evaluations of f per step), RODAS3 (4 stages, 3 evaluations), ROS34PW2
/// (4 stages, 4 evaluations). All are L-stable.
enum class KineticsMethod { Rodas4, Ros3, Rodas3, Ros34pw2 };

struct KineticsTolerance {
  double rtol = 1e-3;
  double atol = 1e-6;
};

/// What a point's integration remembers from one interval to the next [day].
struct KineticsStepHistory {
  double next = 0.0;   ///< the step proposed after the last accepted one
  double first = 0.0;  ///< the step proposed after the first accepted one of the last interval
                       ///< (0: none yet)
};

/// Step attempts of one advance.
struct KineticsWork {
  int accepted = 0;
  int rejected = 0;
};

/// Holds the stepper's scratch (one per thread); the model stays a pure function.
class KineticsStepper {
 public:
  explicit KineticsStepper(KineticsTolerance tol, KineticsMethod method = KineticsMethod::Ros3);
  ~KineticsStepper();
  KineticsStepper(KineticsStepper&&) noexcept;
  KineticsStepper& operator=(KineticsStepper&&) noexcept;

  /// Integrate du/dt = R(u) from t0 to t1. `dt` is the first trial step and returns the last
  /// accepted one (the caller keeps it per point, so the sequence is the same at any thread
  /// count). Returns the number of accepted steps. Throws NumericalError if the step collapses.
  int advance(SpeciesVector& u, const SiteRates& site, const Parameters& p, double t0, double t1,
              double& dt);

  /// The same, starting from `min(history.next, history.first)`: in a split column every
  /// interval begins with the transient that transport left behind (fast species off their
  /// balance), which the step that suited the end of the previous interval overshoots.
  /// `forcing`: a constant c added to R(u) over the interval (the balancing term of the
  /// rebalanced splitting, split_step.hpp); none by default. A sink (c_s < 0) acts as
  /// c_s·x_s/(x_s + ε_s), ε_s = max(atol, 10⁻³·|c_s|·(t1 − t0)): the constant wherever it can act
  /// over the whole interval, and fading out before it could take x_s below zero.
  KineticsWork advance(SpeciesVector& u, const SiteRates& site, const Parameters& p, double t0,
                       double t1, KineticsStepHistory& history, const SpeciesVector* forcing = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citsim

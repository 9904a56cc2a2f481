// The virtual Cutometer (docs/model.md §5): a standard linear solid whose moduli come from the
// depth-weighted collagen and elastin, relative to the same tissue at rest at age 25.
#pragma once

#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/transport.hpp"

namespace citsim {

/// Depth-weighted matrix content: ⟨C1 + κ_x·Cx + κ_3·C3⟩_w and ⟨E⟩_w.
struct MatrixStiffness {
  double collagen;
  double elastin;
};

/// Weights ∝ exp(−z/λ_c) over the dermis (0..z_reticular), by cell overlap; {1} in 0D.
std::vector<double> cutometer_weights(const Grid& grid, const Parameters& p, bool zero_d);

MatrixStiffness matrix_stiffness(const ColumnState& u, const std::vector<double>& w,
                                 const Parameters& p);

/// Suction curve parameters: R0 = Uf [mm], R2 = Ua/Uf, R5 = Ur/Ue, R6 = Uv/Ue, R7 = Ur/Uf.
struct CutometerReading {
  double R0, R2, R5, R6, R7;
};

/// `c_hat`, `e_hat`: collagen stiffness and elastin relative to the age-25 reference.
CutometerReading cutometer(double c_hat, double e_hat, const Parameters& p);

/// Convenience: reading of state `u` against reference stiffness `ref`.
CutometerReading cutometer(const ColumnState& u, const std::vector<double>& w,
                           const MatrixStiffness& ref, const Parameters& p);

}  // namespace citsim

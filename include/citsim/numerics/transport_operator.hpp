// The interface every level's transport offers the split-step driver (split_step.hpp): advance a
// state by dt with transport only. The column (transport.hpp), the field (field_transport.hpp)
// and the 1D closure's core and shells (closure_shell_transport.hpp) implement it.
#pragma once

#include <vector>

#include "citsim/model/species.hpp"

namespace citsim {

/// The state of a level, point by point (a column's cells, a field's cells, ...).
using ColumnState = std::vector<SpeciesVector>;

class TransportOperator {
 public:
  virtual ~TransportOperator() = default;
  /// Advance `u` by dt [day] with transport only.
  virtual void step(ColumnState& u, double dt) = 0;
};

}  // namespace citsim

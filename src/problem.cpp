// Names of the problem's choices, as configs write them and outputs record them.
#include "citsim/problem.hpp"

namespace citsim {

std::string to_string(ModelLevel l) {
  switch (l) {
    case ModelLevel::ZeroD: return "0d";
    case ModelLevel::OneD: return "1d";
    case ModelLevel::TwoD: return "2d";
    case ModelLevel::ThreeD: return "3d";
  }
  return "?";
}

}  // namespace citsim

#include "citsim/model/protocol.hpp"

namespace citsim {

std::string to_string(LaxityCause c) {
  switch (c) {
    case LaxityCause::Aging: return "aging";
    case LaxityCause::Postpartum: return "postpartum";
    case LaxityCause::WeightLoss: return "weight_loss";
  }
  return "?";
}

std::string to_string(Device d) { return d == Device::Pen ? "pen" : "roller"; }

double series_day(const SessionSeries& s, std::size_t k) {
  return s.first_day + static_cast<double>(k) * s.interval_days;
}

std::string to_string(Sterility s) { return s == Sterility::Sterile ? "sterile" : "non_sterile"; }

}  // namespace citsim

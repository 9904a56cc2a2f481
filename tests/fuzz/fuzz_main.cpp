// The libFuzzer entry of one target, chosen at compile time (CITSIM_FUZZ_TARGET).
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return citsim::fuzz::CITSIM_FUZZ_TARGET(data, size);
}

// The XDMF sidecar (xdmf.hpp): its path, and a text that names every species at every profile
// time with the shapes of the datasets the HDF5 writer makes (ParaView reads it in
// tests/python/check_fields.py).
#include <catch2/catch.hpp>

#include <string>

#include "citsim/io/xdmf.hpp"

using namespace citsim;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("xdmf: the sidecar sits beside the file", "[xdmf]") {
  CHECK(xdmf_path("results/run.h5") == "results/run.xmf");
  CHECK(xdmf_path("run.hdf5") == "run.hdf5.xmf");
}

TEST_CASE("xdmf: every species at every profile time, with the file's shapes", "[xdmf]") {
  RunResult r;
  r.profile_time = {0.0, 7.0, 14.0};
  r.x = {0.05, 0.15, 0.25, 0.35};
  r.z = {0.05, 0.15};
  SECTION("2D") {
    const std::string text = xdmf_text(r, "run.h5");
    CHECK(count(text, "<Time Value=") == 3);
    CHECK(count(text, "run.h5:/fields/") == 3 * kSpeciesCount);
    CHECK(count(text, "Dimensions=\"3 4 2\"") == 3 * kSpeciesCount);
    CHECK(count(text, "2DCoRectMesh\" Dimensions=\"4 2\"") == 3);
    CHECK(count(text, ">2 0 0 1 1 1 1 4 2<") == kSpeciesCount);  // hyperslab of the last time
    CHECK(count(text, "run.h5:/fields/C1<") == 3);
  }
  SECTION("3D") {
    r.y = {0.1, 0.3, 0.5};
    const std::string text = xdmf_text(r, "run.h5");
    CHECK(count(text, "Dimensions=\"3 4 3 2\"") == 3 * kSpeciesCount);
    CHECK(count(text, "3DCoRectMesh\" Dimensions=\"4 3 2\"") == 3);
    CHECK(count(text, ">1 0 0 0 1 1 1 1 1 4 3 2<") == kSpeciesCount);
  }
}

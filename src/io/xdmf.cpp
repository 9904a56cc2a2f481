#include "citsim/io/xdmf.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "citsim/io/atomic_file.hpp"

namespace citsim {

std::string xdmf_path(const std::string& h5_path) {
  std::filesystem::path p(h5_path);
  if (p.extension() == ".h5") return p.replace_extension(".xmf").string();
  return h5_path + ".xmf";
}

std::string xdmf_text(const RunResult& r, const std::string& h5_name) {
  const bool three_d = !r.y.empty();
  const std::size_t nx = r.x.size(), ny = r.y.size(), nz = r.z.size(), nt = r.profile_time.size();
  const double dx = nx > 1 ? r.x[1] - r.x[0] : 0.0, dz = nz > 1 ? r.z[1] - r.z[0] : 0.0;
  const double dy = ny > 1 ? r.y[1] - r.y[0] : 0.0;
  // Every list is slowest dimension first, as the datasets are stored: (x, z) or (x, y, z).
  const std::string dims = three_d ? fmt::format("{} {} {}", nx, ny, nz) : fmt::format("{} {}", nx, nz);
  const std::string topology = three_d ? "3DCoRectMesh" : "2DCoRectMesh";
  const std::string geometry = three_d ? "ORIGIN_DXDYDZ" : "ORIGIN_DXDY";
  const std::string origin = three_d ? fmt::format("{:.17g} {:.17g} {:.17g}", r.x[0], r.y[0], r.z[0])
                                     : fmt::format("{:.17g} {:.17g}", r.x[0], r.z[0]);
  const std::string spacing = three_d ? fmt::format("{:.17g} {:.17g} {:.17g}", dx, dy, dz)
                                      : fmt::format("{:.17g} {:.17g}", dx, dz);
  const int rank = three_d ? 4 : 3;
  const std::string full = three_d ? fmt::format("{} {} {} {}", nt, nx, ny, nz) : fmt::format("{} {} {}", nt, nx, nz);
  const std::string ones = three_d ? "1 1 1 1" : "1 1 1";
  const std::string zeros = three_d ? "0 0 0" : "0 0";

  std::string out = "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n <Domain>\n";
  out += "  <Grid Name=\"fields\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t k = 0; k < nt; ++k) {
    out += fmt::format("   <Grid Name=\"t{}\" GridType=\"Uniform\">\n    <Time Value=\"{:.17g}\"/>\n", k, r.profile_time[k]);
    out += fmt::format("    <Topology TopologyType=\"{}\" Dimensions=\"{}\"/>\n", topology, dims);
    out += fmt::format("    <Geometry GeometryType=\"{}\">\n", geometry);
    out += fmt::format("     <DataItem Format=\"XML\" Dimensions=\"{}\">{}</DataItem>\n", rank - 1, origin);
    out += fmt::format("     <DataItem Format=\"XML\" Dimensions=\"{}\">{}</DataItem>\n    </Geometry>\n", rank - 1, spacing);
    for (int s = 0; s < kSpeciesCount; ++s) {
      const std::string_view name = kSpeciesInfo[static_cast<std::size_t>(s)].name;
      out += fmt::format("    <Attribute Name=\"{}\" AttributeType=\"Scalar\" Center=\"Node\">\n", name);
      out += fmt::format("     <DataItem ItemType=\"HyperSlab\" Dimensions=\"{}\" Type=\"HyperSlab\">\n", dims);
      out += fmt::format("      <DataItem Dimensions=\"3 {}\" Format=\"XML\">{} {} {} 1 {}</DataItem>\n", rank, k, zeros,
                         ones, dims);
      out += fmt::format("      <DataItem Dimensions=\"{}\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">{}:/fields/{}</DataItem>\n",
                         full, h5_name, name);
      out += "     </DataItem>\n    </Attribute>\n";
    }
    out += "   </Grid>\n";
  }
  out += "  </Grid>\n </Domain>\n</Xdmf>\n";
  return out;
}

void write_xdmf(const std::string& h5_path, const RunResult& result) {
  write_file_atomically(xdmf_path(h5_path), xdmf_text(result, std::filesystem::path(h5_path).filename().string()));
}

}  // namespace citsim

#include "citsim/io/run_output.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "citsim/io/atomic_file.hpp"
#include "citsim/io/xdmf.hpp"
#include "citsim/version.hpp"

namespace citsim {
namespace {

/// Creation time in UTC; SOURCE_DATE_EPOCH (the reproducible-builds convention) pins it, so two
/// runs of one config can give byte-identical files.
std::string created_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    // Read whole, and before the year 10000 (the form has four digits): a value that overflows
    // is ignored like a malformed one, not clamped to a date 219 million years ahead.
    constexpr long long kYear10000 = 253'402'300'800;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(epoch, &end, 10);
    if (end != epoch && *end == '\0' && errno == 0 && v >= 0 && v < kYear10000) t = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "1970-01-01T00:00:00Z";  // the clock itself is beyond gmtime
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Dataset numbers(std::string path, std::vector<std::string> dims, std::vector<double> v,
                std::string units, std::string long_name) {
  Dataset d;
  d.path = std::move(path);
  d.dims = std::move(dims);
  d.numbers = std::move(v);
  d.units = std::move(units);
  d.long_name = std::move(long_name);
  return d;
}

/// A field from the simulation's cell order (y, x, z fastest) to the file's (x, y, z fastest),
/// per profile time.
std::vector<double> field_in_file_order(const RunResult& r, const std::vector<double>& field) {
  if (r.y.empty()) return field;  // 2D: already (x, z)
  const std::size_t nx = r.x.size(), ny = r.y.size(), nz = r.z.size(), block = nx * ny * nz;
  std::vector<double> out(field.size());
  for (std::size_t t = 0; t < r.profile_time.size(); ++t)
    for (std::size_t iy = 0; iy < ny; ++iy)
      for (std::size_t ix = 0; ix < nx; ++ix)
        for (std::size_t iz = 0; iz < nz; ++iz)
          out[t * block + (ix * ny + iy) * nz + iz] = field[t * block + (iy * nx + ix) * nz + iz];
  return out;
}

}  // namespace

FileContents run_file_contents(const RunResult& r, const RunConfig& cfg) {
  FileContents f;
  std::vector<double> session_index;
  for (std::size_t k = 0; k < r.sessions.size(); ++k) session_index.push_back(static_cast<double>(k + 1));
  f.dimensions = {
      {"/time", r.time, "day", "time since the protocol's day 0"},
      {"/z", r.z, "mm", "depth below the dermal-epidermal junction (cell centres)"},
      {"/profile_time", r.profile_time, "day", "times of the depth profile snapshots"},
      {"/sessions/session", session_index, "1", "session number"},
  };

  // Layer means over time.
  for (const LayerSeries& l : r.layers) {
    for (int s = 0; s < kSpeciesCount; ++s) {
      const SpeciesInfo& info = kSpeciesInfo[static_cast<std::size_t>(s)];
      f.datasets.push_back(numbers(fmt::format("/layers/{}/{}", l.name, info.name), {"/time"},
                                   l.species[static_cast<std::size_t>(s)], std::string(info.units),
                                   fmt::format("{} mean of {}", l.name, info.long_name)));
    }
    f.datasets.push_back(numbers(fmt::format("/layers/{}/collagen_synthesis", l.name), {"/time"},
                                 l.synthesis, "mg/cm^3/day",
                                 fmt::format("{} mean collagen synthesis rate S", l.name)));
    f.datasets.push_back(numbers(fmt::format("/layers/{}/type3_share", l.name), {"/time"},
                                 l.type3_share, "1",
                                 fmt::format("{} type III share of newly synthesised collagen", l.name)));
  }

  for (const Series& s : r.readouts)
    f.datasets.push_back(numbers("/readouts/" + s.name, {"/time"}, s.values, s.units, s.long_name));

  for (int s = 0; s < kSpeciesCount; ++s) {
    const SpeciesInfo& info = kSpeciesInfo[static_cast<std::size_t>(s)];
    Dataset d = numbers(fmt::format("/profiles/{}", info.name), {"/profile_time", "/z"},
                        r.profiles[static_cast<std::size_t>(s)], std::string(info.units),
                        std::string(info.long_name));
    d.compress = true;
    f.datasets.push_back(std::move(d));
  }

  for (const Series& s : r.tissue)
    f.datasets.push_back(numbers("/tissue/" + s.name, {"/z"}, s.values, s.units, s.long_name));

  // 2D/3D: whole fields at the profile times, and the channel centres of every session.
  if (!r.x.empty()) {
    const bool three_d = !r.y.empty();
    f.dimensions.push_back({"/x", r.x, "mm", "lateral position (cell centres), periodic"});
    if (three_d) f.dimensions.push_back({"/y", r.y, "mm", "second lateral position (cell centres), periodic"});
    const std::vector<std::string> dims = three_d ? std::vector<std::string>{"/profile_time", "/x", "/y", "/z"}
                                                  : std::vector<std::string>{"/profile_time", "/x", "/z"};
    for (int s = 0; s < kSpeciesCount; ++s) {
      const SpeciesInfo& info = kSpeciesInfo[static_cast<std::size_t>(s)];
      Dataset d = numbers(fmt::format("/fields/{}", info.name), dims,
                          field_in_file_order(r, r.fields[static_cast<std::size_t>(s)]),
                          std::string(info.units), std::string(info.long_name));
      d.compress = true;
      f.datasets.push_back(std::move(d));
    }
    std::vector<double> cx, cy, cs;
    for (std::size_t k = 0; k < r.channels.size(); ++k)
      for (std::size_t c = 0; c < r.channels[k].size(); ++c) {
        cx.push_back(r.channels[k].x[c]);
        if (three_d) cy.push_back(r.channels[k].y[c]);
        cs.push_back(static_cast<double>(k + 1));
      }
    std::vector<double> index(cx.size());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<double>(i + 1);
    f.dimensions.push_back({"/channels/channel", index, "1", "channel number over all sessions"});
    const std::vector<std::string> dim{"/channels/channel"};
    f.datasets.push_back(numbers("/channels/session", dim, cs, "1", "session (1-based) that made the channel"));
    f.datasets.push_back(numbers("/channels/x", dim, cx, "mm", "channel centre x"));
    if (three_d) f.datasets.push_back(numbers("/channels/y", dim, cy, "mm", "channel centre y"));
  }

  // Sessions: one row each.
  {
    std::vector<double> time, length, density, d_eff, d_derm, diameter, tip, sharp;
    std::vector<std::int64_t> plexus, passes;
    std::vector<std::string> device, sterility;
    for (const SessionRecord& s : r.sessions) {
      time.push_back(s.session.time);
      length.push_back(s.session.needle_length);
      density.push_back(s.session.density);
      d_eff.push_back(s.d_eff);
      d_derm.push_back(s.d_derm);
      diameter.push_back(s.session.needle_diameter);
      tip.push_back(s.session.tip_length);
      sharp.push_back(s.session.sharpness);
      plexus.push_back(s.reached_plexus ? 1 : 0);
      passes.push_back(s.session.passes);
      device.push_back(to_string(s.session.device));
      sterility.push_back(to_string(s.session.sterility));
    }
    const std::vector<std::string> dim{"/sessions/session"};
    f.datasets.push_back(numbers("/sessions/time", dim, time, "day", "session time"));
    f.datasets.push_back(numbers("/sessions/needle_length", dim, length, "mm", "needle length L"));
    f.datasets.push_back(numbers("/sessions/density", dim, density, "1/cm^2", "channel density"));
    f.datasets.push_back(numbers("/sessions/d_eff", dim, d_eff, "mm", "effective penetration below the skin surface"));
    f.datasets.push_back(numbers("/sessions/d_derm", dim, d_derm, "mm", "reach below the dermal-epidermal junction"));
    f.datasets.push_back(numbers("/sessions/needle_diameter", dim, diameter, "mm", "needle diameter at the base"));
    f.datasets.push_back(numbers("/sessions/tip_length", dim, tip, "mm", "needle tip length"));
    f.datasets.push_back(numbers("/sessions/sharpness", dim, sharp, "1", "needle sharpness (1 = new)"));
    Dataset rp;
    rp.path = "/sessions/reached_plexus";
    rp.dims = dim;
    rp.kind = DataKind::Integers;
    rp.integers = plexus;
    rp.units = "1";
    rp.long_name = "1 if the needles reached the subpapillary plexus (pinpoint bleeding)";
    f.datasets.push_back(rp);
    Dataset ps = rp;
    ps.path = "/sessions/passes";
    ps.integers = passes;
    ps.long_name = "roller passes (0 for pens)";
    f.datasets.push_back(ps);
    Dataset dev;
    dev.path = "/sessions/device";
    dev.dims = dim;
    dev.kind = DataKind::Strings;
    dev.strings = device;
    dev.units = "1";
    dev.long_name = "device: pen or roller";
    f.datasets.push_back(dev);
    Dataset ster = dev;
    ster.path = "/sessions/sterility";
    ster.strings = sterility;
    ster.long_name = "sterile or non_sterile";
    f.datasets.push_back(ster);
    for (std::size_t l = 0; l < r.layer_names.size(); ++l) {
      std::vector<double> phi, phi_ch;
      for (const SessionRecord& s : r.sessions) {
        phi.push_back(s.phi[l]);
        phi_ch.push_back(s.phi_ch[l]);
      }
      const std::string& name = r.layer_names[l];
      f.datasets.push_back(numbers("/sessions/phi_" + name, dim, phi, "1",
                                   "mean injured-zone fraction over the " + name));
      f.datasets.push_back(numbers("/sessions/phi_ch_" + name, dim, phi_ch, "1",
                                   "mean channel fraction over the " + name));
    }
  }

  // Parameters: base value of each, `<name>_effective` where the patient or age changes it.
  GroupAttributes params{"/parameters", {}};
  for (const ParameterSpec& spec : parameter_table()) {
    const double base = r.base.*spec.field;
    const double eff = r.effective.*spec.field;
    params.attributes.push_back({std::string(spec.name), base});
    if (eff != base) params.attributes.push_back({std::string(spec.name) + "_effective", eff});
  }
  for (const Series& s : r.tissue)
    if (s.name == "p_C" || s.name == "p_E" || s.name == "k_t3")
      params.attributes.push_back({s.name, s.values});
  f.groups.push_back(std::move(params));

  // Units of every parameter, in the same order, so a reader needs no second table.
  GroupAttributes units{"/parameters/units", {}};
  for (const ParameterSpec& spec : parameter_table())
    units.attributes.push_back({std::string(spec.name), std::string(spec.unit)});
  f.groups.push_back(std::move(units));

  std::string warnings;
  for (const auto& w : r.warnings) warnings += (warnings.empty() ? "" : "\n") + w;
  f.groups.push_back({"/",
                      {{"citsim_version", std::string(kVersion)},
                       {"model_level", to_string(r.level)},
                       {"seed", static_cast<std::int64_t>(cfg.seed)},
                       {"created", created_utc()},
                       {"config", cfg.source_text},
                       {"config_path", cfg.source_path},
                       {"parameter_file", cfg.parameter_file},
                       {"parameter_table", cfg.parameter_table},
                       {"warnings", warnings},
                       {"pre_treatment_R0", r.pre_treatment_R0},
                       {"title", std::string("citsim run: collagen-induction therapy simulation")},
                       {"Conventions", std::string("CF-1.8")}}});
  return f;
}

void add_bands(FileContents& f, const EnsembleBands& b) {
  std::vector<double> member(b.weights.size());
  for (std::size_t k = 0; k < member.size(); ++k) member[k] = static_cast<double>(k + 1);
  f.dimensions.push_back({"/bands/quantile", b.quantiles, "1", "quantile of the ensemble's members (weighted)"});
  f.dimensions.push_back({"/bands/member", member, "1", "member of the parameter ensemble"});
  for (const ReadoutBand& r : b.readouts) {
    f.datasets.push_back(numbers("/bands/" + r.name, {"/bands/quantile", "/time"}, r.values, r.units,
                                 fmt::format("{}: quantiles over the parameter ensemble", r.long_name)));
    f.datasets.push_back(numbers("/bands/end_values/" + r.name, {"/bands/member"}, r.end_values, r.units,
                                 fmt::format("{} of each member at the last record time (NaN: the run failed)",
                                             r.long_name)));
  }
  f.datasets.push_back(numbers("/bands/weight", {"/bands/member"}, b.weights, "1",
                               "normalised weight of each member (0: its run failed)"));
  Dataset failures;
  failures.path = "/bands/failure";
  failures.dims = {"/bands/member"};
  failures.kind = DataKind::Strings;
  failures.strings = b.failures;
  failures.long_name = "why a member's run failed (empty: it ran)";
  f.datasets.push_back(std::move(failures));
  std::string held;
  for (const std::string& h : b.held) held += (held.empty() ? "" : ", ") + h;
  f.groups.push_back({"/bands",
                      {{"ensemble_method", b.method},
                       {"ensemble_source", b.source},
                       {"members", static_cast<std::int64_t>(b.weights.size())},
                       {"held_at_config", held}}});
}

void write_run(const std::string& path, const RunResult& result, const RunConfig& config, const EnsembleBands* bands) {
  if (result.x.empty()) {
    FileContents f = run_file_contents(result, config);
    if (bands) add_bands(f, *bands);
    write_hdf5(path, f);
    return;
  }
  // A 2D/3D run's two files are replaced together or not at all: a sidecar that cannot be written
  // must not leave a new HDF5 file beside an old sidecar (or an old file beside a new sidecar).
  AtomicFile h5(path);
  AtomicFile sidecar(xdmf_path(path));
  FileContents f = run_file_contents(result, config);
  if (bands) add_bands(f, *bands);
  write_hdf5(h5, f);
  write_text(sidecar, xdmf_text(result, std::filesystem::path(path).filename().string()));
  commit_together({&h5, &sidecar});
}

}  // namespace citsim

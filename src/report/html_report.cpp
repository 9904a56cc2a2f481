// The report page: the runs' data as JSON, placed with the script, the style and the vendored
// plotting library into the page template.
#include "citsim/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <span>
#include <stdexcept>

#include "citsim/report/json.hpp"

namespace citsim {

namespace {

constexpr int kSeriesDigits = 6;
constexpr int kProfileDigits = 4;

/// Depth profiles the page offers: the collagen pools, elastin and the lasting cells. Species
/// that live hours to days (neutrophils, cytokines, TGF-β) hardly show at weekly snapshots and
/// would add a third to the page.
constexpr std::array<const char*, 8> kProfileSpecies = {"C3", "C1", "Cx", "E", "F", "Mf", "M1", "M2"};

void write_series_group(JsonWriter& w, const std::vector<NamedSeries>& group) {
  w.begin_object();
  for (const NamedSeries& s : group) {
    w.key(s.name).begin_object();
    w.key("units").value(s.units).key("long_name").value(s.long_name);
    w.key("values").numbers(s.values, kSeriesDigits);
    w.end_object();
  }
  w.end_object();
}

void refuse_script_end(std::string_view name, std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower.find("</script") != std::string::npos || lower.find("</style") != std::string::npos)
    throw std::invalid_argument(fmt::format("report asset {} contains a closing script or style tag", name));
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string run_json(const RunFile& run, const std::string& label) {
  JsonWriter w(kSeriesDigits);
  w.begin_object();
  w.key("label").value(label).key("path").value(run.path);
  w.key("version").value(run.citsim_version).key("level").value(run.model_level);
  w.key("created").value(run.created).key("config_path").value(run.config_path);
  w.key("config").value(run.config).key("warnings").value(run.warnings);
  w.key("pre_treatment_R0").value(run.pre_treatment_R0);
  w.key("time").numbers(run.time);
  w.key("readouts");
  write_series_group(w, run.readouts);
  w.key("dermis");
  write_series_group(w, run.dermis);

  w.key("sessions").begin_array();
  for (const SessionColumn& c : run.sessions) {
    w.begin_object().key("name").value(c.name).key("units").value(c.units);
    w.key("long_name").value(c.long_name).key("values");
    if (c.strings.empty()) {
      w.numbers(c.numbers);
    } else {
      w.begin_array();
      for (const std::string& s : c.strings) w.value(s);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();

  // Depth profiles: one array per profile time.
  w.key("z").numbers(run.z).key("profile_time").numbers(run.profile_time);
  w.key("profiles").begin_object();
  const std::size_t nz = run.z.size();
  for (const char* name : kProfileSpecies) {
    const NamedSeries* s = run.profile(name);
    if (!s) continue;
    w.key(name).begin_object().key("units").value(s->units).key("long_name").value(s->long_name);
    w.key("values").begin_array();
    for (std::size_t k = 0; k < run.profile_time.size(); ++k)
      w.numbers(std::span<const double>(s->values).subspan(k * nz, nz), kProfileDigits);
    w.end_array().end_object();
  }
  w.end_object();
  w.key("tissue");
  write_series_group(w, run.tissue);

  w.key("parameters").begin_array();
  for (const ParameterEntry& p : run.parameters) {
    w.begin_array().value(p.name).value(p.value);
    if (p.has_effective)
      w.value(p.effective);
    else
      w.value(std::numeric_limits<double>::quiet_NaN());  // null: the run used the base value
    w.value(p.unit).end_array();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string render_report(const std::vector<RunFile>& runs, const std::vector<std::string>& labels,
                          const ReportAssets& assets, std::string_view generator) {
  if (runs.empty()) throw std::invalid_argument("report: no runs");
  if (labels.size() != runs.size()) throw std::invalid_argument("report: one label per run is needed");
  refuse_script_end("script", assets.script);
  refuse_script_end("plot library", assets.plot_library);
  refuse_script_end("style", assets.style);
  refuse_script_end("plot style", assets.plot_style);

  std::string data = fmt::format("{{\"generator\":{},\"runs\":[", json_string(generator));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) data.push_back(',');
    data.append(run_json(runs[i], labels[i]));
  }
  data += "]}";

  std::string title = "citsim report: ";
  for (std::size_t i = 0; i < labels.size(); ++i) title.append(i ? " vs " : "").append(labels[i]);

  // Every placeholder must appear exactly once in the template itself.
  std::string page(assets.page);
  for (std::string_view p : {"{{TITLE}}", "{{HEADING}}", "{{STYLE}}", "{{PLOT_STYLE}}", "{{PLOT_LIBRARY}}", "{{SCRIPT}}", "{{DATA}}"}) {
    const std::size_t at = page.find(p);
    if (at == std::string::npos || page.find(p, at + p.size()) != std::string::npos)
      throw std::invalid_argument(fmt::format("report template: placeholder {} must appear exactly once", p));
  }
  // Each piece is inserted at its placeholder's position, from the end of the page backwards,
  // so text inserted (which may itself contain "{{...}}") is never scanned for placeholders.
  std::vector<std::pair<std::size_t, std::pair<std::string_view, std::string>>> pieces;
  const std::string escaped_title = html_escape(title);
  for (auto [p, text] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"{{TITLE}}", escaped_title},
           {"{{HEADING}}", escaped_title},
           {"{{STYLE}}", assets.style},
           {"{{PLOT_STYLE}}", assets.plot_style},
           {"{{PLOT_LIBRARY}}", assets.plot_library},
           {"{{SCRIPT}}", assets.script},
           {"{{DATA}}", data}})
    pieces.push_back({page.find(p), {p, std::string(text)}});
  std::sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [at, piece] : pieces) page.replace(at, piece.first.size(), piece.second);
  return page;
}

}  // namespace citsim

// render_report and run_json: the page holds every asset and the runs' data once, is
// self-contained (no external references), and refuses broken templates.
#include "citsim/report/html_report.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <stdexcept>
#include <string>

namespace {

/// A small run, built in memory (run_json and render_report take any RunFile).
citsim::RunFile tiny_run(const std::string& path) {
  citsim::RunFile r;
  r.path = path;
  r.citsim_version = "0.1.0";
  r.model_level = "1d";
  r.created = "2026-01-01T00:00:00Z";
  r.config = "[patient]\nage = 40 # </script><b>\n";
  r.warnings = "";
  r.pre_treatment_R0 = 0.4772;
  r.time = {0.0, 0.5, 1.0};
  r.z = {0.0125, 0.0375};
  r.profile_time = {0.0, 1.0};
  r.readouts = {{"firmness_gain", "percent", "gain", {-4.5, 0.0, 1.25}},
                {"R0", "mm", "R0", {0.5, 0.48, 0.47}}};
  r.dermis = {{"M1", "1", "macrophages", {0.0, 0.2, 0.1}}};
  r.profiles = {{"C3", "mg/cm^3", "collagen III", {1, 2, 3, 4}}, {"B", "1", "bacteria", {0, 0, 0, 0}}};
  r.tissue = {{"C_rest", "mg/cm^3", "rest", {180, 180}}};
  citsim::SessionColumn t{"time", "day", "session time", {0.0}, {}};
  citsim::SessionColumn dev{"device", "1", "device", {}, {"pen"}};
  r.sessions = {t, dev};
  r.parameters = {{"sigma_T", 12.0, true, 8.4, "1"}, {"k_tx", 0.00038, false, 0.0, "1/day"}};
  return r;
}

citsim::ReportAssets fake_assets() {
  return {"<html><head><title>{{TITLE}}</title><style>{{PLOT_STYLE}}</style><style>{{STYLE}}</style></head>"
          "<body><h1>{{HEADING}}</h1><script type=\"application/json\">{{DATA}}</script>"
          "<script>{{PLOT_LIBRARY}}</script><script>{{SCRIPT}}</script></body></html>",
          "body{}", "console.log('app {{DATA}}')", "var uPlot=1;", ".u{}"};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("html_report: run_json holds the series, sessions, profiles and parameters", "[report][html]") {
  const std::string j = citsim::run_json(tiny_run("a.h5"), "my <run>");
  CHECK(j.find("\"label\":\"my \\u003crun\\u003e\"") != std::string::npos);
  CHECK(j.find("\"time\":[0,0.5,1]") != std::string::npos);
  CHECK(j.find("\"firmness_gain\":{\"units\":\"percent\",\"long_name\":\"gain\",\"values\":[-4.5,0,1.25]}") !=
        std::string::npos);
  CHECK(j.find("\"values\":[[1,2],[3,4]]") != std::string::npos);  // one row per profile time
  CHECK(j.find("\"B\":") == std::string::npos);                    // not a profile the page offers
  CHECK(j.find("{\"name\":\"device\",\"units\":\"1\",\"long_name\":\"device\",\"values\":[\"pen\"]}") !=
        std::string::npos);
  CHECK(j.find("[\"sigma_T\",12,8.4,\"1\"]") != std::string::npos);
  CHECK(j.find("[\"k_tx\",0.00038,null,\"1/day\"]") != std::string::npos);
  CHECK(j.find("</script") == std::string::npos);
  CHECK(j.find('<') == std::string::npos);
}

TEST_CASE("html_report: the page carries every asset and the data exactly once", "[report][html]") {
  const std::vector<citsim::RunFile> runs = {tiny_run("a.h5"), tiny_run("b.h5")};
  const std::string page = citsim::render_report(runs, {"pen", "roller"}, fake_assets(), "citsim 0.1.0");
  CHECK(count(page, "<title>citsim report: pen vs roller</title>") == 1);
  CHECK(count(page, "<h1>citsim report: pen vs roller</h1>") == 1);
  CHECK(count(page, "var uPlot=1;") == 1);
  CHECK(count(page, ".u{}") == 1);
  CHECK(count(page, "\"label\":\"pen\"") == 1);
  CHECK(count(page, "\"label\":\"roller\"") == 1);
  CHECK(count(page, "\"generator\":\"citsim 0.1.0\"") == 1);
  // Placeholder text inside an inserted asset is left alone (not replaced by the data).
  CHECK(count(page, "console.log('app {{DATA}}')") == 1);
  CHECK(page.find("{{TITLE}}") == std::string::npos);
  // The config's "</script>" stays escaped: the page has exactly the three script elements.
  CHECK(count(page, "</script>") == 3);
  // Self-contained: no external references.
  CHECK(!std::regex_search(page, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
}

TEST_CASE("html_report: the embedded assets make a self-contained page", "[report][html]") {
  const citsim::ReportAssets a = citsim::embedded_report_assets();
  CHECK(a.plot_library.size() > 40000);  // uPlot, minified
  CHECK(a.plot_library.find("uPlot") != std::string_view::npos);
  CHECK(a.script.find("citsim-data") != std::string_view::npos);
  const std::string page = citsim::render_report({tiny_run("a.h5")}, {"a"}, a, "citsim");
  CHECK(page.find("{{") == std::string::npos);
  CHECK(!std::regex_search(page, std::regex(R"(<(script|link|img|iframe)[^>]*(src|href)\s*=)")));
  CHECK(page.find("id=\"profile-slider\"") != std::string::npos);
  CHECK(page.find("R7") != std::string::npos);
  // The scar index is explained, with its direction: a keloid-prone run's high firmness gain must
  // not read as the best result.
  CHECK(page.find("id=\"scar-index-note\"") != std::string::npos);
  CHECK(page.find("Higher is worse: more scar-like.") != std::string::npos);
}

TEST_CASE("html_report: broken templates and bad arguments are refused", "[report][html]") {
  const std::vector<citsim::RunFile> runs = {tiny_run("a.h5")};
  citsim::ReportAssets a = fake_assets();
  std::string page(a.page);
  const std::string no_data = std::regex_replace(page, std::regex(R"(\{\{DATA\}\})"), "");
  a.page = no_data;
  CHECK_THROWS_WITH(citsim::render_report(runs, {"a"}, a, "g"), Catch::Contains("{{DATA}}"));
  const std::string twice = page + "{{SCRIPT}}";
  a.page = twice;
  CHECK_THROWS_WITH(citsim::render_report(runs, {"a"}, a, "g"), Catch::Contains("{{SCRIPT}}"));
  a = fake_assets();
  a.script = "x = '</SCRIPT>';";
  CHECK_THROWS_AS(citsim::render_report(runs, {"a"}, a, "g"), std::invalid_argument);
  CHECK_THROWS_AS(citsim::render_report(runs, {"a", "b"}, fake_assets(), "g"), std::invalid_argument);
  CHECK_THROWS_AS(citsim::render_report({}, {}, fake_assets(), "g"), std::invalid_argument);
}

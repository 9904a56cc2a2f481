// Build step: configs/parameters.toml -> C++ (embedded_parameter_file, embedded_parameter_text),
// so citsim_core starts every run from the fitted table without a TOML parser. The file is checked
// here exactly as a `model.parameter_file` is at run time (parse_parameter_file): a bad table fails
// the build with the message a run would print.
//
//   citsim_embed_parameters configs/parameters.toml OUT.cpp
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "citsim/io/parameter_file.hpp"

namespace {

/// `s` as a C++ string literal: quotes, backslashes and control characters escaped (octal, which
/// never swallows the next character as hex escapes do); UTF-8 passes through.
std::string literal(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\{:03o}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

constexpr const char* kDelimiter = "citsim_toml";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PARAMETERS.toml OUT.cpp\n", argv[0]);
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot read", argv[1]));
    std::ostringstream text;
    text << in.rdbuf();
    const std::string toml = text.str();
    const std::vector<citsim::FittedValue> values =
        citsim::parse_parameter_file(toml, citsim::kEmbeddedParameterFileName);
    if (toml.find(fmt::format("){}\"", kDelimiter)) != std::string::npos)
      throw std::runtime_error(fmt::format("{}: contains ){}\", which ends the embedded text", argv[1], kDelimiter));

    std::string out = fmt::format(
        "// Generated from {} by cmake/embed_parameters.cpp at build time: edit that file, not this one.\n"
        "#include \"citsim/model/fitted_parameters.hpp\"\n\n"
        "namespace citsim {{\n\n"
        "std::vector<FittedValue> embedded_parameter_file() {{\n"
        "  return {{\n",
        "configs/parameters.toml");
    for (const citsim::FittedValue& v : values)
      out += fmt::format("      {{{}, {}, {}, {}}},\n", literal(v.name), v.value, literal(v.unit), literal(v.source));
    out += "  };\n}\n\n";
    out += fmt::format("std::string_view embedded_parameter_text() {{\n  return R\"{0}({1}){0}\";\n}}\n\n", kDelimiter, toml);
    out += "}  // namespace citsim\n";

    std::ofstream file(argv[2], std::ios::binary | std::ios::trunc);
    file << out;
    file.close();
    if (!file) throw std::runtime_error(fmt::format("{}: cannot write", argv[2]));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

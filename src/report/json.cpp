// JSON text for report pages (see json.hpp for what is escaped and why).
#include "citsim/report/json.hpp"

#include <fmt/format.h>

#include <cmath>

namespace citsim {

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;  // never "</script>" inside the page's data element
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        // U+2028 and U+2029 (E2 80 A8/A9) end lines in older JavaScript parsers.
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string json_number(double x, int digits) {
  if (!std::isfinite(x)) return "null";
  if (x == 0.0) return "0";  // also turns -0 into 0
  return fmt::format("{:.{}g}", x, digits);
}

void JsonWriter::separate() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  out_ += json_string(k);
  out_.push_back(':');
  need_comma_ = false;  // the value follows without a comma
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  out_ += json_string(s);
  return *this;
}

JsonWriter& JsonWriter::value(double x) {
  separate();
  out_ += json_number(x, digits_);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::numbers(std::span<const double> xs, int digits) {
  begin_array();
  const int d = digits > 0 ? digits : digits_;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i > 0) out_.push_back(',');
    out_ += json_number(xs[i], d);
  }
  return end_array();
}

}  // namespace citsim

// A minimal JSON writer for the data embedded in report pages: numbers, strings, arrays and
// objects, safe to place inside an HTML <script> element.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace citsim {

/// Builds JSON text in order. The caller nests begin/end calls correctly; commas are placed
/// automatically. Non-finite numbers become null (JSON has no NaN or Infinity).
class JsonWriter {
 public:
  /// `digits`: significant digits of numbers (shortest exact form is not needed for plots).
  explicit JsonWriter(int digits = 6) : digits_(digits) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(double x);
  JsonWriter& value(bool b);
  JsonWriter& numbers(std::span<const double> xs, int digits = 0);  ///< digits 0: the writer's

  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  int digits_;
  bool need_comma_ = false;
};

/// `s` as a JSON string literal. Besides JSON's escapes, '<', '>', '&', U+2028 and U+2029 are
/// written as \u escapes so the text can never close a <script> element or break a JS parser.
std::string json_string(std::string_view s);

/// `x` as a JSON number with `digits` significant digits, or null if not finite.
std::string json_number(double x, int digits);

}  // namespace citsim

// JsonWriter and json_string: valid JSON, nothing that can end a <script> element, no NaN.
#include "citsim/report/json.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using citsim::json_number;
using citsim::json_string;
using citsim::JsonWriter;

TEST_CASE("json: strings escape quotes, controls and everything that could close a script", "[report][json]") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_string("line\nnext\ttab\r") == "\"line\\nnext\\ttab\\r\"");
  CHECK(json_string(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(json_string("\x1f") == "\"\\u001f\"");
  const std::string closing = json_string("</script><script>alert(1)</script>");
  CHECK(closing.find('<') == std::string::npos);
  CHECK(closing.find('>') == std::string::npos);
  CHECK(json_string("a & b") == "\"a \\u0026 b\"");
  // U+2028/U+2029 (line and paragraph separators) are escaped; other UTF-8 passes through.
  CHECK(json_string("x\xE2\x80\xA8y\xE2\x80\xA9z") == "\"x\\u2028y\\u2029z\"");
  CHECK(json_string("TGF-\xCE\xB2 mg/cm\xC2\xB3") == "\"TGF-\xCE\xB2 mg/cm\xC2\xB3\"");
}

TEST_CASE("json: numbers keep the requested digits; non-finite values are null", "[report][json]") {
  CHECK(json_number(0.0, 6) == "0");
  CHECK(json_number(-0.0, 6) == "0");
  CHECK(json_number(1.0, 6) == "1");
  CHECK(json_number(28.0, 6) == "28");
  CHECK(json_number(0.123456789, 6) == "0.123457");
  CHECK(json_number(-1.5e-9, 4) == "-1.5e-09");
  CHECK(json_number(123456789.0, 4) == "1.235e+08");
  CHECK(json_number(std::numeric_limits<double>::quiet_NaN(), 6) == "null");
  CHECK(json_number(std::numeric_limits<double>::infinity(), 6) == "null");
  CHECK(json_number(-std::numeric_limits<double>::infinity(), 6) == "null");
  // Enough digits give the double back exactly.
  const double x = 0.1 + 0.2;
  CHECK(std::stod(json_number(x, 17)) == x);
}

TEST_CASE("json: the writer places commas and nests objects and arrays", "[report][json]") {
  JsonWriter w(3);
  const std::vector<double> xs = {1.0, 2.5, std::nan("")};
  w.begin_object();
  w.key("a").value(1.23456);
  w.key("s").value("x");
  w.key("b").value(true);
  w.key("xs").numbers(xs);
  w.key("more").numbers(xs, 1);
  w.key("nested").begin_array().begin_object().key("k").value(false).end_object().begin_array().end_array().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  CHECK(w.str() ==
        "{\"a\":1.23,\"s\":\"x\",\"b\":true,\"xs\":[1,2.5,null],\"more\":[1,2,null],"
        "\"nested\":[{\"k\":false},[]],\"empty\":{}}");
}

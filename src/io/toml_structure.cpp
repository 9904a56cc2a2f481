// How deeply a TOML text nests, counted without parsing it (see detail/toml_structure.hpp).
#include "detail/toml_structure.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <vector>

#include "citsim/errors.hpp"

namespace citsim::toml_text {
namespace {

/// An open array or inline table and the depth its contents start from: an array's elements,
/// or the values of an inline table's keys before their own key parts.
struct Open {
  char close;  ///< ']' or '}'
  int base;
};

/// One pass over the text. Only what changes the depth is read: table headers, keys (their dots
/// outside quotes), brackets and braces in values, and strings and comments, so that a '[' or a
/// '.' inside them is not counted.
class NestingScan {
 public:
  explicit NestingScan(std::string_view text) : s_(text) {}

  std::optional<int> run() {
    while (i_ < s_.size() && !too_deep_) {
      const char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        if (open_.empty()) at_key_ = true;  // a document line ends its key-value pair
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (at_key_) {
        key_or_header(c);
      } else {
        value(c);
      }
    }
    return too_deep_ ? std::optional<int>(line_) : std::nullopt;
  }

 private:
  void key_or_header(char c) {
    if (open_.empty() && c == '[') {  // [table] or [[array.of.tables]]
      const bool array = i_ + 1 < s_.size() && s_[i_ + 1] == '[';
      i_ += array ? 2 : 1;
      header_ = key_parts(']') + (array ? 1 : 0);
      reach(header_);
      while (i_ < s_.size() && s_[i_] == ']') ++i_;
      return;
    }
    if (!open_.empty() && open_.back().close == '}' && c == '}') {  // {} or a trailing comma
      close('}');
      ++i_;
      return;
    }
    const int base = open_.empty() ? header_ : open_.back().base;
    value_depth_ = base + key_parts('=');
    reach(value_depth_);
    if (i_ < s_.size() && s_[i_] == '=') ++i_;
    at_key_ = false;
  }

  void value(char c) {
    switch (c) {
      case '"':
      case '\'':
        skip_string(c);
        return;
      case '[': {
        const int element = current_value_depth() + 1;
        open_.push_back({']', element});
        reach(element);
        break;
      }
      case '{':
        open_.push_back({'}', current_value_depth()});
        at_key_ = true;
        break;
      case ']':
      case '}':
        close(c);
        break;
      case ',':
        if (!open_.empty() && open_.back().close == '}') at_key_ = true;
        break;
      default:
        break;  // numbers, booleans, dates: nothing nests in them
    }
    ++i_;
  }

  /// Depth of a value that starts here: an element of the innermost array, else the value of
  /// the key just read.
  int current_value_depth() const {
    return !open_.empty() && open_.back().close == ']' ? open_.back().base : value_depth_;
  }

  void close(char c) {
    if (!open_.empty() && open_.back().close == c) open_.pop_back();
    at_key_ = false;  // what follows is a ',' or the end of the enclosing value
  }

  /// Parts of the key starting here, up to `stop` (left unread), a newline or the end.
  int key_parts(char stop) {
    int parts = 1;
    while (i_ < s_.size() && s_[i_] != stop && s_[i_] != '\n') {
      const char c = s_[i_];
      if (c == '"' || c == '\'') {
        skip_string(c);
        continue;
      }
      if (c == '.') ++parts;
      ++i_;
      if (parts > kMaxNesting) return parts;  // no need to read the rest
    }
    return parts;
  }

  /// Skips a basic or literal string, one-line or multi-line, counting its newlines. An
  /// unterminated one-line string ends at the newline (the parser reports it).
  void skip_string(char quote) {
    const bool multi = s_.compare(i_, 3, std::string(3, quote)) == 0;
    i_ += multi ? 3 : 1;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\\' && quote == '"') {  // an escape (in multi-line strings also a line ending)
        ++i_;
        if (i_ < s_.size() && s_[i_] == '\n') ++line_;
        ++i_;
        continue;
      }
      if (c == '\n') {
        if (!multi) return;
        ++line_;
      }
      if (c == quote && (!multi || s_.compare(i_, 3, std::string(3, quote)) == 0)) {
        i_ += multi ? 3 : 1;
        // A multi-line string may end with up to two quotes of its own before the delimiter.
        for (int k = 0; multi && k < 2 && i_ < s_.size() && s_[i_] == quote; ++k) ++i_;
        return;
      }
      ++i_;
    }
  }

  void reach(int depth) {
    if (depth > kMaxNesting) too_deep_ = true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int line_ = 1;
  bool at_key_ = true;
  bool too_deep_ = false;
  int header_ = 0;       ///< depth of the current [table]
  int value_depth_ = 0;  ///< depth of the value of the key just read
  std::vector<Open> open_;
};

}  // namespace

std::optional<int> too_deep_line(std::string_view text) { return NestingScan(text).run(); }

std::string too_deep_message() {
  return fmt::format(
      "nests deeper than {} levels (the parts of a table header or dotted key, inline tables and "
      "arrays, together); at most {} are allowed",
      kMaxNesting, kMaxNesting);
}

void check_nesting(std::string_view text, const std::string& path) {
  if (const auto line = too_deep_line(text)) throw ConfigError(path, *line, "", "", too_deep_message());
}

}  // namespace citsim::toml_text

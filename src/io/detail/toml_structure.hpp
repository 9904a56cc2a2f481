// A bound on how deeply a TOML text nests, checked before the parser sees it. toml++ builds and
// frees its tree recursively: a dotted key of 50 000 parts (100 kB of "a.a.a...") or a table
// header as deep overflows the stack (a crash, not an error). Arrays and inline tables it bounds
// itself (256 levels), dotted keys and headers not. Private to the library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace citsim::toml_text {

/// The deepest a value may sit: the parts of its table header, of its dotted key and of the keys
/// of the inline tables around it, plus the arrays around it. citsim's own files need 5.
inline constexpr int kMaxNesting = 64;

/// The line (from 1) where `text` first nests deeper than kMaxNesting, or nullopt. Reads TOML's
/// strings, comments and brackets but checks no other syntax (the parser does): malformed text
/// passes unless it nests too deep.
std::optional<int> too_deep_line(std::string_view text);

/// What is wrong with such a text, for messages: "nests deeper than 64 levels ...".
std::string too_deep_message();

/// Throws ConfigError naming `path`, the line and the limit if `text` nests too deep.
void check_nesting(std::string_view text, const std::string& path);

}  // namespace citsim::toml_text

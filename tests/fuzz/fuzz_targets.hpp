// The fuzz targets' entry functions: each takes one input and returns 0. libFuzzer calls them
// from fuzz_main.cpp (clang, the `fuzz` preset); test_fuzz_corpus.cpp replays every corpus and
// regression input through the same functions in the ordinary build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace citsim::fuzz {

/// A run config as `citsim run`/`check` read it: TOML text, then optional `--set` overrides one
/// per line after a line `#--set` (docs/reliability.md).
int config(const std::uint8_t* data, std::size_t size);
/// The protocol from a structured decoding of the bytes (sessions, series, needles, rollers,
/// drum parameters) through the config reader to the sessions and their injuries.
int protocol(const std::uint8_t* data, std::size_t size);
/// A sweep spec (TOML) beside the shipped configs, as `citsim sweep` reads it.
int sweep_spec(const std::uint8_t* data, std::size_t size);
/// The bytes as a run file given to `citsim report`.
int run_file_bytes(const std::uint8_t* data, std::size_t size);
/// The bytes as a sweep shard given to `citsim merge`.
int sweep_file_bytes(const std::uint8_t* data, std::size_t size);
/// A run file written with the HDF5 API from a decoded description (missing, extra, mistyped,
/// misshapen pieces, NaNs, huge dimensions), then read as `citsim report` reads it.
int run_file_structure(const std::uint8_t* data, std::size_t size);
/// The same for a sweep shard, then merged as `citsim merge` does.
int sweep_file_structure(const std::uint8_t* data, std::size_t size);

using Entry = int (*)(const std::uint8_t*, std::size_t);
/// The entry called `name` (the corpus directory's name), or nullptr.
Entry find_target(std::string_view name);

}  // namespace citsim::fuzz

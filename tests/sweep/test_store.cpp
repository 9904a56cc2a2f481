// Tests for include/citsim/sweep/store.hpp: the work file resumes where it stopped, the final file
// holds every run in order, shards merge into the same numbers, and mismatched files are refused.
#include <hdf5.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>

#include "citsim/errors.hpp"
#include "citsim/sweep/store.hpp"
#include "fixtures.hpp"

using namespace citsim;
using namespace citsim::sweep;
using citsim::sweep::testing::SweepDir;
using citsim::sweep::testing::read_doubles;
using citsim::sweep::testing::same_bits;
namespace fs = std::filesystem;

namespace {

/// Runs `runs` of the plan into the work file of `layout`.
void run_into(const SweepPlan& plan, const StoreLayout& layout, const std::string& work,
              const std::vector<std::int64_t>& runs) {
  WorkFile w(work, layout);
  run_threads(plan, runs, 2, [&](RunRecord&& r) { w.write(r); });
  w.close();
}

}  // namespace

TEST_CASE("a work file resumes with the finished runs kept", "[sweep][store]") {
  const SweepDir dir("store_resume");
  const SweepPlan plan = dir.plan(testing::kGridWithFailure);
  const StoreLayout layout = make_layout(plan.spec, plan.design, Shard{});
  const std::string work = dir.file("out.h5.partial");
  {
    WorkFile w(work, layout);
    CHECK(w.pending() == std::vector<std::int64_t>{0, 1, 2, 3});
    w.write(evaluate_run(plan, 3));  // the failing one
    w.write(evaluate_run(plan, 1));
    // no close: as if killed
  }
  WorkFile again(work, layout);
  CHECK(again.finished() == 2);
  CHECK(again.pending() == std::vector<std::int64_t>{0, 2});
  for (std::int64_t r : again.pending()) again.write(evaluate_run(plan, r));
  CHECK(again.pending().empty());
  again.close();

  const FinalSummary sum = write_final(dir.file("out.h5"), layout, {work});
  CHECK(sum.ok == 3);
  CHECK(sum.failed == 1);
  CHECK(sum.pending == 0);
  const StoreLayout back = read_layout(dir.file("out.h5"));
  CHECK(same_sweep(back, layout));
  CHECK(back.param_names == std::vector<std::string>{"sessions", "interval_days"});
  CHECK(back.param_units == std::vector<std::string>{"1", "day"});
  CHECK(read_status(dir.file("out.h5")) == std::vector<std::int8_t>{1, 1, 1, 2});
  const std::vector<double> params = read_doubles(dir.file("out.h5"), "/sweep/params");
  CHECK(params == std::vector<double>{1, 10, 1, 50, 3, 10, 3, 50});
  const std::vector<double> outcomes = read_doubles(dir.file("out.h5"), "/sweep/outcomes");
  const RunRecord direct = evaluate_run(plan, 2);
  const std::size_t O = layout.outcome_names.size();
  CHECK(same_bits(std::vector<double>(outcomes.begin() + 2 * O, outcomes.begin() + 3 * O), direct.outcomes));
  CHECK(std::isnan(outcomes[3 * O]));
}

TEST_CASE("a work file of another sweep or shard is refused", "[sweep][store]") {
  const SweepDir dir("store_other");
  const SweepPlan plan = dir.plan(testing::kGridWithFailure);
  const StoreLayout layout = make_layout(plan.spec, plan.design, Shard{});
  const std::string work = dir.file("out.h5.partial");
  { WorkFile w(work, layout); }
  const SweepPlan other = dir.plan(testing::kGrid3x3);
  CHECK_THROWS_WITH(WorkFile(work, make_layout(other.spec, other.design, Shard{})),
                    Catch::Contains("belongs to another sweep (the sweep spec differs)") && Catch::Contains("--restart"));
  CHECK_THROWS_WITH(WorkFile(work, make_layout(plan.spec, plan.design, Shard{1, 2})),
                    Catch::Contains("holds shard 0/1, not 1/2"));
  std::ofstream(dir.file("junk.partial")) << "not hdf5";
  CHECK_THROWS_WITH(WorkFile(dir.file("junk.partial"), layout), Catch::Contains("cannot resume the sweep work file"));
}

TEST_CASE("shards merged give the same file as the whole sweep", "[sweep][store]") {
  const SweepDir dir("store_merge");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  const StoreLayout whole = make_layout(plan.spec, plan.design, Shard{});
  run_into(plan, whole, dir.file("whole.partial"), {0, 1, 2, 3, 4, 5, 6, 7, 8});
  write_final(dir.file("whole.h5"), whole, {dir.file("whole.partial")});

  std::vector<std::string> shard_files;
  for (std::int64_t i = 0; i < 3; ++i) {
    const StoreLayout l = make_layout(plan.spec, plan.design, Shard{i, 3});
    std::vector<std::int64_t> runs;
    for (std::int64_t r = 0; r < l.rows(); ++r) runs.push_back(l.run_of_row(r));
    const std::string w = dir.file(fmt::format("s{}.partial", i));
    run_into(plan, l, w, runs);
    shard_files.push_back(dir.file(fmt::format("s{}.h5", i)));
    write_final(shard_files.back(), l, {w});
  }
  StoreLayout merged = read_layout(shard_files[2]);
  CHECK(merged.shard.index == 2);
  merged.shard = Shard{};
  const FinalSummary sum = write_final(dir.file("merged.h5"), merged, {shard_files[2], shard_files[0], shard_files[1]});
  CHECK(sum.ok == 9);
  for (const char* ds : {"/sweep/params", "/sweep/outcomes", "/sweep/series/firmness_gain", "/sweep/series/erythema"}) {
    INFO(ds);
    CHECK(same_bits(read_doubles(dir.file("whole.h5"), ds), read_doubles(dir.file("merged.h5"), ds)));
  }
  // a virtual merge reads the same numbers through the shard files
  write_final(dir.file("virtual.h5"), merged, shard_files, true);
  CHECK(same_bits(read_doubles(dir.file("whole.h5"), "/sweep/outcomes"), read_doubles(dir.file("virtual.h5"), "/sweep/outcomes")));
  CHECK(same_bits(read_doubles(dir.file("whole.h5"), "/sweep/series/erythema"),
                  read_doubles(dir.file("virtual.h5"), "/sweep/series/erythema")));

  CHECK_THROWS_WITH(write_final(dir.file("bad.h5"), merged, {shard_files[0], shard_files[1]}),
                    Catch::Contains("missing shard(s) 2"));
  CHECK_THROWS_WITH(write_final(dir.file("bad.h5"), merged, {shard_files[0], shard_files[0], shard_files[1]}),
                    Catch::Contains("shard 0/3 is given twice"));
  CHECK_THROWS_WITH(write_final(dir.file("bad.h5"), merged, {shard_files[0], dir.file("whole.h5"), shard_files[1]}),
                    Catch::Contains("is one of 3 shards"));
  CHECK_FALSE(fs::exists(dir.file("bad.h5")));
}

TEST_CASE("a damaged sweep file is refused by name before anything is sized from it", "[sweep][store]") {
  // A small whole sweep (2 runs, one parameter) kept with the fuzz corpus.
  const SweepDir dir("store_damaged");
  const std::string original = std::string(CITSIM_SOURCE_DIR) + "/tests/fuzz/corpus/sweep_file_bytes/grid_whole.h5";
  const auto damaged = [&](const char* name, const std::function<void(hid_t)>& change) {
    const std::string path = dir.file(name);
    fs::copy_file(original, path, fs::copy_options::overwrite_existing);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    change(f);
    REQUIRE(H5Fclose(f) >= 0);
    return path;
  };
  REQUIRE(read_layout(original).total_runs == 2);

  // shard_count = 0: every row computation divides by it
  const std::string zero = damaged("zero_shards.h5", [](hid_t f) {
    const std::int64_t v = 0;
    const hid_t a = H5Aopen(f, "shard_count", H5P_DEFAULT);
    CHECK(H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
  });
  CHECK_THROWS_WITH(read_layout(zero), Catch::Contains(zero) && Catch::Contains("shard 0/0"));

  // a count beyond int: narrowed, 2^32 + 5 read as a valid 5
  const std::string wide = damaged("wide_bootstrap.h5", [](hid_t f) {
    const std::int64_t v = (std::int64_t{1} << 32) + 5;
    const hid_t a = H5Aopen(f, "design_bootstrap", H5P_DEFAULT);
    CHECK(H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
  });
  CHECK_THROWS_WITH(read_layout(wide), Catch::Contains("design_bootstrap = 4294967301 is beyond any design"));

  // the parameter names as a 2-D dataset: read whole into a 1-D buffer they would overflow it
  const std::string flat = damaged("names_2d.h5", [](hid_t f) {
    CHECK(H5Ldelete(f, "/sweep/parameter", H5P_DEFAULT) >= 0);
    const hsize_t dims[2] = {1, 3};
    const hid_t s = H5Screate_simple(2, dims, nullptr);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    const hid_t d = H5Dcreate2(f, "/sweep/parameter", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char* names[3] = {"a", "b", "c"};
    CHECK(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
    H5Dclose(d);
    H5Tclose(t);
    H5Sclose(s);
  });
  CHECK_THROWS_WITH(read_layout(flat), Catch::Contains("/sweep/parameter") && Catch::Contains("2 dimension(s)"));

  // one more row of outcomes than runs: the merge copies rows by the layout's sizes
  const std::string rows = damaged("rows.h5", [](hid_t f) {
    CHECK(H5Ldelete(f, "/sweep/outcomes", H5P_DEFAULT) >= 0);
    const hsize_t dims[2] = {3, 1};
    const hid_t s = H5Screate_simple(2, dims, nullptr);
    const hid_t d = H5Dcreate2(f, "/sweep/outcomes", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(s);
  });
  CHECK_THROWS_AS(read_layout(rows), IoError);
  CHECK_THROWS_WITH(write_final(dir.file("out.h5"), read_layout(original), {rows}), Catch::Contains("/sweep/outcomes"));
  CHECK_FALSE(fs::exists(dir.file("out.h5")));
}

TEST_CASE("store_bytes bounds the work, final and virtual files", "[sweep][store][limits]") {
  const SweepDir dir("store_bytes");
  const SweepPlan plan = dir.plan(testing::kGrid3x3);
  const StoreLayout whole = make_layout(plan.spec, plan.design, Shard{});
  const std::string work = dir.file("whole.partial");
  run_into(plan, whole, work, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(fs::file_size(work) <= store_bytes(whole, true));
  write_final(dir.file("whole.h5"), whole, {work});
  CHECK(fs::file_size(dir.file("whole.h5")) <= store_bytes(whole, false));
  // A virtual merge holds no params, outcomes or series: a smaller bound, still above the file.
  std::vector<std::string> shards;
  for (std::int64_t i = 0; i < 3; ++i) {
    const StoreLayout l = make_layout(plan.spec, plan.design, Shard{i, 3});
    std::vector<std::int64_t> runs;
    for (std::int64_t r = 0; r < l.rows(); ++r) runs.push_back(l.run_of_row(r));
    run_into(plan, l, dir.file(fmt::format("s{}.partial", i)), runs);
    shards.push_back(dir.file(fmt::format("s{}.h5", i)));
    write_final(shards.back(), l, {dir.file(fmt::format("s{}.partial", i))});
  }
  write_final(dir.file("virtual.h5"), whole, shards, true);
  CHECK(store_bytes(whole, false, true) < store_bytes(whole, false));
  CHECK(fs::file_size(dir.file("virtual.h5")) <= store_bytes(whole, false, true));
  // Each run adds its doubles, status, wall time and message.
  StoreLayout more = whole;
  more.total_runs += 10;
  const std::uint64_t doubles = whole.param_names.size() + whole.outcome_names.size() + whole.time.size() * whole.readouts.size();
  CHECK(store_bytes(more, true) - store_bytes(whole, true) == 10 * (8 * doubles + 1 + 8 + 1024));
}

// Library create+discard per file against the floor: raw open(O_EXCL) + close
// + unlink of a name that needs no randomness. Both run in the same
// directory, in the same process, one after the other, so the ratio holds on a
// noisy machine. See docs/benchmarks.md.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <tmpctl/tmpctl.hpp>
#include <unistd.h>

#include <string>

namespace {

std::string bench_directory() {
  static const auto directory = [] {
    auto dir = tmpctl::TempDirectory::create({.prefix = "tmpctl-bench."});
    if (!dir) throw std::runtime_error(tmpctl::to_string(dir.error()));
    return std::move(*dir);
  }();
  return directory.path();
}

void tempfile_create_discard(benchmark::State& state) {
  const tmpctl::CreateOptions options{.directory = bench_directory()};
  for (auto _ : state) {
    auto file = tmpctl::TempFile::create(options);
    if (!file || !file->discard()) {
      state.SkipWithError("create or discard failed");
      break;
    }
  }
}
BENCHMARK(tempfile_create_discard);

void raw_open_close_unlink(benchmark::State& state) {
  const std::string prefix = bench_directory() + "/raw.";
  std::uint64_t counter = 0;
  for (auto _ : state) {
    const std::string path = prefix + std::to_string(counter++);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || ::close(fd) != 0 || ::unlink(path.c_str()) != 0) {
      state.SkipWithError("open, close or unlink failed");
      break;
    }
  }
}
BENCHMARK(raw_open_close_unlink);

}  // namespace

BENCHMARK_MAIN();

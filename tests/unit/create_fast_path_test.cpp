// create's fast path (cli/create_fast_path.cpp) against the full parser
// (CLI11, through CreateCommand): on every command line the fast path
// accepts, both must ask for the same thing; and the lines scripts make must
// not fall back to the full parser, or the fast path is not worth having.

#include <gtest/gtest.h>

#include <random>

#include "cli/create_command.hpp"
#include "cli/create_fast_path.hpp"
#include "cli/empty_values.hpp"

namespace tmpctl::cli {

// For gtest's messages.
void PrintTo(const CreateArgs& args, std::ostream* out) {
  const auto optional = [](const std::optional<std::string>& value) {
    return value ? "'" + *value + "'" : std::string("-");
  };
  *out << "{d=" << args.directory << " template=" << optional(args.name_template)
       << " prefix=" << optional(args.prefix) << " suffix=" << optional(args.suffix)
       << " dir=" << optional(args.dir) << " t=" << args.single_name << " n=" << args.count
       << " json=" << args.json << " null=" << args.null << " q=" << args.quiet
       << " u=" << args.dry_run << "}";
}

namespace {

// The full parser's answer, parsed as main.cpp parses ("--opt=" split
// first); nothing when it refuses the line.
std::optional<CreateArgs> parse_fully(const std::vector<std::string>& arguments) {
  CLI::App app("tmpctl", "tmpctl");
  app.require_subcommand(1);
  app.allow_windows_style_options(false);  // as main.cpp
  CreateCommand command(app);
  std::vector<std::string> split = with_empty_values_split(app, arguments);
  std::vector<char*> pointers;
  for (std::string& argument : split) pointers.push_back(argument.data());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::Error&) {
    return std::nullopt;
  }
  return command.args();
}

std::string describe(const std::vector<std::string>& arguments) {
  std::string text;
  for (const auto& argument : arguments) text += " [" + argument + "]";
  return text;
}

void expect_same(const std::vector<std::string>& arguments) {
  const auto fast = parse_create_quickly(arguments);
  if (!fast) return;  // declined: the full parser decides, whatever it says
  const auto full = parse_fully(arguments);
  ASSERT_TRUE(full) << "the fast path accepted what the full parser refuses:"
                    << describe(arguments);
  EXPECT_EQ(*fast, *full) << describe(arguments);
}

TEST(CreateFastPath, TakesTheLinesScriptsMake) {
  const std::vector<std::vector<std::string>> common = {
      {},
      {"-d"},
      {"-u"},
      {"-q"},
      {"-p", "/tmp/x"},
      {"-pDIR"},
      {"--dir", "x"},
      {"--tmpdir"},
      {"--tmpdir=x"},
      {"--tmpdir", "build.XXXXXX"},
      {"-d", "--tmpdir", "apt-key-gpghome.XXXXXXXXXX"},
      {"-t", "foo.XXXXXX"},
      {"-dt", "foo.XXXXXX"},
      {"foo.XXXXXX"},
      {"--suffix=.json"},
      {"--suffix", ".json", "a.XXXXXX"},
      {"--prefix", "build."},
      {"-n", "100", "--json"},
      {"-n5", "-0"},
      {"--count=3", "--null"},
      {"--", "-XXXXXX"},
      {"--directory", "--dry-run", "--quiet"},
  };
  for (auto arguments : common) {
    arguments.insert(arguments.begin(), {"tmpctl", "create"});
    EXPECT_TRUE(parse_create_quickly(arguments)) << describe(arguments);
    expect_same(arguments);
  }
}

TEST(CreateFastPath, LeavesEverythingElseToTheFullParser) {
  for (const std::vector<std::string>& arguments : std::vector<std::vector<std::string>>{
           {"tmpctl", "create", "--help"},
           {"tmpctl", "create", "-h"},
           {"tmpctl", "create", "--ttl", "1h"},
           {"tmpctl", "create", "--color=never"},
           {"tmpctl", "create", "a.XXX", "b.XXX"},
           {"tmpctl", "create", "--json", "-0"},
           {"tmpctl", "create", "--prefix", "p", "a.XXX"},
           {"tmpctl", "create", "-n", "0"},
           {"tmpctl", "create", "-n", "010"},
           {"tmpctl", "create", "-p"},
           {"tmpctl", "create", "-p", "-d"},
           {"tmpctl", "create", "--bogus"},
           {"tmpctl", "--color", "never", "create"},
           {"tmpctl", "remove", "x"},
       })
    EXPECT_FALSE(parse_create_quickly(arguments)) << describe(arguments);
}

// Random command lines from the words create knows and some it does not:
// wherever the fast path answers, the full parser answers the same.
TEST(CreateFastPath, AgreesWithTheFullParserOnRandomLines) {
  const std::vector<std::string> words = {
      "-d",          "-u",       "-q",        "-t",          "-0",       "-p",
      "-pX",         "-dp",      "-dq",       "-qdu",        "-n",       "-n2",
      "-dn3",        "--dir",    "--dir=",    "--dir=Y",     "--tmpdir", "--tmpdir=",
      "--tmpdir=Z",  "--suffix", "--suffix=", "--suffix=.s", "--prefix", "--prefix=",
      "--prefix=p.", "--count",  "--count=4", "--json",      "--null",   "--directory",
      "--dry-run",   "--quiet",  "--",        "-",           "aXXXX",    "b.XXX",
      "c/dXXX",      "/abs.XXX", "",          "7",           "0",        "-x",
      "--json=1",    "--ttl",    "1h"};
  std::mt19937 random(14);
  std::uniform_int_distribution<std::size_t> length(0, 6);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::vector<std::string> arguments = {"tmpctl", "create"};
    for (std::size_t n = length(random); n > 0; --n) arguments.push_back(words[pick(random)]);
    if (parse_create_quickly(arguments)) ++accepted;
    expect_same(arguments);
    if (HasFailure()) break;
  }
  // Most random lines are odd; enough must be accepted for this to mean something.
  EXPECT_GT(accepted, 200);
}

}  // namespace
}  // namespace tmpctl::cli

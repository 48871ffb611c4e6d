// Black-box tests of `tmpctl create`: run the built program as a script would
// and check what it printed, its exit code and what is on disk.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tmpctl/tmpctl.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/base64.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::base_name;
using test::fs_path;
using test::join;
using test::list_directory;
using test::run_tmpctl;
using test::split;

#ifdef _WIN32
constexpr const char* missing_code = "(WinError 3, ERROR_PATH_NOT_FOUND)";
#else
constexpr const char* missing_code = "(errno 2, ENOENT)";
#endif

class CreateCli : public test::ScratchDirectoryTest {};

bool is_random_part(std::string_view text) {
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

TEST_F(CreateCli, PrintsOneAbsolutePathOfANewClosedFile) {
  auto result = run_tmpctl({"create", "-p", scratch()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  ASSERT_TRUE(result.out.ends_with("\n"));
  EXPECT_EQ(result.out.find('\r'), std::string::npos);  // no CRLF on Windows either
  const std::string path = result.out.substr(0, result.out.size() - 1);
  EXPECT_TRUE(fs_path(path).is_absolute());
  EXPECT_EQ(test::utf8(fs_path(path).parent_path()), scratch());
  EXPECT_TRUE(fs::is_regular_file(fs_path(path)));
  const std::string name = base_name(path);
  ASSERT_EQ(name.size(), 14u);
  EXPECT_TRUE(name.starts_with("tmp."));
  EXPECT_TRUE(is_random_part(name.substr(4)));
  // The handle is closed: the file can be removed at once, on every OS.
  EXPECT_TRUE(fs::remove(fs_path(path)));
}

TEST_F(CreateCli, DirectoryFlagCreatesADirectory) {
  auto result = run_tmpctl({"create", "-d", "--dir", scratch(), "--prefix", "work."});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split(result.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(fs::is_directory(fs_path(lines[0])));
  EXPECT_TRUE(base_name(lines[0]).starts_with("work."));
}

#ifndef _WIN32
TEST_F(CreateCli, PermissionsAreOwnerOnly) {
  auto file = run_tmpctl({"create", "-p", scratch()});
  auto dir = run_tmpctl({"create", "-d", "-p", scratch()});
  ASSERT_EQ(file.exit_code, 0);
  ASSERT_EQ(dir.exit_code, 0);
  struct stat st;
  ASSERT_EQ(::stat(split(file.out)[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(split(dir.out)[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}
#endif

TEST_F(CreateCli, TemplateAndSuffixShapeTheName) {
  auto result = run_tmpctl({"create", "-p", scratch(), "report.XXXXXX.csv"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string name = base_name(split(result.out).at(0));
  ASSERT_EQ(name.size(), 7u + 6u + 4u);
  EXPECT_TRUE(name.starts_with("report.") && name.ends_with(".csv"));
  EXPECT_TRUE(is_random_part(name.substr(7, 6)));

  auto suffixed = run_tmpctl({"create", "-p", scratch(), "--suffix", ".json"});
  ASSERT_EQ(suffixed.exit_code, 0) << suffixed.err;
  EXPECT_TRUE(base_name(split(suffixed.out).at(0)).ends_with(".json"));
}

TEST_F(CreateCli, TemplateWithADirectoryPartCreatesThere) {
  auto result = run_tmpctl({"create", join(scratch(), "in-place.XXXX")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(test::utf8(fs_path(split(result.out).at(0)).parent_path()), scratch());
}

TEST_F(CreateCli, UsesTheTemporaryDirectoryFromTheEnvironment) {
  const test::ScopedEnvironment temp_dir(test::temp_dir_variable, scratch().c_str());
  auto result = run_tmpctl({"create"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(test::utf8(fs_path(split(result.out).at(0)).parent_path()), scratch());
}

TEST_F(CreateCli, CountCreatesThatManyDistinctEntries) {
  auto result = run_tmpctl({"create", "-p", scratch(), "-n", "25"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split(result.out);
  ASSERT_EQ(lines.size(), 25u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 25u);
  for (const auto& line : lines) EXPECT_TRUE(fs::is_regular_file(fs_path(line))) << line;
  EXPECT_EQ(list_directory(scratch()).size(), 25u);
}

TEST_F(CreateCli, JsonGivesOneParsableObjectPerLine) {
  auto result = run_tmpctl({"create", "-p", scratch(), "-n", "3", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split(result.out);
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    const auto object = nlohmann::json::parse(line);
    EXPECT_EQ(object.at("kind"), "file");
    EXPECT_EQ(object.at("created"), true);
    EXPECT_TRUE(fs::is_regular_file(fs_path(object.at("path").get<std::string>())));
  }
  auto dir = run_tmpctl({"create", "-d", "-p", scratch(), "--json"});
  ASSERT_EQ(dir.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(split(dir.out).at(0)).at("kind"), "directory");
}

TEST_F(CreateCli, NullSeparatesPathsWithNul) {
  auto result = run_tmpctl({"create", "-p", scratch(), "-n", "2", "-0"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('\n'), std::string::npos);
  const auto paths = split(result.out, '\0');
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_TRUE(result.out.ends_with(std::string(1, '\0')));
  for (const auto& path : paths) EXPECT_TRUE(fs::exists(fs_path(path)));
}

TEST_F(CreateCli, DryRunPrintsAFreeNameAndCreatesNothing) {
  auto result = run_tmpctl({"create", "-u", "-p", scratch()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split(result.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(fs::exists(fs_path(lines[0])));
  EXPECT_TRUE(list_directory(scratch()).empty());

  auto json = run_tmpctl({"create", "--dry-run", "--json", "-p", scratch()});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(split(json.out).at(0)).at("created"), false);
}

TEST_F(CreateCli, MissingDirectoryNamesThePathAndTheErrorNumber) {
  const std::string missing = join(scratch(), "no-such-dir");
  auto result = run_tmpctl({"create", "-p", missing});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("cannot create file in '" + missing + "'"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(missing_code), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(fs_path(missing)));
}

TEST_F(CreateCli, QuietSuppressesTheMessageButNotTheExitCode) {
  auto result = run_tmpctl({"create", "-q", "-p", join(scratch(), "no-such-dir")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out, "");
}

TEST_F(CreateCli, DirectoryThatIsAFileFails) {
  const std::string file = join(scratch(), "plain-file");
  { std::ofstream(fs_path(file)) << "x"; }
  auto result = run_tmpctl({"create", "-p", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
#ifdef _WIN32
  EXPECT_NE(result.err.find("(WinError "), std::string::npos) << result.err;
#else
  EXPECT_NE(result.err.find("(errno 20, ENOTDIR)"), std::string::npos) << result.err;
#endif
  EXPECT_EQ(list_directory(scratch()), std::vector<std::string>{"plain-file"});
}

TEST_F(CreateCli, InvalidInputIsAUsageErrorAndCreatesNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {"create", "-p", scratch(), "--prefix", "a/b"},
      {"create", "-p", scratch(), "--suffix", "x/y"},
      {"create", "-p", scratch(), "fooXX"},
      {"create", "-p", scratch(), "--count", "0"},
      {"create", "-p", scratch(), "--prefix", "p", "tXXX"},
      {"create", "-p", scratch(), "--bogus"},
      {"create", "-p", scratch(), "--json", "-0"},
      {"no-such-command"},
      {},
  };
  for (const auto& arguments : bad) {
    auto result = run_tmpctl(arguments);
    std::string joined;
    for (const auto& a : arguments) joined += a + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "\n" << result.err;
    EXPECT_EQ(result.out, "") << joined;
    EXPECT_TRUE(result.err.starts_with("tmpctl: ")) << joined << "\n" << result.err;
  }
  EXPECT_TRUE(list_directory(scratch()).empty());

  auto few_xs = run_tmpctl({"create", "-p", scratch(), "fooXX"});
  EXPECT_NE(few_xs.err.find("too few X's in template 'fooXX'"), std::string::npos) << few_xs.err;
  auto separator = run_tmpctl({"create", "-p", scratch(), "--prefix", "a/b"});
  EXPECT_NE(separator.err.find("prefix 'a/b' contains a path separator"), std::string::npos)
      << separator.err;
  auto unknown = run_tmpctl({"create", "--bogus"});
  EXPECT_NE(unknown.err.find("tmpctl create --help"), std::string::npos) << unknown.err;
}

TEST_F(CreateCli, DryRunNamesAreDistinctEvenWhenFewAreLeft) {
  // 3 X's: 2,000 draws from 238,328 names would repeat ~8 times if unchecked.
  auto result = run_tmpctl({"create", "-u", "-n", "2000", "-p", scratch(), "XXX"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split(result.out);
  EXPECT_EQ(lines.size(), 2000u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 2000u);
}

#ifdef _WIN32
TEST_F(CreateCli, WindowsRejectsNamesItCannotHold) {
  for (const char* prefix : {"a:b", "what?", "x|y", "nul."}) {
    auto result = run_tmpctl({"create", "-p", scratch(), "--prefix", prefix});
    EXPECT_EQ(result.exit_code, 2) << prefix << ": " << result.err;
  }
  auto dot = run_tmpctl({"create", "-p", scratch(), "--suffix", "."});
  EXPECT_EQ(dot.exit_code, 2) << dot.err;
  EXPECT_NE(dot.err.find("drops from file names"), std::string::npos) << dot.err;
  auto colon = run_tmpctl({"create", "-p", scratch(), "--prefix", "a:b"});
  EXPECT_NE(colon.err.find("contains ':'"), std::string::npos) << colon.err;
  auto device = run_tmpctl({"create", "-p", scratch(), "--prefix", "nul."});
  EXPECT_NE(device.err.find("reserved device names"), std::string::npos) << device.err;
  EXPECT_TRUE(list_directory(scratch()).empty());
}
#else
// What RFC 3629 rules out is not UTF-8 even where each byte looks like part
// of a sequence: an encoded surrogate, an overlong "/", a code point above
// U+10FFFF. Each gets its exact bytes in "path_base64".
TEST_F(CreateCli, JsonKeepsTheBytesOfSurrogatesOverlongsAndCodePointsAboveTheLast) {
  for (const char* odd_bytes : {"\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80"}) {
    const std::string odd = odd_bytes;
    SCOPED_TRACE(testing::PrintToString(odd));
    const std::string dir = join(scratch(), "d-" + odd);
    fs::create_directory(fs_path(dir));
    auto result = run_tmpctl({"create", "--json", "-p", dir});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto object = nlohmann::json::parse(split(result.out).at(0));
    ASSERT_TRUE(object.contains("path_base64")) << result.out;
    const auto bytes = core::base64_decode(object.at("path_base64").get<std::string>());
    ASSERT_TRUE(bytes.has_value());
    EXPECT_TRUE(bytes->starts_with(dir + "/tmp.")) << *bytes;
    EXPECT_TRUE(fs::is_regular_file(fs_path(*bytes)));
  }
}

TEST_F(CreateCli, JsonKeepsTheExactBytesOfANonUtf8Path) {
  const std::string odd = join(scratch(), "bad-\xff-name");
  fs::create_directory(fs_path(odd));
  auto result = run_tmpctl({"create", "--json", "-p", odd});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto object = nlohmann::json::parse(split(result.out).at(0));  // parses: valid JSON
  ASSERT_TRUE(object.contains("path_base64")) << result.out;
  const std::string shown = object.at("path");
  EXPECT_NE(shown.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD for people
  // Decode the base64 by hand and check it names the real file.
  const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : object.at("path_base64").get<std::string>()) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<std::uint32_t>(digits.find(c));
    if ((count += 6) >= 8) bytes.push_back(static_cast<char>(bits >> (count -= 8) & 0xFF));
  }
  EXPECT_TRUE(bytes.starts_with(odd + "/tmp.")) << bytes;
  EXPECT_TRUE(fs::is_regular_file(fs_path(bytes)));

  auto plain = run_tmpctl({"create", "--json", "-p", scratch()});
  EXPECT_FALSE(nlohmann::json::parse(split(plain.out).at(0)).contains("path_base64"));
}
#endif

TEST_F(CreateCli, NonAsciiPrefixRoundTrips) {
  const std::string prefix = "d\xC3\xA9j\xC3\xA0-\xE2\x82\xAC-\xE6\x97\xA5.";  // "déjà-€-日."
  auto result = run_tmpctl({"create", "-p", scratch(), "--prefix", prefix});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string path = split(result.out).at(0);
  EXPECT_TRUE(base_name(path).starts_with(prefix)) << path;
  EXPECT_TRUE(fs::is_regular_file(fs_path(path)));
  const auto names = list_directory(scratch());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].starts_with(prefix));
}

TEST_F(CreateCli, HelpExplainsTheClosedHandleExitCodesAndExamples) {
  auto result = run_tmpctl({"create", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("nothing is left open"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Exit status:"), std::string::npos);
  EXPECT_NE(result.out.find("Examples:"), std::string::npos);
  EXPECT_NE(result.out.find("UNSAFE"), std::string::npos);

  auto version = run_tmpctl({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, std::string("tmpctl ") + TMPCTL_VERSION + "\n");
}

// Many processes creating in one directory at once, with a short template so
// that names collide often: none may fail, no two may get the same name.
TEST_F(CreateCli, ConcurrentProcessesNeverCollideOrFail) {
  constexpr int processes = 8;
  constexpr int per_process = 250;
  std::vector<test::ChildProcess> children;
  for (int i = 0; i < processes; ++i)
    children.push_back(test::ChildProcess::start(
        {test::tmpctl_path(), "create", "-p", scratch(), "-n", std::to_string(per_process), "XXX"},
        join(scratch(), "out." + std::to_string(i)), join(scratch(), "err." + std::to_string(i))));
  std::set<std::string> paths;
  for (int i = 0; i < processes; ++i) {
    EXPECT_EQ(children[static_cast<std::size_t>(i)].wait(), 0)
        << test::read_file(join(scratch(), "err." + std::to_string(i)));
    for (const auto& line : split(test::read_file(join(scratch(), "out." + std::to_string(i)))))
      paths.insert(line);
  }
  EXPECT_EQ(paths.size(), static_cast<std::size_t>(processes * per_process));
  // The created files plus the 2 capture files per process.
  EXPECT_EQ(list_directory(scratch()).size(),
            static_cast<std::size_t>(processes * per_process + 2 * processes));
}

#ifndef _WIN32
TEST_F(CreateCli, OutputThatCannotBeWrittenRemovesWhatWasCreated) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  auto result = run_tmpctl({"create", "-p", scratch(), "-n", "3"}, "/dev/full");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot write to standard output"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ENOSPC"), std::string::npos) << result.err;
  EXPECT_TRUE(list_directory(scratch()).empty());
}

TEST_F(CreateCli, UnwritableDirectoryIsPermissionDenied) {
  std::vector<std::string> prefix_command;
  if (::geteuid() == 0) {
    // root writes anywhere; run tmpctl as nobody to meet a real EACCES.
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "running as root without setpriv";
    prefix_command = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  }
  const std::string locked = join(scratch(), "locked");
  fs::create_directory(fs_path(locked));
  fs::permissions(fs_path(locked),
                  fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                      fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);
  std::vector<std::string> command = prefix_command;
  command.push_back(test::tmpctl_path());
  command.insert(command.end(), {"create", "-p", locked});
  auto result = test::run_process(command);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot create file in '" + locked + "': "), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("(errno 13, EACCES)"), std::string::npos) << result.err;
  EXPECT_TRUE(list_directory(locked).empty());
  fs::permissions(fs_path(locked), fs::perms::owner_all, fs::perm_options::replace);
}
#endif

}  // namespace
}  // namespace tmpctl

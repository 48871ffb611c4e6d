// `tmpctl create` as a drop-in GNU mktemp (issue 14): the cases of GNU
// coreutils' tests/mktemp/ (mktemp.pl, mktemp-misc.sh, bad-unicode.sh,
// write-error.sh) and of uutils' tests/by-util/test_mktemp.rs, each named
// after the upstream file and case it comes from, written here as tests of
// what a script sees: the exit status, the printed path, what exists
// afterwards and the nature of the message.
//
// One deliberate difference is kept and asserted: the printed path is
// absolute (GNU prints the template's own spelling, "./a/bZZZZ"). Usage
// errors exit with 2 where GNU exits with 1 (tmpctl's documented codes).
//
// Every case runs in its own scratch directory: `cwd` is the current
// directory of tmpctl, `tmp` the temporary directory the environment names
// ($TMPDIR; %TMP% on Windows). Nothing is ever created anywhere else.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <memory>
#include <filesystem>
#include <map>
#include <optional>

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
using test::contains;
using test::fs_path;
using test::join;
using test::list_directory;

/// What a case expects.
enum class Outcome {
  file,         ///< a new file, mode 0600, at the printed path
  directory,    ///< a new directory, mode 0700
  dry_run,      ///< a free name printed, nothing created
  usage_error,  ///< exit 2, a message, nothing created
  failure,      ///< exit 1 (the OS refused), a message, nothing created
};

struct Case {
  /// Upstream file and case, e.g. "mktemp.pl suffix2f".
  const char* upstream;
  /// tmpctl create's arguments. "{tmp}" and "{cwd}" stand for those directories.
  std::vector<std::string> args;
  Outcome outcome;
  /// Success: where the entry goes, relative to the scratch directory
  /// ("cwd", "tmp", "cwd/a"), and the shape of its name: '?' is one random
  /// character, everything else itself. Failure: text the message contains.
  std::string where_or_message = {};
  std::string shape = {};
  /// The temporary directory variable: nullopt keeps {tmp}; a value replaces
  /// it ("." and relative paths are taken from {cwd}; "{tmp}" is {tmp}), ""
  /// unsets it.
  std::optional<std::string> temp_variable = std::nullopt;
  /// Directories made in {cwd} before the run.
  std::vector<std::string> make_directories = {};
};

// For gtest's test names and messages: the upstream case.
void PrintTo(const Case& c, std::ostream* out) { *out << c.upstream; }

// GNU's cases name TMPDIR; on Windows the same role is played by %TMP% (and
// %TEMP% after it, which an "unset" case clears too).
void set_temp_variable(std::vector<std::unique_ptr<test::ScopedEnvironment>>& scopes,
                       const char* value) {
  scopes.push_back(std::make_unique<test::ScopedEnvironment>(test::temp_dir_variable, value));
#ifdef _WIN32
  scopes.push_back(std::make_unique<test::ScopedEnvironment>("TEMP", value));
#endif
}

/// The working directory of this process for one scope: tmpctl inherits it.
class ScopedCurrentDirectory {
public:
  explicit ScopedCurrentDirectory(const fs::path& directory) : previous_(fs::current_path()) {
    fs::current_path(directory);
  }
  ~ScopedCurrentDirectory() { fs::current_path(previous_); }

private:
  fs::path previous_;
};

#ifndef _WIN32
// A program's path from $PATH (run_process does not search it), or "".
std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const std::string& dir : test::split(path ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}
#endif

bool matches_shape(const std::string& name, const std::string& shape) {
  if (name.size() != shape.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (shape[i] == '?') {
      if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
    } else if (name[i] != shape[i]) {
      return false;
    }
  }
  return true;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

class MktempCompat : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    test::ScratchDirectoryTest::SetUp();
    cwd_ = join(scratch(), "cwd");
    tmp_ = join(scratch(), "tmp");
    io_ = join(scratch(), "io");
    for (const auto& dir : {cwd_, tmp_, io_}) fs::create_directory(fs_path(dir));
  }

  struct Run {
    int exit_code;
    std::string out;
    std::string err;
  };

  /// Runs tmpctl in {cwd} with the temporary directory variable as given.
  Run run(std::vector<std::string> args, std::optional<std::string> temp_variable = std::nullopt,
          const std::string& stdout_path = "") {
    std::vector<std::unique_ptr<test::ScopedEnvironment>> scopes;
    if (!temp_variable) {
      set_temp_variable(scopes, tmp_.c_str());
    } else if (temp_variable->empty()) {
      set_temp_variable(scopes, nullptr);
    } else {
      const std::string value = replace_all(*temp_variable, "{tmp}", tmp_);
      set_temp_variable(scopes, value.c_str());
    }
    args.insert(args.begin(), "create");
    for (auto& arg : args) arg = replace_all(replace_all(arg, "{tmp}", tmp_), "{cwd}", cwd_);
    const std::string out = stdout_path.empty() ? join(io_, "out") : stdout_path;
    const std::string err = join(io_, "err");
    test::ProcessResult result;
    {
      ScopedCurrentDirectory in(fs_path(cwd_));
      result = test::run_tmpctl(args, out, err);
    }
    return {result.exit_code, stdout_path.empty() ? test::read_file(out) : std::string(),
            test::read_file(err)};
  }

  /// Every entry below {cwd} and {tmp}, as paths relative to the scratch directory.
  std::vector<std::string> entries() const {
    std::vector<std::string> found;
    for (const auto& top : {cwd_, tmp_})
      for (const auto& entry : fs::recursive_directory_iterator(fs_path(top)))
        found.push_back(test::utf8(entry.path().lexically_relative(fs_path(scratch()))));
    std::sort(found.begin(), found.end());
    return found;
  }

  void check(const Case& c) {
    SCOPED_TRACE(c.upstream);
    for (const auto& dir : c.make_directories) fs::create_directories(fs_path(join(cwd_, dir)));
    const auto before = entries();
    const Run result = run(c.args, c.temp_variable);

    if (c.outcome == Outcome::usage_error || c.outcome == Outcome::failure) {
      EXPECT_EQ(result.exit_code, c.outcome == Outcome::usage_error ? 2 : 1) << result.err;
      EXPECT_EQ(result.out, "");
      if (c.where_or_message.empty())
        EXPECT_EQ(result.err, "") << "-q: no message";
      else
        EXPECT_TRUE(contains(result.err, c.where_or_message)) << result.err;
      EXPECT_EQ(entries(), before) << "nothing may be created or removed";
      return;
    }
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    ASSERT_TRUE(result.out.ends_with("\n")) << result.out;
    const std::string path = result.out.substr(0, result.out.size() - 1);
    const fs::path printed = fs_path(path);
    EXPECT_TRUE(printed.is_absolute()) << path;  // the one kept difference
    fs::path expected_dir = fs_path(scratch());
    for (const std::string& part : test::split(c.where_or_message, '/')) expected_dir /= part;
    expected_dir = fs::weakly_canonical(expected_dir);
    EXPECT_EQ(fs::weakly_canonical(printed.parent_path()), expected_dir) << path;
    EXPECT_TRUE(matches_shape(base_name(path), c.shape)) << base_name(path) << " !~ " << c.shape;
    switch (c.outcome) {
      case Outcome::file:
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(printed))) << path;
        break;
      case Outcome::directory:
        EXPECT_TRUE(fs::is_directory(fs::symlink_status(printed))) << path;
        break;
      default:
        EXPECT_FALSE(test::exists(path)) << "a dry run created " << path;
        EXPECT_EQ(entries(), before);
        break;
    }
#ifndef _WIN32
    if (c.outcome == Outcome::file || c.outcome == Outcome::directory) {
      struct stat st {};
      ASSERT_EQ(::lstat(path.c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07777, c.outcome == Outcome::file ? 0600u : 0700u);
    }
#endif
  }

  std::string cwd_;
  std::string tmp_;
  std::string io_;
};

class MktempCases : public MktempCompat, public ::testing::WithParamInterface<Case> {};

TEST_P(MktempCases, BehavesAsGnuMktemp) { check(GetParam()); }

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name;
  for (char c : std::string(info.param.upstream))
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

#ifdef _WIN32
constexpr const char* missing_code = "(WinError 3, ERROR_PATH_NOT_FOUND)";
#else
constexpr const char* missing_code = "(errno 2, ENOENT)";
#endif

const std::string no_such_dir =
    std::string("no") + test::separator + "such" + test::separator + "dir";

// GNU coreutils tests/mktemp/mktemp.pl: every case. The error texts are the
// parts of GNU's messages a script author would search for.
INSTANTIATE_TEST_SUITE_P(
    GnuMktempPl, MktempCases,
    ::testing::Values(
        Case{"mktemp.pl too-many", {"-q", "a", "b"}, Outcome::usage_error, "too many templates"},
        Case{"mktemp.pl too-few-x",
             {"-q", "foo.XX"},
             Outcome::usage_error,
             "too few X's in template 'foo.XX'"},
        Case{"mktemp.pl 1f", {"bar.XXXX"}, Outcome::file, "cwd", "bar.????"},
        Case{"mktemp.pl 2f", {"--", "-XXXX"}, Outcome::file, "cwd", "-????"},
        Case{"mktemp.pl 1d", {"-d", "f.XXXX"}, Outcome::directory, "cwd", "f.????"},
        Case{"mktemp.pl 1d-allX",
             {"-d", "XXXX"},
             Outcome::directory,
             "cwd",
             "????",
             std::nullopt,
             {"XXXX"}},
        Case{"mktemp.pl uf", {"-u", "f.XXXX"}, Outcome::dry_run, "cwd", "f.????"},
        Case{"mktemp.pl ud", {"-d", "--dry-run", "d.XXXX"}, Outcome::dry_run, "cwd", "d.????"},
        Case{"mktemp.pl invalid-tl",
             {"-t", "a/bXXXX"},
             Outcome::usage_error,
             "invalid template, 'a/bXXXX', contains directory separator"},
        Case{"mktemp.pl invalid-t2",
             {"--tmpdir=a", "/bXXXX"},
             Outcome::usage_error,
             "invalid template, '/bXXXX'; with --tmpdir, it may not be absolute"},
        Case{"mktemp.pl suffix1f", {"aXXXXb"}, Outcome::file, "cwd", "a????b"},
        Case{"mktemp.pl suffix1d", {"-d", "aXXXXb"}, Outcome::directory, "cwd", "a????b"},
        Case{"mktemp.pl suffix1u", {"-u", "aXXXXb"}, Outcome::dry_run, "cwd", "a????b"},
        Case{"mktemp.pl suffix2f", {"aXXXXaaXXXXa"}, Outcome::file, "cwd", "aXXXXaa????a"},
        Case{"mktemp.pl suffix2d",
             {"-d", "--suffix=", "aXXXXaaXXXX"},
             Outcome::directory,
             "cwd",
             "aXXXXaa????"},
        Case{"mktemp.pl suffix3f", {"--suffix=b", "aXXXX"}, Outcome::file, "cwd", "a????b"},
        Case{"mktemp.pl suffix4f", {"--suffix=X", "aXXXX"}, Outcome::file, "cwd", "a????X"},
        Case{"mktemp.pl suffix5f",
             {"--suffix", "/b", "aXXXX"},
             Outcome::usage_error,
             "invalid suffix '/b', contains directory separator"},
        Case{"mktemp.pl suffix6f",
             {"aXXXX/b"},
             Outcome::usage_error,
             "invalid suffix '/b', contains directory separator"},
        Case{"mktemp.pl suffix7f",
             {"--suffix=", "aXXXXb"},
             Outcome::usage_error,
             "with --suffix, template 'aXXXXb' must end in X"},
        Case{"mktemp.pl suffix7d",
             {"-d", "--suffix=aXXXXb", ""},
             Outcome::usage_error,
             "with --suffix, template '' must end in X"},
        Case{"mktemp.pl suffix8f", {"aXXXX", "--suffix=b"}, Outcome::file, "cwd", "a????b"},
        Case{"mktemp.pl suffix10f",
             {"aXXb"},
             Outcome::usage_error,
             "too few X's in template 'aXXb'"},
        Case{"mktemp.pl suffix10d",
             {"-d", "--suffix=X", "aXX"},
             Outcome::usage_error,
             "too few X's in template 'aXX'"},
        Case{"mktemp.pl suffix11f",
             {"--suffix=.txt"},
             Outcome::file,
             "cwd",
             "tmp.??????????.txt",
             "."},
        Case{"mktemp.pl tmp-w-slash1",
             {"--tmpdir=.", "a/bXXXX"},
             Outcome::file,
             "cwd/a",
             "b????",
             std::nullopt,
             {"a"}},
        Case{"mktemp.pl tmp-w-slash2",
             {"--tmpdir=.", "-d", "a/bXXXX"},
             Outcome::directory,
             "cwd/a",
             "b????",
             std::nullopt,
             {"a"}},
        Case{"mktemp.pl priority-t-tmpdir",
             {"-t", "-p", "no/such/dir", "foo.XXX"},
             Outcome::file,
             "cwd",
             "foo.???",
             "."},
        Case{"mktemp.pl pipe-bad-tmpdir", {}, Outcome::failure, no_such_dir, "", "no/such/dir"},
        Case{"mktemp.pl pipe-bad-tmpdir-u",
             {"-u"},
             Outcome::dry_run,
             "cwd/no/such/dir",
             "tmp.??????????",
             "no/such/dir"}),
    case_name);

// uutils coreutils tests/by-util/test_mktemp.rs. Its eight templates, run
// plain, with -t, -d, -u, --suffix suf and -p DIR (test_mktemp_mktemp,
// _mktemp_t, _make_temp_dir, _dry_run, _suffix, _tmpdir).
struct Template {
  const char* text;
  const char* shape;  // nullptr: refused
  const char* with_suffix_shape;
};
constexpr Template uutils_templates[] = {
    {"tempXXXXXX", "temp??????", "temp??????suf"},
    {"temp", nullptr, nullptr},
    {"tempX", nullptr, nullptr},
    {"tempXX", nullptr, nullptr},
    {"tempXXX", "temp???", "temp???suf"},
    {"tempXXXlate", "temp???late", nullptr},
    {"XXXtemplate", "???template", nullptr},
    {"tempXXXl/ate", nullptr, nullptr},
};

// How each of those upstream tests runs a template: its options, what it
// makes and where.
struct Variant {
  const char* test;
  std::vector<std::string> options;
  Outcome outcome;
  const char* where;
  bool with_suffix;  // --suffix suf: the template must end in X
};

std::vector<Case> uutils_template_cases() {
  const Variant variants[] = {
      {"test_mktemp_mktemp", {}, Outcome::file, "cwd", false},
      {"test_mktemp_mktemp_t", {"-t"}, Outcome::file, "tmp", false},
      {"test_mktemp_make_temp_dir", {"-d"}, Outcome::directory, "cwd", false},
      {"test_mktemp_dry_run", {"-u"}, Outcome::dry_run, "cwd", false},
      {"test_mktemp_suffix", {"--suffix", "suf"}, Outcome::file, "cwd", true},
      {"test_mktemp_tmpdir", {"-p", "{tmp}"}, Outcome::file, "tmp", false},
  };
  std::vector<Case> cases;
  static std::deque<std::string> names;  // Case keeps const char*: they must stay put
  int index = 1;
  for (const Template& t : uutils_templates) {
    const std::string text = t.text;
    const std::string n = std::to_string(index++);
    for (const Variant& v : variants) {
      Case c{names.emplace_back(std::string("test_mktemp.rs ") + v.test + " TEMPLATE" + n).c_str(),
             v.options, v.outcome, v.where};
      c.args.push_back(text);
      if (const char* shape = v.with_suffix ? t.with_suffix_shape : t.shape) {
        c.shape = shape;
      } else {
        // Refused, for GNU's first reason: with --suffix, no final X; then a
        // separator after the last X; then too few X's.
        c.outcome = Outcome::usage_error;
        if (v.with_suffix && !text.ends_with('X'))
          c.where_or_message = "must end in X";
        else if (text.find('/') != std::string::npos)
          c.where_or_message = "invalid suffix";
        else
          c.where_or_message = "too few X's";
      }
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(UutilsTemplates, MktempCases, ::testing::ValuesIn(uutils_template_cases()),
                         case_name);

// uutils coreutils tests/by-util/test_mktemp.rs: its other cases.
INSTANTIATE_TEST_SUITE_P(
    UutilsMktempRs, MktempCases,
    ::testing::Values(
        Case{"test_mktemp.rs test_mktemp_quiet",
             {"-p", "{cwd}/definitely/not/exist", "-q"},
             Outcome::failure,
             ""},
        Case{"test_mktemp.rs test_mktemp_quiet -d",
             {"-d", "-p", "{cwd}/definitely/not", "-q"},
             Outcome::failure,
             ""},
        Case{"test_mktemp.rs test_mktemp_empty_tmpdir -p ''",
             {"-p", ""},
             Outcome::file,
             "tmp",
             "tmp.??????????"},
        Case{"test_mktemp.rs test_mktemp_empty_tmpdir --tmpdir=",
             {"--tmpdir="},
             Outcome::file,
             "tmp",
             "tmp.??????????"},
        Case{"test_mktemp.rs test_mktemp_tmpdir_one_arg",
             {"--tmpdir", "apt-key-gpghome.XXXXXXXXXX"},
             Outcome::file,
             "tmp",
             "apt-key-gpghome.??????????"},
        Case{"test_mktemp.rs test_mktemp_directory_tmpdir",
             {"--directory", "--tmpdir", "apt-key-gpghome.XXXXXXXXXX"},
             Outcome::directory,
             "tmp",
             "apt-key-gpghome.??????????"},
        Case{"test_mktemp.rs test_tmpdir_template_has_subdirectory",
             {"--tmpdir=.", "a/bXXXX"},
             Outcome::file,
             "cwd/a",
             "b????",
             std::nullopt,
             {"a"}},
        Case{"test_mktemp.rs test_tmpdir_absolute_path",
             {"--tmpdir=a", "/XXX"},
             Outcome::usage_error,
             "with --tmpdir, it may not be absolute"},
        Case{"test_mktemp.rs test_respect_template", {"XXX"}, Outcome::file, "cwd", "???"},
        Case{"test_mktemp.rs test_respect_template_directory",
             {"d/XXX"},
             Outcome::file,
             "cwd/d",
             "???",
             std::nullopt,
             {"d"}},
        Case{"test_mktemp.rs test_directory_permissions",
             {"-d", "XXX"},
             Outcome::directory,
             "cwd",
             "???"},
        Case{"test_mktemp.rs test_template_path_separator",
             {"-t", "a/bXXX"},
             Outcome::usage_error,
             "invalid template, 'a/bXXX', contains directory separator"},
        Case{"test_mktemp.rs test_prefix_template_separator",
             {"-p", ".", "-t", "a.XXXX"},
             Outcome::file,
             "cwd",
             "a.????",
             ""},
        Case{"test_mktemp.rs test_prefix_template_with_path_separator",
             {"-t", "a/XXX"},
             Outcome::usage_error,
             "contains directory separator"},
        Case{"test_mktemp.rs test_suffix_path_separator aXXX/b",
             {"aXXX/b"},
             Outcome::usage_error,
             "invalid suffix '/b', contains directory separator"},
        Case{"test_mktemp.rs test_suffix_path_separator XXX/..",
             {"XXX/.."},
             Outcome::usage_error,
             "invalid suffix '/..', contains directory separator"},
        Case{"test_mktemp.rs test_too_few_xs_suffix",
             {"--suffix=X", "aXX"},
             Outcome::usage_error,
             "too few X's in template 'aXX'"},
        Case{"test_mktemp.rs test_too_few_xs_suffix_directory",
             {"-d", "--suffix=X", "aXX"},
             Outcome::usage_error,
             "too few X's in template 'aXX'"},
        Case{"test_mktemp.rs test_too_many_arguments",
             {"-q", "a", "b"},
             Outcome::usage_error,
             "too many templates"},
        Case{"test_mktemp.rs test_two_contiguous_wildcard_blocks",
             {"XXX_XXX"},
             Outcome::file,
             "cwd",
             "XXX_???"},
        Case{"test_mktemp.rs test_three_contiguous_wildcard_blocks",
             {"XXX_XXX_XXX"},
             Outcome::file,
             "cwd",
             "XXX_XXX_???"},
        Case{"test_mktemp.rs test_suffix_must_end_in_x",
             {"--suffix=", "aXXXb"},
             Outcome::usage_error,
             "with --suffix, template 'aXXXb' must end in X"},
        Case{"test_mktemp.rs test_suffix_empty_template",
             {"--suffix=aXXXb", ""},
             Outcome::usage_error,
             "with --suffix, template '' must end in X"},
        Case{"test_mktemp.rs test_suffix_empty_template -d",
             {"-d", "--suffix=aXXXb", ""},
             Outcome::usage_error,
             "with --suffix, template '' must end in X"},
        Case{"test_mktemp.rs test_tmpdir_env_var", {}, Outcome::file, "cwd", "tmp.??????????", "."},
        Case{"test_mktemp.rs test_tmpdir_env_var --tmpdir",
             {"--tmpdir"},
             Outcome::file,
             "cwd",
             "tmp.??????????",
             "."},
        Case{"test_mktemp.rs test_tmpdir_env_var --tmpdir XXX",
             {"--tmpdir", "XXX"},
             Outcome::file,
             "cwd",
             "???",
             "."},
        Case{"test_mktemp.rs test_tmpdir_env_var XXX",
             {"XXX"},
             Outcome::file,
             "cwd",
             "???",
             "{tmp}"},
        Case{"test_mktemp.rs test_nonexistent_tmpdir_env_var",
             {},
             Outcome::failure,
             no_such_dir,
             "",
             "no/such/dir"},
        Case{"test_mktemp.rs test_nonexistent_tmpdir_env_var -d",
             {"-d"},
             Outcome::failure,
             no_such_dir,
             "",
             "no/such/dir"},
        Case{"test_mktemp.rs test_nonexistent_dir_prefix",
             {"d/XXX"},
             Outcome::failure,
             missing_code},
        Case{"test_mktemp.rs test_nonexistent_dir_prefix -d",
             {"-d", "d/XXX"},
             Outcome::failure,
             missing_code},
        Case{"test_mktemp.rs test_default_missing_value",
             {"-d", "--tmpdir"},
             Outcome::directory,
             "tmp",
             "tmp.??????????"},
        Case{"test_mktemp.rs test_default_issue_4821_t_tmpdir",
             {"-t", "foo.XXXX"},
             Outcome::file,
             "tmp",
             "foo.????"},
        Case{"test_mktemp.rs test_default_issue_4821_t_tmpdir_p",
             {"-t", "-p", "{tmp}", "foo.XXXX"},
             Outcome::file,
             "tmp",
             "foo.????",
             ""},
        Case{"test_mktemp.rs test_t_ensure_tmpdir_has_higher_priority_than_p",
             {"-t", "-p", "should_not_attempt_to_write_in_this_nonexisting_dir", "foo.XXXX"},
             Outcome::file,
             "tmp",
             "foo.????"},
        Case{"test_mktemp.rs test_missing_xs_tmpdir_template",
             {"--tmpdir", "tempX"},
             Outcome::usage_error,
             "too few X's in template"},
        Case{"test_mktemp.rs test_missing_xs_tmpdir_template --tmpdir=foobar",
             {"--tmpdir=foobar"},
             Outcome::failure,
             "foobar"},
        Case{"test_mktemp.rs test_both_tmpdir_flags_present -p --tmpdir",
             {"-p", "nonsense", "--tmpdir", "foobarXXXX"},
             Outcome::file,
             "cwd",
             "foobar????",
             "."},
        Case{"test_mktemp.rs test_both_tmpdir_flags_present -p --tmpdir=",
             {"-p", ".", "--tmpdir=does_not_exist"},
             Outcome::failure,
             "does_not_exist"},
        Case{"test_mktemp.rs test_both_tmpdir_flags_present --tmpdir -p",
             {"--tmpdir", "foobarXXXX", "-p", "."},
             Outcome::file,
             "cwd",
             "foobar????"},
        Case{"test_mktemp.rs test_missing_short_tmpdir_flag",
             {"-p"},
             Outcome::usage_error,
             "required DIR missing"}),
    case_name);

// mktemp.pl suffix9f and test_mktemp.rs test_mktemp_with_posixly_correct:
// with POSIXLY_CORRECT, options end at the first operand.
TEST_F(MktempCompat, PosixlyCorrectEndsOptionsAtTheTemplate) {
  test::ScopedEnvironment posix("POSIXLY_CORRECT", "1");
  auto late = run({"aXXXX", "--suffix=b"});
  EXPECT_EQ(late.exit_code, 2);
  EXPECT_TRUE(contains(late.err, "too many templates")) << late.err;
  EXPECT_TRUE(list_directory(cwd_).empty());
  auto early = run({"--suffix=b", "aXXXX"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_TRUE(matches_shape(base_name(early.out.substr(0, early.out.size() - 1)), "a????b"));
}

// -q silences the failure to create, never a usage error (test_mktemp_quiet
// above: no output at all; mktemp.pl too-few-x: the message despite -q).
TEST_F(MktempCompat, QuietSilencesOnlyCreationFailures) {
  auto missing = run({"-q", "-p", join(cwd_, "missing")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "");
  auto usage = run({"-q", "foo.XX"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_TRUE(contains(usage.err, "too few X's")) << usage.err;
  auto ttl = run({"-q", "--ttl", "soon"});
  EXPECT_EQ(ttl.exit_code, 2);
  EXPECT_NE(ttl.err, "");
}

// mktemp-misc.sh: names do not depend on the address layout alone (two runs
// with ASLR off differ) ...
TEST_F(MktempCompat, NamesDifferBetweenRunsEvenWithoutAddressRandomisation) {
  std::vector<std::string> prefix;
#ifndef _WIN32
  const std::string setarch = find_program("setarch");
  if (!setarch.empty() &&
      test::run_process({setarch, "-R", "/bin/true"}, join(io_, "o"), join(io_, "e")).exit_code ==
          0)
    prefix = {setarch, "-R"};
#endif
  auto name = [&] {
    std::vector<std::string> command = prefix;
    command.push_back(test::tmpctl_path());
    for (const char* arg : {"create", "-u", "-p", "{tmp}", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"})
      command.push_back(replace_all(arg, "{tmp}", tmp_));
    auto result = test::run_process(command, join(io_, "out"), join(io_, "err"));
    EXPECT_EQ(result.exit_code, 0) << test::read_file(join(io_, "err"));
    return test::read_file(join(io_, "out"));
  };
  const std::string first = name();
  EXPECT_NE(first, "");
  EXPECT_NE(first, name());
}

#ifdef __linux__
// ... and do not depend on getrandom: where it fails with ENOSYS (an old
// kernel) or EPERM (an old seccomp profile), /dev/urandom is read instead.
TEST_F(MktempCompat, WorksWhereGetrandomIsUnavailable) {
  const std::string out = join(io_, "strace-out");
  const std::string err = join(io_, "strace-err");
  const std::string strace = find_program("strace");
  if (strace.empty())
    GTEST_SKIP() << "strace is not installed (the README's quick start installs it)";
  if (test::run_process(
          {strace, "-o", "/dev/null", "-e", "inject=getrandom:error=ENOSYS", "/bin/true"}, out, err)
          .exit_code != 0)
    GTEST_SKIP() << "strace cannot inject system call errors here: " << test::read_file(err);
  for (const char* error : {"ENOSYS", "EPERM"}) {
    for (const char* kind : {"-u", "-d", "--count=3"}) {
      SCOPED_TRACE(std::string(error) + " " + kind);
      const std::string trace = join(io_, "trace");
      auto result = test::run_process({strace, "-f", "-o", trace, "-e", "trace=getrandom,openat",
                                       "-e", std::string("inject=getrandom:error=") + error,
                                       test::tmpctl_path(), "create", kind, "-p", tmp_},
                                      out, err);
      const std::string printed = test::read_file(out);
      ASSERT_EQ(result.exit_code, 0) << test::read_file(err);
      EXPECT_FALSE(printed.empty());
      EXPECT_TRUE(contains(test::read_file(trace), "/dev/urandom")) << test::read_file(trace);
      for (const auto& line : test::split(printed))
        EXPECT_TRUE(matches_shape(base_name(line), "tmp.??????????")) << line;
    }
  }
}
#endif

#ifndef _WIN32
// bad-unicode.sh: bytes that are not UTF-8 in --suffix, in --tmpdir's DIR,
// in $TMPDIR and in -t's TEMPLATE are taken as they are (GNU; uutils'
// test_non_utf8_template refuses them, GNU does not, and tmpctl follows GNU).
TEST_F(MktempCompat, BytesThatAreNotUtf8AreTakenAsTheyAre) {
  const std::string bad = "\xff\xfe";
  auto file1 = run({"--tmpdir=.", "--suffix=" + bad});
  ASSERT_EQ(file1.exit_code, 0) << file1.err;
  const std::string path1 = file1.out.substr(0, file1.out.size() - 1);
  EXPECT_TRUE(path1.ends_with(bad));
  EXPECT_TRUE(fs::is_regular_file(fs_path(path1)));
  auto dir1 = run({"--tmpdir=.", "-d", "--suffix=" + bad});
  ASSERT_EQ(dir1.exit_code, 0) << dir1.err;
  const std::string d = dir1.out.substr(0, dir1.out.size() - 1);
  ASSERT_TRUE(fs::is_directory(fs_path(d)));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--tmpdir=" + d}, {"-d", "--tmpdir=" + d}}) {
    auto r = run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(fs_path(r.out.substr(0, r.out.size() - 1)).parent_path(), fs_path(d));
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{}, {"-d"}}) {
    auto r = run(args, d);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(fs_path(r.out.substr(0, r.out.size() - 1)).parent_path(), fs_path(d));
  }
  for (const auto& args : std::vector<std::vector<std::string>>{{"-t", bad + "XXXXXX"},
                                                                {"-d", "-t", bad + "XXXXXX"}}) {
    auto r = run(args, ".");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(base_name(r.out.substr(0, r.out.size() - 1)).starts_with(bad));
  }
  // uutils' test_non_utf8_template, with GNU's answer.
  auto tmpl = run({"test_\xff\xfe_XXXXXX"});
  EXPECT_EQ(tmpl.exit_code, 0) << tmpl.err;
}

// write-error.sh: when the name cannot be written, nothing is left behind.
TEST_F(MktempCompat, APathThatCannotBeWrittenLeavesNothing) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  fs::create_directories(fs_path(join(cwd_, "a/b")));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-p", "a/b"}, {"-p", "a/b", "-d"}}) {
    auto r = run(args, std::nullopt, "/dev/full");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(list_directory(join(cwd_, "a/b")).empty());
  }
}
#else
// write-error.sh, on Windows: a pipe nobody reads instead of /dev/full.
TEST_F(MktempCompat, APathThatCannotBeWrittenLeavesNothing) {
  fs::create_directories(fs_path(join(cwd_, "a\\b")));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-p", "a\\b"}, {"-p", "a\\b", "-d"}}) {
    auto r = run(args, std::nullopt, test::broken_pipe);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(list_directory(join(cwd_, "a\\b")).empty());
  }
}
#endif

}  // namespace
}  // namespace tmpctl

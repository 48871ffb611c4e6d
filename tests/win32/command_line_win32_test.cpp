// tmpctl splits its command line itself (win32::split_command_line), so that
// no start of tmpctl loads shell32.dll and user32.dll. It must split exactly
// as CommandLineToArgvW does: compared here with the real one, on the
// documented cases and on random lines, and against quoted_argument, which
// builds the command lines tmpctl starts other programs with.

#include <windows.h>
#include <shellapi.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "platform/win32/win32_util.hpp"

namespace tmpctl {
namespace {

using platform::win32::quoted_argument;
using platform::win32::split_command_line;

std::vector<std::wstring> shell_split(const std::wstring& line) {
  int count = 0;
  wchar_t** arguments = CommandLineToArgvW(line.c_str(), &count);
  if (arguments == nullptr) return {L"<CommandLineToArgvW failed>"};
  std::vector<std::wstring> split(arguments, arguments + count);
  LocalFree(arguments);
  return split;
}

std::string printable(const std::wstring& line) {
  std::string text;
  for (const wchar_t c : line) text += c < 0x80 ? static_cast<char>(c) : '?';
  return "[" + text + "]";
}

// The examples of Microsoft's "Parsing C++ command-line arguments", whose
// rules CommandLineToArgvW follows, after a program name.
TEST(CommandLine, TheDocumentedExamplesSplitAsDocumented) {
  const std::vector<std::pair<std::wstring, std::vector<std::wstring>>> cases = {
      {LR"(prog "abc" d e)", {L"prog", L"abc", L"d", L"e"}},
      {LR"(prog a\\\b d"e f"g h)", {L"prog", LR"(a\\\b)", L"de fg", L"h"}},
      {LR"(prog a\\\"b c d)", {L"prog", LR"(a\"b)", L"c", L"d"}},
      {LR"(prog a\\\\"b c" d e)", {L"prog", LR"(a\\b c)", L"d", L"e"}},
      {LR"("C:\Program Files\x.exe" --dir "" -n 2)",
       {LR"(C:\Program Files\x.exe)", L"--dir", std::wstring(), L"-n", L"2"}},
      {L"prog\t a \t", {L"prog", L"a"}},
  };
  for (const auto& [line, expected] : cases) {
    EXPECT_EQ(split_command_line(line), expected) << printable(line);
    EXPECT_EQ(shell_split(line), expected) << printable(line);
  }
}

// Random lines of the characters that matter (blanks, quotes, backslashes)
// and some that do not: the two splitters agree on every one.
TEST(CommandLine, RandomLinesSplitAsCommandLineToArgvWSplitsThem) {
  const std::wstring alphabet = L"ab \t\"\\\x00e9\x4e2d";
  std::mt19937 random(20261207);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(1, 18);
  for (int i = 0; i < 20000; ++i) {
    std::wstring line;
    for (int n = length(random); n > 0; --n) line.push_back(alphabet[pick(random)]);
    // An empty line is the one case where CommandLineToArgvW makes up an
    // argument (the program's path); split_command_line gives none.
    const std::vector<std::wstring> expected = shell_split(line);
    ASSERT_EQ(split_command_line(line), expected) << printable(line);
  }
  EXPECT_TRUE(split_command_line(L"").empty());
}

// What tmpctl quotes for a program it starts comes back whole.
TEST(CommandLine, QuotedArgumentsSplitBackIntoThemselves) {
  const std::wstring alphabet = L"a \t\"\\\x00e9";
  std::mt19937 random(7);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> count(0, 4), length(0, 8);
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::wstring> arguments = {L"prog"};
    for (int a = count(random); a > 0; --a) {
      std::wstring argument;
      for (int n = length(random); n > 0; --n) argument.push_back(alphabet[pick(random)]);
      arguments.push_back(argument);
    }
    std::wstring line = arguments.front();
    for (std::size_t a = 1; a < arguments.size(); ++a) {
      line.push_back(L' ');
      line += quoted_argument(arguments[a]);
    }
    ASSERT_EQ(split_command_line(line), arguments) << printable(line);
    ASSERT_EQ(shell_split(line), arguments) << printable(line);
  }
}

}  // namespace
}  // namespace tmpctl

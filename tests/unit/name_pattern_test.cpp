#include "core/name_pattern.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cctype>

#include "platform/platform.hpp"

namespace tmpctl::core {
namespace {

TEST(NamePattern, DefaultIsTmpDotAndTenRandomCharacters) {
  auto pattern = parse_name_pattern({});
  ASSERT_TRUE(pattern) << to_string(pattern.error());
  EXPECT_EQ(pattern->prefix, "tmp.");
  EXPECT_EQ(pattern->random_length, 10u);
  EXPECT_EQ(pattern->suffix, "");
}

TEST(NamePattern, PrefixAndSuffixSurroundTheRandomPart) {
  auto pattern = parse_name_pattern({.prefix = "build-", .suffix = ".log"});
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern->prefix, "build-");
  EXPECT_EQ(pattern->suffix, ".log");
  EXPECT_EQ(pattern->random_length, default_random_length);
}

TEST(NamePattern, EmptyPrefixIsAllowed) {
  auto pattern = parse_name_pattern({.prefix = ""});
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern->prefix, "");
}

TEST(NamePattern, TemplateUsesItsLastRunOfXs) {
  auto pattern = parse_name_pattern({.name_template = "XXXfoo.XXXXXX.log"});
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern->prefix, "XXXfoo.");
  EXPECT_EQ(pattern->random_length, 6u);
  EXPECT_EQ(pattern->suffix, ".log");
}

TEST(NamePattern, TemplateEndingInXsTakesTheSuffixOption) {
  auto pattern = parse_name_pattern({.suffix = ".json", .name_template = "data.XXXX"});
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern->prefix, "data.");
  EXPECT_EQ(pattern->random_length, 4u);
  EXPECT_EQ(pattern->suffix, ".json");
}

TEST(NamePattern, RejectsTooFewXs) {
  for (const char* bad : {"fooXX", "foo", "XXfooXX", "X"}) {
    auto pattern = parse_name_pattern({.name_template = bad});
    ASSERT_FALSE(pattern) << bad;
    EXPECT_EQ(pattern.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(to_string(pattern.error()).find("too few X's"), std::string::npos);
    EXPECT_NE(to_string(pattern.error()).find(bad), std::string::npos);
  }
}

TEST(NamePattern, RejectsSuffixWhenTemplateDoesNotEndInX) {
  auto pattern = parse_name_pattern({.suffix = ".txt", .name_template = "a.XXX.log"});
  ASSERT_FALSE(pattern);
  EXPECT_EQ(pattern.error().kind, ErrorKind::invalid_argument);
}

TEST(NamePattern, RejectsPrefixWithTemplate) {
  auto pattern = parse_name_pattern({.prefix = "p", .name_template = "aXXX"});
  ASSERT_FALSE(pattern);
  EXPECT_EQ(pattern.error().kind, ErrorKind::invalid_argument);
}

TEST(NamePattern, RejectsSeparatorsAndNulInPrefixAndSuffix) {
  EXPECT_FALSE(parse_name_pattern({.prefix = "a/b"}));
  EXPECT_FALSE(parse_name_pattern({.suffix = "/x"}));
  EXPECT_FALSE(parse_name_pattern({.prefix = std::string("a\0b", 3)}));
#ifdef _WIN32
  EXPECT_FALSE(parse_name_pattern({.prefix = "a\\b"}));
#endif
  auto pattern = parse_name_pattern({.prefix = "a/b"});
  ASSERT_FALSE(pattern);
  EXPECT_NE(pattern.error().message.find("path separator"), std::string::npos);
}

TEST(NamePattern, NamesAreFreshAndAlphanumeric) {
  const NamePattern pattern{"p.", 12, ".s"};
  auto first = make_name(pattern);
  auto second = make_name(pattern);
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  ASSERT_EQ(first->size(), 2u + 12u + 2u);
  EXPECT_TRUE(first->starts_with("p.") && first->ends_with(".s"));
  for (char c : first->substr(2, 12)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(NamePattern, ReservedDeviceNamesAreNeverDrawn) {
#ifdef _WIN32
  EXPECT_TRUE(platform::is_reserved_name("NUL"));
  EXPECT_TRUE(platform::is_reserved_name("cOn.txt"));
  EXPECT_TRUE(platform::is_reserved_name("com7"));
  EXPECT_TRUE(platform::is_reserved_name("Lpt0.log"));
  EXPECT_FALSE(platform::is_reserved_name("NULL"));
  EXPECT_FALSE(platform::is_reserved_name("com"));
  EXPECT_FALSE(platform::is_reserved_name("tmp.NUL"));
  // With one random character after "nu", about 1 draw in 62 would spell NUL.
  for (int i = 0; i < 2000; ++i) {
    auto name = make_name({"nu", 1, ".txt"});
    ASSERT_TRUE(name);
    ASSERT_NE(*name, "nuL.txt");
    ASSERT_NE(*name, "nul.txt");
  }
  // A prefix that makes every name a device ends with an error, not a hang.
  auto pattern = parse_name_pattern({.prefix = "nul."});
  ASSERT_TRUE(pattern);
  auto name = make_name(*pattern);
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().kind, ErrorKind::invalid_argument);
  // Characters Windows cannot hold in a name, and a trailing dot.
  for (const char* bad : {"a:b", "a*", "q?", "\"x", "<", ">", "|", "tab\t"})
    EXPECT_FALSE(parse_name_pattern({.prefix = bad})) << bad;
  EXPECT_FALSE(parse_name_pattern({.suffix = ".txt."}));
  EXPECT_FALSE(parse_name_pattern({.name_template = "a.XXX "}));
#else
  EXPECT_FALSE(platform::is_reserved_name("NUL"));
  EXPECT_TRUE(parse_name_pattern({.prefix = "a:b"}));  // a valid POSIX name
  EXPECT_FALSE(platform::is_reserved_name("con.txt"));
#endif
}

// Modulo bias (byte % 62 without rejection) would make '0'..'7' 25% more
// likely than the rest; a chi-square test over 124,000 draws sees that at
// once, while a fair generator exceeds the bound with probability < 1e-6.
TEST(NamePattern, RandomCharactersAreUniform) {
  constexpr std::size_t per_symbol = 2000;
  constexpr std::size_t draws = 62 * per_symbol;
  std::string text;
  ASSERT_TRUE(append_random_chars(text, draws));
  ASSERT_EQ(text.size(), draws);
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : text) ++counts[c];
  double chi_square = 0;
  std::size_t symbols = 0;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (!std::isalnum(static_cast<int>(c))) {
      EXPECT_EQ(counts[c], 0u) << "unexpected character " << c;
      continue;
    }
    ++symbols;
    const double diff = static_cast<double>(counts[c]) - per_symbol;
    chi_square += diff * diff / per_symbol;
  }
  EXPECT_EQ(symbols, 62u);
  // 61 degrees of freedom: P(chi2 > 130) is about 1e-7.
  EXPECT_LT(chi_square, 130.0);
}

}  // namespace
}  // namespace tmpctl::core

// The pieces of cleanup that are pure logic: durations and globs.

#include <gtest/gtest.h>
#include <tmpctl/cleanup.hpp>

namespace tmpctl {
namespace {

using std::chrono::seconds;

TEST(Duration, UnitsAndCombinations) {
  EXPECT_EQ(parse_duration("90s").value(), seconds(90));
  EXPECT_EQ(parse_duration("30m").value(), seconds(1800));
  EXPECT_EQ(parse_duration("12h").value(), seconds(12 * 3600));
  EXPECT_EQ(parse_duration("7d").value(), seconds(7 * 86400));
  EXPECT_EQ(parse_duration("2w").value(), seconds(14 * 86400));
  EXPECT_EQ(parse_duration("1d6h").value(), seconds(86400 + 6 * 3600));
  EXPECT_EQ(parse_duration("1h30m15s").value(), seconds(5415));
  EXPECT_EQ(parse_duration("45").value(), seconds(45));  // a bare number is seconds
}

TEST(Duration, RejectsWhatItCannotRead) {
  for (const char* bad : {"", "0s", "d", "10x", "1d6", "-5m", "1.5h", " 5m", "99999999999999999999d"}) {
    auto parsed = parse_duration(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_argument) << bad;
    EXPECT_FALSE(parsed.error().message.empty());
  }
}

TEST(Glob, StarsStayInsideOneComponentUnlessDoubled) {
  EXPECT_TRUE(glob_match("tmp.*", "tmp.abc"));
  EXPECT_TRUE(glob_match("tmp.*", "tmp."));
  EXPECT_FALSE(glob_match("tmp.*", "xtmp.abc"));
  EXPECT_FALSE(glob_match("*", "a/b"));
  EXPECT_TRUE(glob_match("**", "a/b"));
  EXPECT_TRUE(glob_match("**/deeper/*", "sub/deeper/x"));
  EXPECT_FALSE(glob_match("**/deeper/*", "sub/deeper/x/y"));
  EXPECT_TRUE(glob_match("a/*/c", "a/b/c"));
  EXPECT_FALSE(glob_match("a/*/c", "a/b/x/c"));
  EXPECT_TRUE(glob_match("*.log", ".hidden.log"));
}

TEST(Glob, QuestionMarksSetsAndLiterals) {
  EXPECT_TRUE(glob_match("f?o", "foo"));
  EXPECT_TRUE(glob_match("f?o", "f\xC3\xA9o"));  // one character, two bytes
  EXPECT_FALSE(glob_match("f?o", "fo"));
  EXPECT_TRUE(glob_match("[abc]x", "bx"));
  EXPECT_FALSE(glob_match("[!abc]x", "bx"));
  EXPECT_TRUE(glob_match("[a-z]1", "q1"));
  EXPECT_FALSE(glob_match("[a-z]1", "Q1"));
  EXPECT_TRUE(glob_match("[a-z]1", "Q1", true));
  EXPECT_TRUE(glob_match("[*]", "*"));
  EXPECT_FALSE(glob_match("[*]", "x"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("TMP.*", "tmp.x", true));
  EXPECT_FALSE(glob_match("TMP.*", "tmp.x", false));
}

TEST(Glob, ManyStarsStayFast) {
  const std::string text(200, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*", text));
}

TEST(Glob, SyntaxIsChecked) {
  EXPECT_TRUE(check_glob("tmp.[ab]*"));
  EXPECT_FALSE(check_glob("tmp.[ab"));
  EXPECT_FALSE(check_glob(""));
}

}  // namespace
}  // namespace tmpctl

// core/utf8.hpp against RFC 3629 and the classic cases of Markus Kuhn's
// "UTF-8 decoder capability and stress test": boundaries, overlong forms,
// surrogates, code points above U+10FFFF, truncated sequences, stray bytes.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/utf8.hpp"

namespace tmpctl::core {
namespace {

struct Valid {
  std::string bytes;
  std::uint32_t code_point;
};

// The whole of `bytes` as one valid character.
void expect_one_character(const Valid& valid) {
  SCOPED_TRACE(testing::PrintToString(valid.bytes));
  const Utf8Char c = utf8_char_at(valid.bytes, 0);
  EXPECT_TRUE(c.valid);
  EXPECT_EQ(c.length, valid.bytes.size());
  EXPECT_EQ(c.code_point, valid.code_point);
  EXPECT_TRUE(is_valid_utf8(valid.bytes));
}

// Not UTF-8: every byte starts no valid sequence, so each is a character
// of its own, standing for its own value.
void expect_stray_bytes(const std::string& bytes) {
  SCOPED_TRACE(testing::PrintToString(bytes));
  EXPECT_FALSE(is_valid_utf8(bytes));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const Utf8Char c = utf8_char_at(bytes, i);
    EXPECT_FALSE(c.valid) << "byte " << i;
    EXPECT_EQ(c.length, 1u) << "byte " << i;
    EXPECT_EQ(c.code_point, static_cast<unsigned char>(bytes[i])) << "byte " << i;
  }
}

TEST(Utf8, TextOfEveryLengthIsValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));  // "κόσμε"
  EXPECT_TRUE(is_valid_utf8("d\xC3\xA9j\xC3\xA0-\xE2\x82\xAC-\xE6\x97\xA5-\xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is U+0000
}

TEST(Utf8, FirstAndLastCodePointOfEachLengthAndOtherBoundaries) {
  for (const Valid& valid : std::vector<Valid>{
           {std::string(1, '\0'), 0x0},     // first 1-byte
           {"\xC2\x80", 0x80},              // first 2-byte
           {"\xE0\xA0\x80", 0x800},         // first 3-byte
           {"\xF0\x90\x80\x80", 0x10000},   // first 4-byte
           {"\x7F", 0x7F},                  // last 1-byte
           {"\xDF\xBF", 0x7FF},             // last 2-byte
           {"\xEF\xBF\xBF", 0xFFFF},        // last 3-byte (a noncharacter, still UTF-8)
           {"\xF4\x8F\xBF\xBF", 0x10FFFF},  // last code point
           {"\xED\x9F\xBF", 0xD7FF},        // just below the surrogates
           {"\xEE\x80\x80", 0xE000},        // just above them
           {"\xEF\xBF\xBD", 0xFFFD},        // the replacement character
           {"\xEF\xBF\xBE", 0xFFFE},        // a noncharacter, still UTF-8
           {"\xF3\xBF\xBF\xBF", 0xFFFFF},   // last of plane 15
           {"\xF0\x9F\x98\x80", 0x1F600},   // an emoji
       })
    expect_one_character(valid);
}

TEST(Utf8, CodePointsAboveU10FFFFAndFiveAndSixByteFormsAreNotUtf8) {
  expect_stray_bytes("\xF4\x90\x80\x80");          // U+110000
  expect_stray_bytes("\xF7\xBF\xBF\xBF");          // U+1FFFFF
  expect_stray_bytes("\xF8\x88\x80\x80\x80");      // first 5-byte form
  expect_stray_bytes("\xFC\x84\x80\x80\x80\x80");  // first 6-byte form
  expect_stray_bytes("\xFB\xBF\xBF\xBF\xBF");      // last 5-byte form
  expect_stray_bytes("\xFD\xBF\xBF\xBF\xBF\xBF");  // last 6-byte form
}

TEST(Utf8, UnexpectedContinuationBytesAreStray) {
  expect_stray_bytes("\x80");
  expect_stray_bytes("\xBF");
  expect_stray_bytes("\x80\xBF");
  expect_stray_bytes("\x80\xBF\x80\xBF\x80\xBF\x80");
  std::string all;
  for (int byte = 0x80; byte <= 0xBF; ++byte) all.push_back(static_cast<char>(byte));
  expect_stray_bytes(all);
}

TEST(Utf8, ALeadByteFollowedByASpaceIsStray) {
  for (int lead = 0xC0; lead <= 0xFD; ++lead) {
    const std::string bytes = {static_cast<char>(lead), ' '};
    SCOPED_TRACE(lead);
    EXPECT_FALSE(is_valid_utf8(bytes));
    const Utf8Char c = utf8_char_at(bytes, 0);
    EXPECT_FALSE(c.valid);
    EXPECT_EQ(c.length, 1u);
    const Utf8Char space = utf8_char_at(bytes, 1);
    EXPECT_TRUE(space.valid);
    EXPECT_EQ(space.code_point, static_cast<std::uint32_t>(' '));
  }
}

TEST(Utf8, SequencesMissingTheirLastByteAreStray) {
  for (const char* bytes : {"\xC2", "\xDF", "\xE0\xA0", "\xEF\xBF", "\xF0\x90\x80", "\xF4\x8F\xBF"})
    expect_stray_bytes(bytes);
  // Each of them in a row, and one cut short before an ASCII letter.
  expect_stray_bytes("\xC2\xE0\xA0\xF0\x90\x80\xDF\xEF\xBF\xF4\x8F\xBF");
  const std::string cut = "\xE2\x82z";
  EXPECT_FALSE(is_valid_utf8(cut));
  EXPECT_EQ(utf8_char_at(cut, 0).length, 1u);
  EXPECT_FALSE(utf8_char_at(cut, 1).valid);
  EXPECT_TRUE(utf8_char_at(cut, 2).valid);
}

TEST(Utf8, BytesFEAndFFNeverAppear) {
  expect_stray_bytes("\xFE");
  expect_stray_bytes("\xFF");
  expect_stray_bytes("\xFE\xFE\xFF\xFF");
}

TEST(Utf8, OverlongFormsAreNotUtf8) {
  // "/" written in 2, 3 and 4 bytes: read as '/', they would cross a
  // directory boundary in a pattern.
  expect_stray_bytes("\xC0\xAF");
  expect_stray_bytes("\xE0\x80\xAF");
  expect_stray_bytes("\xF0\x80\x80\xAF");
  // The largest overlong of each length.
  expect_stray_bytes("\xC1\xBF");
  expect_stray_bytes("\xE0\x9F\xBF");
  expect_stray_bytes("\xF0\x8F\xBF\xBF");
  // NUL, overlong.
  expect_stray_bytes("\xC0\x80");
  expect_stray_bytes("\xE0\x80\x80");
  expect_stray_bytes("\xF0\x80\x80\x80");
}

TEST(Utf8, SurrogatesAreNotUtf8) {
  for (const char* bytes : {"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xAE\x80", "\xED\xAF\xBF",
                            "\xED\xB0\x80", "\xED\xBE\x80", "\xED\xBF\xBF"})
    expect_stray_bytes(bytes);
  // A pair, as CESU-8 writes U+10000: still two surrogates, not UTF-8.
  expect_stray_bytes("\xED\xA0\x80\xED\xB0\x80");
  expect_stray_bytes("\xED\xAF\xBF\xED\xBF\xBF");
}

TEST(Utf8, AnInvalidByteSpoilsTheWholeTextButNotItsNeighbours) {
  const std::string text = "caf\xC3\xA9-\xFF-\xE2\x82\xAC";
  EXPECT_FALSE(is_valid_utf8(text));
  std::vector<std::uint32_t> code_points;
  std::vector<bool> valid;
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = utf8_char_at(text, i);
    code_points.push_back(c.code_point);
    valid.push_back(c.valid);
    i += c.length;
  }
  EXPECT_EQ(code_points, (std::vector<std::uint32_t>{'c', 'a', 'f', 0xE9, '-', 0xFF, '-', 0x20AC}));
  EXPECT_EQ(valid, (std::vector<bool>{true, true, true, true, true, false, true, true}));
}

}  // namespace
}  // namespace tmpctl::core

// core/base64.hpp: RFC 4648's test vectors, every byte value, and what a
// decoder must refuse (a damaged record file's "path_base64").

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/base64.hpp"

namespace tmpctl::core {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  for (const auto& [bytes, text] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"f", "Zg=="},
                                                        {"fo", "Zm8="},
                                                        {"foo", "Zm9v"},
                                                        {"foob", "Zm9vYg=="},
                                                        {"fooba", "Zm9vYmE="},
                                                        {"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(base64_encode(bytes), text);
    EXPECT_EQ(base64_decode(text), bytes);
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string bytes;
  for (int byte = 0; byte < 256; ++byte) bytes.push_back(static_cast<char>(byte));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    const std::string part = bytes.substr(bytes.size() - length);
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << length;
  }
  EXPECT_EQ(base64_encode("/tmp/bad-\xFF"), "L3RtcC9iYWQt/w==");
}

TEST(Base64, DamagedTextIsRefused) {
  for (const char* text : {"Zg=", "Zg", "Z===", "====", "Zg=a", "=Zg=", "Zg==Zm9v",
                           "Zm9v!A==", "Zm 9v", "Zm9v\n", "Zm-_"})
    EXPECT_FALSE(base64_decode(text).has_value()) << text;
}

}  // namespace
}  // namespace tmpctl::core

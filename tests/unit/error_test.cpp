#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <cerrno>

#include "platform/platform.hpp"

namespace tmpctl {
namespace {

TEST(Error, FormatsOperationPathMessageAndErrnoWithName) {
  const Error error = Error::from_errno(EACCES, "create file in", "/x");
  EXPECT_EQ(error.kind, ErrorKind::permission_denied);
  EXPECT_EQ(error.domain, ErrorDomain::posix);
  EXPECT_EQ(native_error_name(error), "EACCES");
  const std::string text = to_string(error);
  EXPECT_TRUE(text.starts_with("cannot create file in '/x': ")) << text;
  EXPECT_TRUE(text.ends_with(" (errno " + std::to_string(EACCES) + ", EACCES)")) << text;
}

TEST(Error, ErrnoKindsCoverTheCommonCauses) {
  EXPECT_EQ(Error::from_errno(ENOENT, "", "").kind, ErrorKind::not_found);
  EXPECT_EQ(Error::from_errno(EEXIST, "", "").kind, ErrorKind::already_exists);
  EXPECT_EQ(Error::from_errno(ENOTDIR, "", "").kind, ErrorKind::not_a_directory);
  EXPECT_EQ(Error::from_errno(ENOSPC, "", "").kind, ErrorKind::no_space);
  EXPECT_EQ(Error::from_errno(EROFS, "", "").kind, ErrorKind::read_only_filesystem);
}

TEST(Error, OwnErrorsHaveNoNativeCode) {
  const Error error =
      Error::invalid(ErrorKind::invalid_argument, "use template", "fooXX", "too few X's");
  EXPECT_EQ(to_string(error), "cannot use template 'fooXX': too few X's");
  EXPECT_EQ(native_error_name(error), "");
}

TEST(Error, UnknownCodesPrintWithoutAName) {
  const Error error = Error::from_errno(9999, "do", "");
  EXPECT_TRUE(to_string(error).ends_with("(errno 9999)")) << to_string(error);
}

#ifdef _WIN32
TEST(Error, Win32ErrorsSayWinErrorAndTheirName) {
  const Error error = platform::os_error(32, "remove", "C:\\t\\a.tmp");
  EXPECT_EQ(error.kind, ErrorKind::in_use);
  EXPECT_EQ(native_error_name(error), "ERROR_SHARING_VIOLATION");
  const std::string text = to_string(error);
  EXPECT_TRUE(text.starts_with("cannot remove 'C:\\t\\a.tmp': ")) << text;
  EXPECT_TRUE(text.ends_with(" (WinError 32, ERROR_SHARING_VIOLATION)")) << text;
  // The OS's own sentence (Windows: "The process cannot access the file
  // because...", Wine: "Sharing violation"), without FormatMessageW's ".\r\n".
  EXPECT_NE(error.message, "");
  EXPECT_NE(error.message, "Unknown error");
  EXPECT_FALSE(error.message.ends_with(".")) << error.message;
  EXPECT_EQ(text.find('\r'), std::string::npos);
}
#endif

TEST(Error, KindNamesAreStable) {
  EXPECT_EQ(to_string(ErrorKind::not_found), "not_found");
  EXPECT_EQ(to_string(ErrorKind::in_use), "in_use");
  EXPECT_EQ(to_string(ErrorKind::too_many_attempts), "too_many_attempts");
}

}  // namespace
}  // namespace tmpctl

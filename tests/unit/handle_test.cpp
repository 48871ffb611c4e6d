#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <cstdint>
#include <utility>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

NativeHandle open_null_device() {
#ifdef _WIN32
  return CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                     OPEN_EXISTING, 0, nullptr);
#else
  return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
}

bool is_open(NativeHandle native) {
#ifdef _WIN32
  DWORD flags = 0;
  return GetHandleInformation(native, &flags) != 0;
#else
  return ::fcntl(native, F_GETFD) != -1;
#endif
}

TEST(Handle, DefaultIsInvalidAndClosingItSucceeds) {
  Handle handle;
  EXPECT_FALSE(handle.valid());
  EXPECT_EQ(handle.get(), invalid_native_handle());
  EXPECT_TRUE(handle.close());
}

TEST(Handle, CloseClosesTheOsHandleOnce) {
  const NativeHandle native = open_null_device();
  ASSERT_TRUE(is_open(native));
  Handle handle(native);
  ASSERT_TRUE(handle.close());
  EXPECT_FALSE(handle.valid());
  EXPECT_FALSE(is_open(native));
  EXPECT_TRUE(handle.close());  // a second close does nothing
}

TEST(Handle, MoveTransfersOwnership) {
  const NativeHandle native = open_null_device();
  Handle first(native);
  Handle second(std::move(first));
  EXPECT_FALSE(first.valid());
  EXPECT_EQ(second.get(), native);
  { Handle third = std::move(second); }  // destructor closes
  EXPECT_FALSE(is_open(native));
}

TEST(Handle, ReleaseGivesUpOwnership) {
  const NativeHandle native = open_null_device();
  NativeHandle released;
  {
    Handle handle(native);
    released = handle.release();
    EXPECT_FALSE(handle.valid());
  }
  EXPECT_EQ(released, native);
  EXPECT_TRUE(is_open(native));  // the destructor did not close it
  Handle owner(released);
  EXPECT_TRUE(owner.close());
}

TEST(Handle, CloseReportsTheOsError) {
#ifdef _WIN32
  Handle bogus(reinterpret_cast<NativeHandle>(static_cast<std::intptr_t>(0x7ff0)));
#else
  Handle bogus(1 << 20);  // far above any descriptor this process has open
#endif
  auto closed = bogus.close();
  ASSERT_FALSE(closed);
  EXPECT_NE(closed.error().native_code, 0);
#ifdef _WIN32
  EXPECT_EQ(closed.error().domain, ErrorDomain::win32);
  EXPECT_EQ(closed.error().native_code, ERROR_INVALID_HANDLE);
#else
  EXPECT_EQ(closed.error().domain, ErrorDomain::posix);
  EXPECT_EQ(closed.error().native_code, EBADF);
#endif
  EXPECT_FALSE(bogus.valid());
}

}  // namespace
}  // namespace tmpctl

#pragma once
/// \file
/// Temporary files and directories whose handle, close and delete are explicit.

#include <expected>
#include <optional>
#include <string>
#include <tmpctl/error.hpp>
#include <tmpctl/handle.hpp>

namespace tmpctl {

/// How and where to create a temporary file or directory.
///
/// The name is `prefix` + random characters + `suffix`, or `name_template`
/// with its last run of 'X' replaced by random characters (GNU mktemp rules:
/// at least 3 X's). Random characters are drawn from the OS's CSPRNG
/// (getrandom, arc4random, BCryptGenRandom) without bias from [0-9A-Za-z].
struct CreateOptions {
  /// Where to create; empty means system_temp_directory(). Relative paths are
  /// taken from the current directory; the created path is always absolute.
  std::string directory{};
  /// Text before the random part; defaults to "tmp.". Cannot be combined
  /// with name_template. Must not contain a path separator.
  std::optional<std::string> prefix{};
  /// Text after the random part (or after name_template). Must not contain a
  /// path separator; with name_template, the template must end in X.
  std::string suffix{};
  /// A name such as "build.XXXXXX.log": the run of X's that ends at its
  /// last X (3 or more) becomes random characters, the rest stays as it is.
  /// It may have a directory part ("out/build.XXXXXX.log"): the entry is
  /// then created there, below `directory` when that is given (an absolute
  /// template cannot be combined with `directory`), else from the current
  /// directory.
  std::string name_template{};
  /// POSIX permission bits; 0 means 0600 for files and 0700 for directories.
  /// The process umask applies, as with open(2). On Windows every entry gets
  /// a protected ACL granting full access to the current user and SYSTEM
  /// only (nothing inherited from the directory), whatever `mode` says.
  unsigned mode = 0;
  /// Files only: delete the file when its handle is closed. On Windows this is
  /// FILE_FLAG_DELETE_ON_CLOSE (the file goes when the last handle to it
  /// closes); on POSIX, TempFile::close() unlinks the name, then closes.
  bool delete_on_close = false;
};

/// Number of random characters when no template is given (as GNU mktemp).
inline constexpr std::size_t default_random_length = 10;
/// Names tried before giving up with ErrorKind::too_many_attempts. Only
/// "already exists" leads to another try; every other error is returned at once.
inline constexpr int max_create_attempts = 10000;

/// The directory temporary entries go to when none is given: POSIX $TMPDIR
/// (empty counts as unset), then /tmp; Windows GetTempPath2W (GetTempPathW
/// where that is missing). Absolute, without a trailing separator.
std::expected<std::string, Error> system_temp_directory();

/// A new, exclusively created temporary file and its open handle.
///
/// Lifecycle: create(), then use handle(), then exactly one of keep() (the
/// file stays) or discard() (the file goes). close() may come first to release
/// the handle without deciding the file's fate.
///
/// The destructor discards a file that was neither kept nor discarded, on a
/// best-effort basis: it never throws and ignores errors. Call discard() to
/// learn whether deletion worked. (A file left behind because a caller forgot
/// keep() is the very leak tmpctl exists to prevent; LLVM's alternative, an
/// assertion, catches the mistake in debug builds only and leaks in release.)
///
/// Handles are not inherited by child processes. On Windows the file is
/// opened sharing READ|WRITE|DELETE, so this handle never makes anyone else's
/// delete fail with a sharing violation (WinError 32).
class TempFile {
public:
  /// Creates the file with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC (POSIX) or
  /// CREATE_NEW with FILE_ATTRIBUTE_TEMPORARY (Windows).
  static std::expected<TempFile, Error> create(const CreateOptions& options = {});

  TempFile(TempFile&& other) noexcept;
  /// Discards the file this object owned (best effort), then takes other's.
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  /// Absolute path, UTF-8.
  const std::string& path() const noexcept { return path_; }
  /// The open handle, or invalid_native_handle() after close().
  NativeHandle handle() const noexcept { return handle_.get(); }
  bool is_open() const noexcept { return handle_.valid(); }

  /// Closes the handle; the file stays and is still owned. Idempotent. With
  /// delete_on_close the file is gone afterwards.
  std::expected<void, Error> close();
  /// Closes the handle and gives up ownership: the file stays on disk.
  /// Fails with invalid_argument for a delete_on_close file.
  std::expected<void, Error> keep();
  /// Closes the handle, then deletes the file. A file that is already gone
  /// counts as deleted, so discarding twice succeeds.
  std::expected<void, Error> discard();

private:
  TempFile(std::string path, Handle handle, bool delete_on_close) noexcept;

  std::string path_;
  Handle handle_;
  bool owned_ = false;
  bool delete_on_close_ = false;
};

/// A new, exclusively created temporary directory (mode 0700 on POSIX; on
/// Windows an ACL for the current user and SYSTEM, inherited by its contents).
///
/// Same lifecycle as TempFile, without a handle: keep() or discard(), and a
/// destructor that discards on a best-effort basis.
class TempDirectory {
public:
  static std::expected<TempDirectory, Error> create(const CreateOptions& options = {});

  TempDirectory(TempDirectory&& other) noexcept;
  TempDirectory& operator=(TempDirectory&& other) noexcept;
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory();

  const std::string& path() const noexcept { return path_; }

  /// Gives up ownership: the directory and its contents stay.
  void keep() noexcept { owned_ = false; }
  /// Deletes the directory and everything in it. Symbolic links, junctions and
  /// other reparse points inside are removed as links; what they point to is
  /// never touched. A directory already gone counts as deleted.
  std::expected<void, Error> discard();

private:
  explicit TempDirectory(std::string path) noexcept;

  std::string path_;
  bool owned_ = false;
};

/// Picks a name that does not exist right now, without creating anything
/// (`mktemp -u`). Unsafe: another process may take the name before the caller
/// uses it. Prefer TempFile or TempDirectory.
std::expected<std::string, Error> unused_name(const CreateOptions& options = {});

}  // namespace tmpctl

#include <fmt/format.h>
#include <tmpctl/temp_file.hpp>
#include <utility>
#include <variant>

#include "core/name_pattern.hpp"
#include "core/paths.hpp"
#include "core/tree_removal.hpp"
#include "platform/platform.hpp"

namespace tmpctl {
namespace {

constexpr unsigned default_file_mode = 0600;
constexpr unsigned default_directory_mode = 0700;

// Where new names go and what they look like, validated once per call.
struct Target {
  std::string directory;
  core::NamePattern pattern;
};

std::expected<Target, Error> resolve_target(const CreateOptions& requested) {
  CreateOptions options = requested;
  // A template's directory part is where the entry goes (as GNU mktemp).
  const std::size_t last_separator =
      requested.name_template.find_last_of(platform::path_separators());
  if (last_separator != std::string::npos) {
    const std::string& tmpl = requested.name_template;
    if (last_separator + 1 == tmpl.size())
      return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "use template", tmpl,
                                            "the template has no file name"));
    const std::string part = tmpl.substr(0, last_separator + 1);
    if (requested.directory.empty()) {
      options.directory = part;
    } else if (platform::is_absolute_path(tmpl)) {
      return std::unexpected(
          Error::invalid(ErrorKind::invalid_argument, "use template", tmpl,
                         "an absolute template cannot be combined with a directory"));
    } else {
      options.directory = core::join_path(requested.directory, part);  // as mktemp -p DIR a/bXXX
    }
    options.name_template = tmpl.substr(last_separator + 1);
  }
  auto pattern = core::parse_name_pattern(options);
  if (!pattern) return std::unexpected(pattern.error());
  auto directory = options.directory.empty() ? platform::system_temp_directory()
                                             : platform::absolute_path(options.directory);
  if (!directory) return std::unexpected(directory.error());
  return Target{std::move(*directory), std::move(*pattern)};
}

std::string describe_pattern(const core::NamePattern& pattern) {
  return pattern.prefix + std::string(pattern.random_length, 'X') + pattern.suffix;
}

// Draws names until `create_at` succeeds or fails with anything but
// "already exists"; only a collision earns another try.
template <class Create>
auto create_with_retries(const Target& target, const std::string& operation, Create create_at)
    -> std::expected<std::pair<std::string, typename decltype(create_at(""))::value_type>, Error> {
  for (int attempt = 0; attempt < max_create_attempts; ++attempt) {
    auto name = core::make_name(target.pattern);
    if (!name) return std::unexpected(name.error());
    std::string path = core::join_path(target.directory, *name);
    auto created = create_at(path);
    if (created) return std::pair{std::move(path), std::move(*created)};
    if (created.error().kind == ErrorKind::already_exists) continue;
    Error error = std::move(created.error());
    error.operation = operation;
    error.path = target.directory;
    return std::unexpected(std::move(error));
  }
  return std::unexpected(
      Error::invalid(ErrorKind::too_many_attempts, operation, target.directory,
                     fmt::format("all {} names tried for '{}' already exist", max_create_attempts,
                                 describe_pattern(target.pattern))));
}

}  // namespace

std::expected<std::string, Error> system_temp_directory() {
  return platform::system_temp_directory();
}

// ---- TempFile

TempFile::TempFile(std::string path, Handle handle, bool delete_on_close) noexcept
    : path_(std::move(path)),
      handle_(std::move(handle)),
      owned_(true),
      delete_on_close_(delete_on_close) {}

std::expected<TempFile, Error> TempFile::create(const CreateOptions& options) {
  auto target = resolve_target(options);
  if (!target) return std::unexpected(target.error());
  const unsigned mode = options.mode != 0 ? options.mode : default_file_mode;
  auto created = create_with_retries(*target, "create file in", [&](const std::string& path) {
    return platform::create_file_exclusive(path, mode, options.delete_on_close);
  });
  if (!created) return std::unexpected(created.error());
  return TempFile(std::move(created->first), std::move(created->second), options.delete_on_close);
}

TempFile::TempFile(TempFile&& other) noexcept
    : path_(std::move(other.path_)),
      handle_(std::move(other.handle_)),
      owned_(std::exchange(other.owned_, false)),
      delete_on_close_(other.delete_on_close_) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    (void)discard();
    path_ = std::move(other.path_);
    handle_ = std::move(other.handle_);
    owned_ = std::exchange(other.owned_, false);
    delete_on_close_ = other.delete_on_close_;
  }
  return *this;
}

TempFile::~TempFile() { (void)discard(); }

std::expected<void, Error> TempFile::close() {
  if (!handle_.valid()) return {};
  std::expected<void, Error> unlinked;
  if (delete_on_close_ && owned_) {
#ifndef _WIN32
    // POSIX has no delete-on-close flag: remove the name while we still hold
    // the only reference we made, then close.
    unlinked = platform::remove_file(path_);
    if (!unlinked && unlinked.error().kind == ErrorKind::not_found) unlinked = {};
#endif
    // Windows deletes at close; on POSIX a failed unlink leaves the file
    // ours, so discard() and the destructor still try.
    if (unlinked) owned_ = false;
  }
  auto closed = handle_.close();
  if (!closed) {
    Error error = std::move(closed.error());
    error.operation = "close";
    error.path = path_;
    return std::unexpected(std::move(error));
  }
  if (!unlinked) {
    Error error = std::move(unlinked.error());
    error.operation = "remove";
    return std::unexpected(std::move(error));
  }
  return {};
}

std::expected<void, Error> TempFile::keep() {
  if (delete_on_close_ && handle_.valid())
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "keep", path_,
                                          "the file was created delete-on-close"));
  owned_ = false;
  return close();
}

std::expected<void, Error> TempFile::discard() {
  auto closed = close();
  if (owned_) {
    owned_ = false;
    auto removed = platform::remove_file(path_);
    if (!removed && removed.error().kind != ErrorKind::not_found) {
      Error error = std::move(removed.error());
      error.operation = "remove";
      error.path = path_;
      return std::unexpected(std::move(error));
    }
  }
  return closed;
}

// ---- TempDirectory

TempDirectory::TempDirectory(std::string path) noexcept : path_(std::move(path)), owned_(true) {}

std::expected<TempDirectory, Error> TempDirectory::create(const CreateOptions& options) {
  if (options.delete_on_close)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "create directory in",
                                          options.directory,
                                          "delete-on-close applies to files only"));
  auto target = resolve_target(options);
  if (!target) return std::unexpected(target.error());
  const unsigned mode = options.mode != 0 ? options.mode : default_directory_mode;
  auto created =
      create_with_retries(*target, "create directory in",
                          [&](const std::string& path) -> std::expected<std::monostate, Error> {
                            if (auto made = platform::create_directory_exclusive(path, mode); !made)
                              return std::unexpected(made.error());
                            return std::monostate{};
                          });
  if (!created) return std::unexpected(created.error());
  return TempDirectory(std::move(created->first));
}

TempDirectory::TempDirectory(TempDirectory&& other) noexcept
    : path_(std::move(other.path_)), owned_(std::exchange(other.owned_, false)) {}

TempDirectory& TempDirectory::operator=(TempDirectory&& other) noexcept {
  if (this != &other) {
    (void)discard();
    path_ = std::move(other.path_);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

TempDirectory::~TempDirectory() { (void)discard(); }

std::expected<void, Error> TempDirectory::discard() {
  if (!owned_) return {};
  owned_ = false;
  auto removed = core::remove_tree(path_, {.force = true, .restore_owner_permissions = true});
  if (!removed) {
    if (removed.error().kind == ErrorKind::not_found) return {};
    return std::unexpected(removed.error());
  }
  if (removed->removed) return {};
  for (const CleanupEntry& kept : removed->kept)
    if (kept.error) return std::unexpected(*kept.error);
  return std::unexpected(Error::invalid(
      ErrorKind::directory_not_empty, "remove", path_,
      removed->kept.empty() ? std::string("entries appeared in it meanwhile")
                            : "'" + removed->kept.front().path + "' could not be removed: " +
                                  std::string(to_string(removed->kept.front().reason))));
}

// ---- unused_name

std::expected<std::string, Error> unused_name(const CreateOptions& options) {
  auto target = resolve_target(options);
  if (!target) return std::unexpected(target.error());
  auto picked = create_with_retries(
      *target, "pick a name in",
      [](const std::string& path) -> std::expected<std::monostate, Error> {
        auto exists = platform::entry_exists(path);
        if (!exists) return std::unexpected(exists.error());
        if (*exists)
          return std::unexpected(Error::invalid(ErrorKind::already_exists, "", path, ""));
        return std::monostate{};
      });
  if (!picked) return std::unexpected(picked.error());
  return std::move(picked->first);
}

}  // namespace tmpctl

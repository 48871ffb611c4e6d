#include "cli/record_options.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <iterator>

namespace tmpctl::cli {

void LifetimeOptions::add_to(CLI::App& command, const std::vector<CLI::Option*>& excluded,
                             bool with_owner) {
  ttl_option_ = command
                    .add_option("--ttl", ttl_,
                                "Record the entry; 'cleanup --expired' may remove it after "
                                "DURATION: 90s, 30m, 12h, 7d, 1d6h")
                    ->type_name("DURATION");
  tag_option_ = command
                    .add_option("--tag", tag_,
                                "Record the entry under NAME, for 'list --tag' and "
                                "'cleanup --tag'")
                    ->type_name("NAME");
  if (!with_owner) {
    for (CLI::Option* option : excluded)
      for (CLI::Option* mine : {ttl_option_, tag_option_}) mine->excludes(option);
    return;
  }
  owner_option_ = command
                      .add_option("--owner", owner_,
                                  "Record the entry as process PID's (default: the process that "
                                  "ran tmpctl); 'cleanup --orphaned' may remove it once PID exits")
                      ->type_name("PID")
                      ->check(CLI::Validator(
                          [](std::string& pid) {
                            std::uint64_t number = 0;
                            const auto [end, error] =
                                std::from_chars(pid.data(), pid.data() + pid.size(), number);
                            if (error == std::errc() && end == pid.data() + pid.size() &&
                                number >= 1 && number <= max_pid)
                              return std::string();
                            return fmt::format("'{}' is not a process id (1 to {})", pid, max_pid);
                          },
                          "", "pid"));
  for (CLI::Option* option : excluded)
    for (CLI::Option* mine : {ttl_option_, tag_option_, owner_option_}) mine->excludes(option);
}

bool LifetimeOptions::requested() const {
  return ttl_option_->count() > 0 || tag_option_->count() > 0 ||
         (owner_option_ != nullptr && owner_option_->count() > 0);
}

std::expected<Lifetime, std::string> LifetimeOptions::lifetime() const {
  Lifetime lifetime;
  if (ttl_option_->count() > 0) {
    auto ttl = parse_duration(ttl_);
    if (!ttl) return std::unexpected(fmt::format("--ttl: {}", ttl.error().message));
    if (auto ok = check_lifetime({.ttl = *ttl}); !ok)
      return std::unexpected(fmt::format("--ttl: {}", ok.error().message));
    lifetime.ttl = *ttl;
  }
  if (tag_option_->count() > 0) {
    if (tag_.empty()) return std::unexpected(std::string("--tag: a tag cannot be empty"));
    if (auto ok = check_lifetime({.tag = tag_}); !ok)
      return std::unexpected(fmt::format("--tag: {}", ok.error().message));
    lifetime.tag = tag_;
  }
  if (owner_option_ != nullptr && owner_option_->count() > 0) {
    auto owner = process_with_pid(owner_);
    if (!owner) return std::unexpected(fmt::format("--owner: no process has pid {}", owner_));
    lifetime.owner = *owner;
  }
  return lifetime;
}

void RecordSelectors::add_to(CLI::App& command, const std::string& what) {
  options_.push_back(command.add_flag(
      "--expired", expired_, fmt::format("Only {} recorded entries whose --ttl has passed", what)));
  options_.push_back(command
                         .add_option("--tag", tags_,
                                     fmt::format("Only {} recorded entries tagged NAME "
                                                 "(repeatable: any of them)",
                                                 what))
                         ->type_name("NAME")
                         ->expected(1)
                         ->allow_extra_args(false)
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                         ->check(CLI::Validator(
                             [](std::string& tag) {
                               return tag.empty() ? std::string("a tag cannot be empty")
                                                  : std::string();
                             },
                             "", "tag")));
  options_.push_back(command.add_flag(
      "--orphaned", orphaned_,
      fmt::format("Only {} recorded entries whose owner (the script that created them) has exited",
                  what)));
}

RecordFilter RecordSelectors::filter() const {
  RecordFilter filter;
  filter.expired = expired_;
  filter.tags = tags_;
  filter.orphaned = orphaned_;
  return filter;
}

std::string utc_text(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(seconds));
}

std::string duration_text(std::chrono::system_clock::duration duration) {
  const long long total =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(duration).count());
  struct Unit {
    char name;
    long long seconds;
  };
  static constexpr Unit units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  for (std::size_t i = 0; i + 1 < std::size(units); ++i) {
    const long long count = total / units[i].seconds;
    if (count == 0) continue;
    const long long next = total % units[i].seconds / units[i + 1].seconds;
    return next == 0 ? fmt::format("{}{}", count, units[i].name)
                     : fmt::format("{}{}{}{}", count, units[i].name, next, units[i + 1].name);
  }
  return fmt::format("{}s", total);
}

}  // namespace tmpctl::cli

// Every value of every enum of the core whose name is part of the JSON
// output, against the names docs/cli.md promises.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "core/enum_names.hpp"

namespace tmpctl {
namespace {

template <typename Enum>
using Names = std::vector<std::pair<Enum, std::string_view>>;

// Checks each pair, that the names are distinct and not empty, and that the
// value after the last one has no name of its own: the list is the whole enum.
template <typename Enum, typename NameOf>
void expect_names(const Names<Enum>& names, NameOf name_of) {
  std::set<std::string_view> distinct;
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(std::to_underlying(names[i].first), static_cast<int>(i)) << names[i].second;
    EXPECT_EQ(name_of(names[i].first), names[i].second);
    EXPECT_FALSE(name_of(names[i].first).empty()) << i;
    EXPECT_TRUE(distinct.insert(name_of(names[i].first)).second) << names[i].second;
  }
  EXPECT_EQ(name_of(static_cast<Enum>(names.size())), core::unnamed_value);
}

TEST(EnumNames, CleanupActionAsCleanupJsonDocumentsIt) {
  expect_names<CleanupAction>({{CleanupAction::removed, "removed"},
                               {CleanupAction::would_remove, "would_remove"},
                               {CleanupAction::skipped, "skipped"},
                               {CleanupAction::failed, "failed"}},
                              [](CleanupAction value) { return to_string(value); });
}

TEST(EnumNames, SkipReasonAsCleanupJsonDocumentsIt) {
  // "none" is never printed: the JSON reason is null then.
  expect_names<SkipReason>({{SkipReason::none, "none"},
                            {SkipReason::in_use, "in_use"},
                            {SkipReason::not_owned, "not_owned"},
                            {SkipReason::changed, "changed"},
                            {SkipReason::other_filesystem, "other_filesystem"},
                            {SkipReason::read_only, "read_only"},
                            {SkipReason::replaced, "replaced"}},
                           [](SkipReason value) { return to_string(value); });
}

TEST(EnumNames, EntryTypeAsCleanupJsonDocumentsIt) {
  expect_names<EntryType>({{EntryType::file, "file"},
                           {EntryType::directory, "directory"},
                           {EntryType::symlink, "symlink"},
                           {EntryType::other, "other"}},
                          [](EntryType value) { return to_string(value); });
}

TEST(EnumNames, RemoveOutcomeAsRemoveJsonDocumentsIt) {
  expect_names<RemoveOutcome>({{RemoveOutcome::removed, "removed"},
                               {RemoveOutcome::delete_pending, "delete_pending"},
                               {RemoveOutcome::scheduled, "scheduled"},
                               {RemoveOutcome::not_found, "not_found"},
                               {RemoveOutcome::in_use, "in_use"},
                               {RemoveOutcome::read_only, "read_only"},
                               {RemoveOutcome::access_denied, "access_denied"},
                               {RemoveOutcome::is_a_directory, "is_a_directory"},
                               {RemoveOutcome::not_empty, "not_empty"},
                               {RemoveOutcome::invalid, "invalid"},
                               {RemoveOutcome::failed, "failed"}},
                              [](RemoveOutcome value) { return to_string(value); });
}

TEST(EnumNames, RemoveCauseAsRemoveJsonDocumentsIt) {
  expect_names<RemoveCause>({{RemoveCause::none, "none"},
                             {RemoveCause::not_found, "not_found"},
                             {RemoveCause::sharing_violation, "sharing_violation"},
                             {RemoveCause::lock_violation, "lock_violation"},
                             {RemoveCause::mount_point, "mount_point"},
                             {RemoveCause::read_only_attribute, "read_only_attribute"},
                             {RemoveCause::immutable, "immutable"},
                             {RemoveCause::read_only_filesystem, "read_only_filesystem"},
                             {RemoveCause::delete_pending, "delete_pending"},
                             {RemoveCause::directory, "directory"},
                             {RemoveCause::directory_not_empty, "directory_not_empty"},
                             {RemoveCause::sticky_directory, "sticky_directory"},
                             {RemoveCause::directory_not_writable, "directory_not_writable"},
                             {RemoveCause::permission_denied, "permission_denied"},
                             {RemoveCause::invalid_path, "invalid_path"},
                             {RemoveCause::reserved_name, "reserved_name"},
                             {RemoveCause::protected_root, "protected_root"},
                             {RemoveCause::dot_or_dotdot, "dot_or_dotdot"},
                             {RemoveCause::other, "other"}},
                            [](RemoveCause value) { return to_string(value); });
}

TEST(EnumNames, ErrorKindAsTheJsonHasCarriedIt) {
  expect_names<ErrorKind>({{ErrorKind::not_found, "not_found"},
                           {ErrorKind::already_exists, "already_exists"},
                           {ErrorKind::permission_denied, "permission_denied"},
                           {ErrorKind::in_use, "in_use"},
                           {ErrorKind::not_a_directory, "not_a_directory"},
                           {ErrorKind::is_a_directory, "is_a_directory"},
                           {ErrorKind::directory_not_empty, "directory_not_empty"},
                           {ErrorKind::read_only_filesystem, "read_only_filesystem"},
                           {ErrorKind::no_space, "no_space"},
                           {ErrorKind::name_too_long, "name_too_long"},
                           {ErrorKind::invalid_argument, "invalid_argument"},
                           {ErrorKind::too_many_attempts, "too_many_attempts"},
                           {ErrorKind::protected_directory, "protected_directory"},
                           {ErrorKind::other, "other"}},
                          [](ErrorKind value) { return to_string(value); });
}

TEST(EnumNames, ErrorDomainAsTheJsonHasCarriedIt) {
  expect_names<ErrorDomain>(
      {{ErrorDomain::none, "none"}, {ErrorDomain::posix, "errno"}, {ErrorDomain::win32, "win32"}},
      [](ErrorDomain value) { return to_string(value); });
}

TEST(EnumNames, RemedyKindAsRemoveJsonDocumentsIt) {
  expect_names<RemedyKind>(
      {{RemedyKind::close_own_handle, "close_own_handle"},
       {RemedyKind::close_in_holder, "close_in_holder"},
       {RemedyKind::retry_later, "retry_later"},
       {RemedyKind::check_hidden_holders, "check_hidden_holders"},
       {RemedyKind::delete_on_reboot, "delete_on_reboot"},
       {RemedyKind::wait_for_last_handle, "wait_for_last_handle"},
       {RemedyKind::close_to_free_space, "close_to_free_space"},
       {RemedyKind::rename_aside, "rename_aside"},
       {RemedyKind::clear_read_only, "clear_read_only"},
       {RemedyKind::clear_immutable_flag, "clear_immutable_flag"},
       {RemedyKind::remount_read_write, "remount_read_write"},
       {RemedyKind::unmount, "unmount"},
       {RemedyKind::remove_recursively, "remove_recursively"},
       {RemedyKind::remove_again, "remove_again"},
       {RemedyKind::see_entries_inside, "see_entries_inside"},
       {RemedyKind::ask_owner, "ask_owner"},
       {RemedyKind::check_directory_permissions, "check_directory_permissions"},
       {RemedyKind::check_permissions, "check_permissions"},
       {RemedyKind::use_verbatim_path, "use_verbatim_path"},
       {RemedyKind::override_preserve_root, "override_preserve_root"},
       {RemedyKind::close_in_caller, "close_in_caller"},
       {RemedyKind::wait_for_scanner, "wait_for_scanner"},
       {RemedyKind::stop_build_server, "stop_build_server"}},
      [](RemedyKind value) { return to_string(value); });
}

TEST(EnumNames, RecordKindAsCreateAndListJsonDocumentIt) {
  expect_names<RecordKind>({{RecordKind::file, "file"}, {RecordKind::directory, "directory"}},
                           [](RecordKind value) { return to_string(value); });
}

TEST(EnumNames, PresenceAsListJsonDocumentsIt) {
  using Presence = RecordStatus::Presence;
  expect_names<Presence>({{Presence::present, "present"},
                          {Presence::gone, "gone"},
                          {Presence::replaced, "replaced"},
                          {Presence::unknown, "unknown"}},
                         [](Presence value) { return to_string(value); });
}

TEST(EnumNames, OwnerStateAsListJsonDocumentsIt) {
  expect_names<ProcessState>({{ProcessState::alive, "alive"},
                              {ProcessState::gone, "gone"},
                              {ProcessState::unknown, "unknown"}},
                             [](ProcessState value) { return to_string(value); });
}

TEST(EnumNames, HolderRelationAndKindAsHolderJsonDocumentsThem) {
  expect_names<HolderRelation>({{HolderRelation::unrelated, "unrelated"},
                                {HolderRelation::self, "self"},
                                {HolderRelation::parent, "parent"},
                                {HolderRelation::ancestor, "ancestor"}},
                               [](HolderRelation value) { return to_string(value); });
  expect_names<HolderKind>({{HolderKind::unknown, "unknown"},
                            {HolderKind::virus_scanner, "virus_scanner"},
                            {HolderKind::indexer, "indexer"},
                            {HolderKind::sync_client, "sync_client"},
                            {HolderKind::preview_handler, "preview_handler"},
                            {HolderKind::build_server, "build_server"},
                            {HolderKind::system, "system"}},
                           [](HolderKind value) { return to_string(value); });
}

TEST(EnumNames, TerminateOutcomeAndRefusalAsTerminatedJsonDocumentsThem) {
  expect_names<TerminateOutcome>({{TerminateOutcome::ended, "ended"},
                                  {TerminateOutcome::killed, "killed"},
                                  {TerminateOutcome::would_end, "would_end"},
                                  {TerminateOutcome::refused, "refused"},
                                  {TerminateOutcome::declined, "declined"},
                                  {TerminateOutcome::gone, "gone"},
                                  {TerminateOutcome::failed, "failed"}},
                                 [](TerminateOutcome value) { return to_string(value); });
  expect_names<TerminateRefusal>({{TerminateRefusal::none, "none"},
                                  {TerminateRefusal::self, "self"},
                                  {TerminateRefusal::caller, "caller"},
                                  {TerminateRefusal::system, "system"},
                                  {TerminateRefusal::other_user, "other_user"},
                                  {TerminateRefusal::not_allowed, "not_allowed"}},
                                 [](TerminateRefusal value) { return to_string(value); });
}

}  // namespace
}  // namespace tmpctl

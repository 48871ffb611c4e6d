// terminate_holders(): whom to end is decided here, with its guard rails;
// platform/process_control ends them.

#include <tmpctl/terminate.hpp>

#include <algorithm>

#include "core/enum_names.hpp"
#include "core/holder_details.hpp"
#include "platform/process_control.hpp"

namespace tmpctl {
namespace {

using std::chrono::milliseconds;

// Why `process` may not be ended, if it may not.
TerminateRefusal guard(const Holder& process, const core::ProcessMap& processes,
                       const TerminateOptions& options) {
  switch (processes.relation_of(process.pid, process.start_time)) {
    case HolderRelation::self: return TerminateRefusal::self;
    case HolderRelation::parent:
    case HolderRelation::ancestor: return TerminateRefusal::caller;
    case HolderRelation::unrelated: break;
  }
  if (process.kind == HolderKind::system || process.pid <= 4) return TerminateRefusal::system;
  const platform::ProcessEntry* entry = processes.find(process.pid);
  if (entry && entry->kernel) return TerminateRefusal::system;
  const bool same_user = entry && entry->same_user;
  if (!same_user) {
    if (!options.all_users) return TerminateRefusal::other_user;
    if (!platform::may_end_other_users_processes()) return TerminateRefusal::not_allowed;
  }
  return TerminateRefusal::none;
}

Holder holder_of(const platform::ProcessEntry& entry, const core::ProcessMap& processes) {
  Holder holder{.pid = entry.pid,
                .name = entry.name,
                .start_time = entry.start_time,
                .is_self = false,
                .how = {}};
  processes.describe(holder);
  return holder;
}

}  // namespace

std::vector<Termination> terminate_holders(std::span<const Holder> holders,
                                           const TerminateOptions& options) {
  const core::ProcessMap processes = core::ProcessMap::take();
  std::vector<Termination> plan;
  auto planned = [&](std::uint32_t pid) {
    return std::ranges::any_of(plan, [&](const Termination& t) { return t.process.pid == pid; });
  };
  for (const Holder& given : holders) {
    // This process is never ended, nor worth a line: what it holds in a tree
    // it inherited from the process that ran it, which is named.
    if (planned(given.pid) ||
        processes.relation_of(given.pid, given.start_time) == HolderRelation::self)
      continue;
    Termination termination{.process = given};
    processes.describe(termination.process);
    termination.refusal = guard(termination.process, processes, options);
    termination.outcome = termination.refusal == TerminateRefusal::none
                              ? TerminateOutcome::would_end
                              : TerminateOutcome::refused;
    plan.push_back(std::move(termination));
  }
  if (options.tree) {
    // Only the trees of holders that may be ended: the tree of a refused
    // holder (the shell that ran tmpctl) holds tmpctl itself.
    const std::size_t holder_count = plan.size();
    for (std::size_t i = 0; i < holder_count; ++i) {
      if (plan[i].outcome != TerminateOutcome::would_end) continue;
      const std::uint32_t root = plan[i].process.pid;
      for (const platform::ProcessEntry& child : processes.descendants_of(root)) {
        if (planned(child.pid)) continue;
        Termination termination{.process = holder_of(child, processes), .descends_from = root};
        termination.refusal = guard(termination.process, processes, options);
        termination.outcome = termination.refusal == TerminateRefusal::none
                                  ? TerminateOutcome::would_end
                                  : TerminateOutcome::refused;
        plan.push_back(std::move(termination));
      }
    }
  }
  const bool any = std::ranges::any_of(
      plan, [](const Termination& t) { return t.outcome == TerminateOutcome::would_end; });
  if (options.dry_run || !any) return plan;
  if (options.confirm && !options.confirm(plan)) {
    for (Termination& t : plan)
      if (t.outcome == TerminateOutcome::would_end) t.outcome = TerminateOutcome::declined;
    return plan;
  }

  // Open every process first, checked against its start time, then ask all
  // of them at once, so the grace runs once, not once per process.
  std::vector<std::optional<platform::ProcessHandle>> handles(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    Termination& t = plan[i];
    if (t.outcome != TerminateOutcome::would_end) continue;
    auto handle = platform::ProcessHandle::open({t.process.pid, t.process.start_time});
    if (!handle) {
      t.outcome = handle.error().kind == ErrorKind::not_found ? TerminateOutcome::gone
                                                              : TerminateOutcome::failed;
      if (t.outcome == TerminateOutcome::failed) t.error = handle.error();
      continue;
    }
    handles[i] = std::move(*handle);
  }
  const bool polite = platform::polite_end_exists();
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!handles[i]) continue;
    if (auto ended = handles[i]->end(polite ? platform::EndHow::polite : platform::EndHow::force);
        !ended) {
      plan[i].outcome = TerminateOutcome::failed;
      plan[i].error = ended.error();
      handles[i].reset();
    }
  }
  const auto deadline =
      std::chrono::steady_clock::now() + (polite ? options.grace : milliseconds(0));
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!handles[i]) continue;
    const auto left = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(
                                                    deadline - std::chrono::steady_clock::now()));
    if (polite && handles[i]->wait_for_exit(left)) {
      plan[i].outcome = TerminateOutcome::ended;
      plan[i].method = "SIGTERM";
      handles[i].reset();
    }
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!handles[i]) continue;
    if (polite) {
      if (auto killed = handles[i]->end(platform::EndHow::force); !killed) {
        plan[i].outcome = TerminateOutcome::failed;
        plan[i].error = killed.error();
        continue;
      }
    }
    // A forced end takes effect at once but is asynchronous: wait for it, so
    // that what it held is closed when this returns.
    if (handles[i]->wait_for_exit(milliseconds(5000))) {
      plan[i].outcome = TerminateOutcome::killed;
      plan[i].method = polite ? "SIGKILL" : "TerminateProcess";
    } else {
      plan[i].outcome = TerminateOutcome::failed;
      plan[i].error =
          Error::invalid(ErrorKind::other, "end process", std::to_string(plan[i].process.pid),
                         "it was still running 5 s after being killed");
    }
  }
  return plan;
}

constexpr core::EnumName<TerminateOutcome> terminate_outcome_names[] = {
    {TerminateOutcome::ended, "ended"},         {TerminateOutcome::killed, "killed"},
    {TerminateOutcome::would_end, "would_end"}, {TerminateOutcome::refused, "refused"},
    {TerminateOutcome::declined, "declined"},   {TerminateOutcome::gone, "gone"},
    {TerminateOutcome::failed, "failed"}};
static_assert(core::in_declaration_order(terminate_outcome_names));

std::string_view to_string(TerminateOutcome outcome) {
  return core::name_in(terminate_outcome_names, outcome);
}

constexpr core::EnumName<TerminateRefusal> terminate_refusal_names[] = {
    {TerminateRefusal::none, "none"},
    {TerminateRefusal::self, "self"},
    {TerminateRefusal::caller, "caller"},
    {TerminateRefusal::system, "system"},
    {TerminateRefusal::other_user, "other_user"},
    {TerminateRefusal::not_allowed, "not_allowed"}};
static_assert(core::in_declaration_order(terminate_refusal_names));

std::string_view to_string(TerminateRefusal refusal) {
  return core::name_in(terminate_refusal_names, refusal);
}

}  // namespace tmpctl

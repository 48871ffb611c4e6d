#pragma once
// The plain `tmpctl create` command lines scripts make, parsed without
// CLI11: building CLI11's parser was most of a create's instructions
// (docs/benchmarks.md). Anything this parser is not sure of, it declines,
// and the full parser takes the command line as it is: help, errors,
// lifetimes, --color, POSIXLY_CORRECT. A unit test checks that both agree
// on every command line the fast path accepts.

#include <optional>
#include <string>
#include <vector>

#include "cli/create_args.hpp"

namespace tmpctl::cli {

/// `arguments` is argv (the program's name first, then "create"). Returns
/// what it asks for, or nothing when the full parser must decide.
std::optional<CreateArgs> parse_create_quickly(const std::vector<std::string>& arguments);

}  // namespace tmpctl::cli

#pragma once
// One name table per enum, as systemd's string tables: an enum's names are
// written once, in declaration order, and looked up by one function with one
// fallback, so no value gets a second spelling or a fallback of its own.

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tmpctl::core {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

/// The name of a value no table lists: a number cast to the enum.
inline constexpr std::string_view unnamed_value = "unknown";

/// Whether `table` lists the values 0, 1, 2... in order. Each table is
/// checked with a static_assert, so a value inserted into its enum without a
/// name here does not compile (one added last still needs its test).
template <typename Enum, std::size_t N>
constexpr bool in_declaration_order(const EnumName<Enum> (&table)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (std::cmp_not_equal(std::to_underlying(table[i].value), i)) return false;
  return true;
}

/// The name `table` gives `value`, or unnamed_value.
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const EnumName<Enum> (&table)[N], Enum value) {
  const auto index = std::to_underlying(value);
  if (std::cmp_less(index, 0) || std::cmp_greater_equal(index, N)) return unnamed_value;
  return table[static_cast<std::size_t>(index)].name;
}

}  // namespace tmpctl::core

#pragma once
/// \file
/// Sets of an enum's flags, without casts: `Timestamp::access |
/// Timestamp::modification` is a `Flags<Timestamp>`, and
/// `set.contains(Timestamp::access)` tests one. An enum whose values are
/// distinct bits opts in by specializing `is_flag_enum`.

#include <initializer_list>
#include <type_traits>
#include <utility>

namespace tmpctl {

/// Specialize as true for an enum whose values are distinct bits.
template <typename Enum>
inline constexpr bool is_flag_enum = false;

template <typename Enum>
concept FlagEnum = std::is_enum_v<Enum> && is_flag_enum<Enum>;

/// A set of `Enum`'s flags; empty by default.
template <FlagEnum Enum>
class Flags {
public:
  using Bits = std::underlying_type_t<Enum>;

  constexpr Flags() = default;
  /// The set of one flag: a flag converts where a set is expected.
  constexpr Flags(Enum flag) : bits_(std::to_underlying(flag)) {}
  constexpr Flags(std::initializer_list<Enum> flags) {
    for (const Enum flag : flags) bits_ |= std::to_underlying(flag);
  }

  constexpr bool contains(Enum flag) const {
    return (bits_ & std::to_underlying(flag)) == std::to_underlying(flag);
  }
  constexpr bool empty() const { return bits_ == 0; }
  /// The set without the flags of `other`.
  constexpr Flags without(Flags other) const {
    return from_bits(static_cast<Bits>(bits_ & ~other.bits_));
  }
  /// The bits, for code that stores or prints them as a number.
  constexpr Bits bits() const { return bits_; }

  constexpr Flags& operator|=(Flags other) {
    bits_ |= other.bits_;
    return *this;
  }
  constexpr Flags& operator&=(Flags other) {
    bits_ &= other.bits_;
    return *this;
  }
  friend constexpr Flags operator|(Flags a, Flags b) { return a |= b; }
  friend constexpr Flags operator&(Flags a, Flags b) { return a &= b; }
  friend constexpr bool operator==(Flags, Flags) = default;

private:
  static constexpr Flags from_bits(Bits bits) {
    Flags flags;
    flags.bits_ = bits;
    return flags;
  }

  Bits bits_ = 0;
};

template <FlagEnum Enum>
constexpr Flags<Enum> operator|(Enum a, Enum b) {
  return Flags<Enum>(a) | b;
}

}  // namespace tmpctl

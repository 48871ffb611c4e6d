// Flags<Enum>: the sets cleanup's options are made of (age_by, kinds),
// built and tested without casts.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

namespace tmpctl {
namespace {

TEST(Flags, ASetHoldsWhatItWasBuiltFrom) {
  constexpr Flags<Timestamp> set = Timestamp::access | Timestamp::change;
  static_assert(set.contains(Timestamp::access) && set.contains(Timestamp::change));
  EXPECT_FALSE(set.contains(Timestamp::modification));
  EXPECT_FALSE(set.contains(Timestamp::birth));
  EXPECT_EQ(set, (Flags<Timestamp>{Timestamp::change, Timestamp::access}));
  EXPECT_EQ(set | Timestamp::birth,
            (Flags<Timestamp>{Timestamp::access, Timestamp::change, Timestamp::birth}));
  EXPECT_EQ(set & Timestamp::change, Flags<Timestamp>(Timestamp::change));
}

TEST(Flags, EmptyAndWithout) {
  EXPECT_TRUE(Flags<EntryKind>{}.empty());
  const Flags<EntryKind> all = CleanupOptions{}.kinds;
  EXPECT_EQ(all, EntryKind::file | EntryKind::directory | EntryKind::symlink);
  const Flags<EntryKind> files = all.without(EntryKind::directory | EntryKind::symlink);
  EXPECT_EQ(files, Flags<EntryKind>(EntryKind::file));
  EXPECT_TRUE(files.without(EntryKind::file).empty());
  EXPECT_EQ(all.without({}), all);
}

TEST(Flags, CleanupJudgesByEveryTimestampByDefault) {
  EXPECT_EQ(CleanupOptions{}.age_by, (Flags<Timestamp>{Timestamp::access, Timestamp::modification,
                                                       Timestamp::change, Timestamp::birth}));
}

}  // namespace
}  // namespace tmpctl

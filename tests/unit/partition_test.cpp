// Which rank owns which chip (systemc/dist/partition.hpp): contiguous blocks by
// default, a list or a file otherwise; every misuse a located error.
#include "systemc/dist/partition.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace tsp::dist {
namespace {

std::string error_of(uint32_t chips, int ranks, const std::string& spec) {
  try {
    dist::partition(chips, ranks, spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Partition, ContiguousBlocksFirstRanksOneMore) {
  EXPECT_EQ(dist::partition(8, 1, ""), (std::vector<int>(8, 0)));
  EXPECT_EQ(dist::partition(8, 4, ""), (std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(dist::partition(10, 4, ""), (std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(dist::partition(8, 8, ""), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Partition, InterleaveDealsChipsRoundRobin) {
  EXPECT_EQ(dist::partition(8, 3, "interleave"), (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1}));
  EXPECT_EQ(dist::partition(4, 4, "interleave"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(error_of(2, 4, "interleave"),
            "tsp run: error: 4 ranks for 2 chips: every rank needs a chip (use fewer ranks)");
}

TEST(Partition, ListAndFile) {
  EXPECT_EQ(dist::partition(4, 2, "1,0,0,1"), (std::vector<int>{1, 0, 0, 1}));
  const std::string file = ::testing::TempDir() + "/partition.txt";
  std::ofstream(file) << "# two nodes\n0 1  # chips 0, 1\n1,0\n";
  EXPECT_EQ(dist::partition(4, 2, file), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(error_of(4, 3, file), "--partition: error: rank 2 owns no chip: every rank needs one");
  std::remove(file.c_str());
  // racks8's 576 chips dealt over 2 ranks: a list longer than a file name may be (it once threw ENAMETOOLONG).
  std::string list;
  std::vector<int> dealt;
  for (int c = 0; c < 576; ++c) {
    if (c) list += ',';
    list += c % 2 ? '1' : '0';
    dealt.push_back(c % 2);
  }
  EXPECT_EQ(dist::partition(576, 2, list), dealt);
}

TEST(Partition, Errors) {
  EXPECT_EQ(error_of(2, 4, ""), "tsp run: error: 4 ranks for 2 chips: every rank needs a chip (use fewer ranks)");
  EXPECT_EQ(error_of(4, 2, "0,1,1"), "--partition: error: the partition names 3 chips' ranks, the system has 4 chips");
  EXPECT_EQ(error_of(4, 2, "0,1,2,1"), "--partition: error: chip 2 on rank 2, but the job has 2 ranks");
  EXPECT_EQ(error_of(4, 2, "0,1,x,1"), "--partition: error: 'x' is not a rank number");
  EXPECT_EQ(error_of(4, 2, "0,0,0,0"), "--partition: error: rank 1 owns no chip: every rank needs one");
}

}  // namespace
}  // namespace tsp::dist

//===- AreaModelTest.cpp - Area and peak rates of configurations ----------===//

#include "SimTestUtil.h"

#include "hdp/Sim/AreaModel.h"

#include <cstring>

using namespace hdp;
using namespace hdp::simtest;

namespace {

TEST(AreaModel, FollowsTheUnitsOfTheConfiguration) {
  accel::AccelConfig edge = loadConfig("hdp-edge.json");
  sim::Area base = sim::computeArea(edge);
  EXPECT_DOUBLE_EQ(base.total(),
                   base.peInt + base.pePv + base.se + base.softmax + base.sram);
  for (double part : {base.peInt, base.pePv, base.se, base.softmax, base.sram})
    EXPECT_GT(part, 0.0);

  // Twice the arrays: twice the PE area, nothing else changes.
  accel::AccelConfig arrays = edge;
  arrays.peArraysPerCore *= 2;
  sim::Area a = sim::computeArea(arrays);
  EXPECT_DOUBLE_EQ(a.peInt, 2 * base.peInt);
  EXPECT_DOUBLE_EQ(a.pePv, 2 * base.pePv);
  EXPECT_DOUBLE_EQ(a.sram, base.sram);
  EXPECT_DOUBLE_EQ(a.se, base.se);

  // A P·V datapath twice as fast needs twice the f32 MACs.
  accel::AccelConfig fastPv = edge;
  fastPv.pvPairCycles /= 2;
  EXPECT_DOUBLE_EQ(sim::computeArea(fastPv).pePv, 2 * base.pePv);
  EXPECT_DOUBLE_EQ(sim::computeArea(fastPv).peInt, base.peInt);

  // SRAM area is proportional to the bytes of all buffers of all cores.
  accel::AccelConfig score = edge;
  score.scoreBufferBytes += 65536;
  EXPECT_NEAR(sim::computeArea(score).sram - base.sram,
              base.sram * 65536.0 /
                  double(edge.qBufferBytes + edge.kBufferBytes +
                         edge.vBufferBytes + edge.maskBufferBytes +
                         edge.scoreBufferBytes + edge.thetaBufferBytes +
                         edge.blockMaskBufferBytes + edge.outBufferBytes),
              1e-12);
  accel::AccelConfig cores = edge;
  cores.cores *= 2;
  EXPECT_NEAR(sim::computeArea(cores).total(), 2 * base.total(), 1e-12);

  // The server is the bigger design.
  EXPECT_GT(sim::computeArea(loadConfig("hdp-server.json")).total(),
            4 * base.total());
}

TEST(AreaModel, PeakRatesAreTheDocumentedOnes) {
  // docs/accelerator.md: 1 024 (edge) and 8 192 (server) 4-bit MACs per
  // cycle; P·V at a quarter of that rate.
  sim::PeakRates edge = sim::peakRates(loadConfig("hdp-edge.json"));
  sim::PeakRates server = sim::peakRates(loadConfig("hdp-server.json"));
  EXPECT_EQ(edge.intMacsPerCycle, 1024);
  EXPECT_EQ(server.intMacsPerCycle, 8192);
  EXPECT_EQ(edge.pvMacsPerCycle, 256);
  EXPECT_EQ(server.pvMacsPerCycle, 2048);
  EXPECT_EQ(edge.dramBytesPerCycle, 16);
}

TEST(AreaModel, EveryFigureHasASource) {
  ASSERT_FALSE(sim::areaFigures().empty());
  for (const sim::AreaFigure &f : sim::areaFigures()) {
    EXPECT_GT(f.um2, 0.0) << f.name;
    EXPECT_GT(std::strlen(f.source), 10u) << f.name;
  }
}

} // namespace

// scripts/slurm/local-cluster.sh (ctest label slurm): two clusters side by side, each
// stopped without touching the other; a second start in one folder is refused; missing
// SLURM programs are named with the packages that hold them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/local_slurm_cluster.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

const std::string kScript = LATHE_SOURCE_DIR "/scripts/slurm/local-cluster.sh";

// The pids a cluster recorded in STATE_DIR/pids ("name pid marker" lines).
std::vector<long> recorded_pids(const std::filesystem::path& state_dir) {
  std::ifstream in(state_dir / "pids");
  std::vector<long> pids;
  std::string name;
  long pid = 0;
  std::string marker;
  while (in >> name >> pid >> marker) pids.push_back(pid);
  return pids;
}

// Running, not a zombie (daemons are nobody's children here once they have forked away).
bool alive(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  return static_cast<bool>(stat >> pid_field >> name >> state) && state != "Z";
}

// A one-command job runs to completion on the cluster.
bool runs_a_job(const LocalSlurmCluster& cluster) {
  const std::optional<std::string> id = cluster.submit("-o /dev/null --wrap true");
  return id && cluster.wait_until_finished(*id, std::chrono::seconds(60)).state == "COMPLETED";
}

TEST(LocalSlurmCluster, StopEndsOnlyTheDaemonsItsStartRecorded) {
  TempDir dir;
  auto first = std::make_unique<LocalSlurmCluster>(dir.path() / "first");
  ASSERT_TRUE(first->started()) << first->start_output();
  LocalSlurmCluster second(dir.path() / "second");
  ASSERT_TRUE(second.started()) << second.start_output();
  const std::vector<long> first_pids = recorded_pids(dir.path() / "first");
  const std::vector<long> second_pids = recorded_pids(dir.path() / "second");
  ASSERT_EQ(first_pids.size(), 3U);  // munged, slurmctld, slurmd
  ASSERT_EQ(second_pids.size(), 3U);
  EXPECT_TRUE(runs_a_job(second));

  first.reset();  // local-cluster.sh stop
  for (const long pid : first_pids) EXPECT_FALSE(alive(pid)) << "pid " << pid << " still runs after stop";
  for (const long pid : second_pids) EXPECT_TRUE(alive(pid)) << "the other cluster's pid " << pid << " was stopped";
  const RunResult status = run_lathe_command(kScript + " status " + (dir.path() / "second").string());
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("partition lathe"), std::string::npos) << status.output;
  EXPECT_TRUE(runs_a_job(second));
}

TEST(LocalSlurmCluster, SecondStartInTheSameFolderIsRefused) {
  TempDir dir;
  LocalSlurmCluster cluster(dir.path() / "state");
  ASSERT_TRUE(cluster.started()) << cluster.start_output();
  const RunResult again = run_lathe_command(kScript + " start " + (dir.path() / "state").string());
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("a cluster already runs from " + (dir.path() / "state").string()), std::string::npos)
      << again.output;
  EXPECT_TRUE(runs_a_job(cluster));
}

TEST(LocalSlurmCluster, MissingProgramsAreNamedWithTheirPackages) {
  TempDir dir;
  // Without /usr/sbin on PATH, munged, slurmctld and slurmd are not found.
  const RunResult start =
      run_lathe_command("env PATH=/usr/bin:/bin bash " + kScript + " start " + (dir.path() / "state").string());
  EXPECT_NE(start.exit_code, 0);
  EXPECT_NE(start.output.find("missing munged slurmctld slurmd"), std::string::npos) << start.output;
  EXPECT_NE(start.output.find("slurmctld slurmd slurm-client munge"), std::string::npos) << start.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "state" / "pids"));
}

TEST(LocalSlurmCluster, UnknownCommandPrintsTheUsage) {
  const RunResult run = run_lathe_command(kScript + " restart");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("usage:"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace lathe::test_support

#include "campaign/campaign_folder.h"

#include <filesystem>

#include "core/error.h"
#include "search/atomic_text_file.h"

namespace lathe::campaign {
namespace fs = std::filesystem;

CampaignPaths campaign_paths(const std::string& folder) {
  const fs::path root(folder);
  return {folder,
          (root / "campaign.yaml").string(),
          (root / "summary.csv").string(),
          (root / "tasks.csv").string(),
          (root / "summary.html").string(),
          (root / "slurm").string(),
          (root / "locks").string()};
}

void open_campaign_folder(const Campaign& campaign) {
  const CampaignPaths paths = campaign_paths(campaign.file.output);
  if (fs::exists(paths.campaign)) {
    const Campaign stored = load_campaign(paths.campaign, Reading::matrix_only);
    LATHE_CHECK(stored.file.name == campaign.file.name, paths.folder, ": holds campaign '", stored.file.name,
                "', not '", campaign.file.name, "' of ", campaign.path,
                "; nothing was changed. Use another output folder");
  } else if (fs::exists(paths.folder)) {
    LATHE_CHECK(fs::is_directory(paths.folder), paths.folder, ": exists and is not a folder");
    LATHE_CHECK(fs::is_empty(paths.folder), paths.folder,
                ": holds files but no campaign.yaml, so it is not a Lathe campaign's folder; nothing was "
                "changed. Use another output folder");
  }
  fs::create_directories(paths.locks);
  fs::create_directories(paths.slurm);
  search::write_text_file_atomically(paths.campaign, campaign.yaml_text, "campaign copy");
}

std::string task_lock_path(const Campaign& campaign, const CampaignTask& task) {
  return (fs::path(campaign_paths(campaign.file.output).locks) / (task.name + ".lock")).string();
}

std::string prepare_lock_path(const Campaign& campaign) {
  return (fs::path(campaign_paths(campaign.file.output).locks) / "prepare.lock").string();
}

}  // namespace lathe::campaign

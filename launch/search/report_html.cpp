#include "search/report_html.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/error.h"
#include "search/report_format.h"
#include "search/report_pareto_plot.h"
#include "search/report_progress_plot.h"
#include "search/report_style.h"
#include "search/report_summary.h"
#include "search/report_table.h"

namespace lathe::search {
namespace {

namespace fs = std::filesystem;

std::string section(const std::string& id, const std::string& title, const std::string& note,
                    const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + html_escape(title) + "</h2>" +
         (note.empty() ? std::string() : "<p class=\"note\">" + html_escape(note) + "</p>") + body +
         "</section>";
}

// Writes all of `text` to a fresh file and syncs it: the rename only replaces the old
// report safely across a crash if the new one's data reached the disk first. On failure
// the file it created is removed (nothing is removed that it did not create).
void write_and_sync(const fs::path& file, const std::string& text, const std::string& path) {
  const int descriptor = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  LATHE_CHECK(descriptor >= 0, path, ": cannot create the temporary report ", file.string(), ": ",
              std::strerror(errno));
  const auto abandon = [&](const std::string& what, int error_number) {
    ::close(descriptor);
    ::unlink(file.c_str());
    fail(path, ": cannot ", what, " the temporary report ", file.string(), ": ", std::strerror(error_number));
  };
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0)
      abandon("write (" + std::to_string(written) + " of " + std::to_string(text.size()) + " bytes written)",
              count < 0 ? errno : ENOSPC);
    written += static_cast<std::size_t>(count);
  }
  if (::fsync(descriptor) != 0) abandon("sync to disk", errno);
  if (::close(descriptor) != 0) {
    const int close_errno = errno;
    ::unlink(file.c_str());
    fail(path, ": cannot close the temporary report ", file.string(), ": ", std::strerror(close_errno));
  }
}

}  // namespace

std::string render_report_html(const SearchOutcome& outcome) {
  const std::string title =
      "Lathe search: " + (outcome.experiment_name.empty() ? "report" : outcome.experiment_name);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      html_escape(title) + "</title><style>" + report_stylesheet() + "</style></head><body><main>";
  html += render_report_header(outcome);
  html +=
      section("front", "Pareto front",
              "Stored size against validation accuracy. Feasible evaluations are circles (the Pareto front "
              "in orange, joined by its step line), infeasible ones grey crosses; click a point for its row.",
              render_pareto_plot(outcome));
  html += section("best", "Best model per accuracy limit",
                  "The smallest feasible evaluation whose validation accuracy is at most that far below the "
                  "base's (feasible: meets every constraint of the experiment).",
                  render_best_per_limit(outcome));
  html += section("progress", "Progress over time",
                  "The smallest feasible stored size found so far and the number of feasible evaluations, "
                  "against search time.",
                  render_progress_plot(outcome));
  html +=
      section("evaluations", "Evaluations",
              "Every evaluation in id order (click a column to sort). Test accuracy is reported, never used "
              "for selection.",
              render_evaluation_table(outcome));
  html += section("experiment", "Experiment file", outcome.experiment_path,
                  "<pre class=\"experiment\">" + html_escape(outcome.experiment_yaml) + "</pre>");
  html += "<footer>Written by <code>lathe search</code>.</footer></main><script>";
  html += report_script();
  return html + "</script></body></html>\n";
}

void write_report_html(const std::string& path, const SearchOutcome& outcome) {
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  LATHE_CHECK(fs::is_directory(directory, error), path, ": cannot write the report: its directory ",
              directory.string(), " does not exist");
  const std::string html = render_report_html(outcome);
  const fs::path temporary(path + ".tmp");
  // A leftover from a crashed write is ours to replace; anything else there (a
  // directory) makes the create below fail with its name.
  if (fs::is_regular_file(fs::symlink_status(temporary, error))) fs::remove(temporary, error);
  write_and_sync(temporary, html, path);
  fs::rename(temporary, target, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    fail(path, ": cannot replace it with the new report ", temporary.string(), ": ", error.message());
  }
}

}  // namespace lathe::search

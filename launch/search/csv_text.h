// CSV fields as `lathe results --csv` and a campaign's summary write them: text quoted
// only where it holds a comma, quote or line break; numbers in their shortest exact
// spelling, "" for NaN (not measured), inf and -inf spelled out.
#pragma once

#include <string>

namespace lathe::search {

std::string csv_text(const std::string& text);
std::string csv_number(double value);

// One line of fields joined by commas, ended by a line break.
class CsvLine {
 public:
  CsvLine& operator<<(const std::string& field) {
    line_ += (started_ ? "," : "") + field;
    started_ = true;
    return *this;
  }
  [[nodiscard]] std::string text() const { return line_ + "\n"; }

 private:
  std::string line_;
  bool started_ = false;
};

}  // namespace lathe::search

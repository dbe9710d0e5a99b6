// The stylesheet and the one small script report.html inlines (the page is one file
// with nothing to fetch). The script only sorts the evaluations table by a clicked
// column; the page is complete without it.
#pragma once

namespace lathe::search {

const char* report_stylesheet();
const char* report_script();

}  // namespace lathe::search

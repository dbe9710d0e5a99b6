// One evaluation record as one line of JSON: what the journal stores and results.json
// lists. Lossless both ways: record_from_json(record_to_json(r)) equals r field by field
// (doubles exactly, NaN as null, infinities as "inf" / "-inf").
//
//   {"id": 3, "rung": 0, "point": "{\"prune.ratio\": 0.5}", "recipe": "- prune: ...",
//    "metrics": {"status": "ok", ...}, "objectives": [0.31, 12000], "feasible": true,
//    "violated": "", "finished_seconds": 41.5, "artifact": "candidates/3.h5"}
//
// point and recipe are strings holding their own text (JSON, YAML), so they read back
// byte for byte.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

// One line: every field, no newline inside (text is escaped), metrics nested as an object.
std::string record_to_json(const EvaluationRecord& record);
// The inverse; malformed JSON, a value of the wrong kind, a repeated or an unknown field
// throws lathe::Error naming `source` and the field. Missing fields keep their defaults.
EvaluationRecord record_from_json(const std::string& json, const std::string& source);

}  // namespace lathe::search

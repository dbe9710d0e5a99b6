// How report.html writes text and numbers: HTML-escaped text, and metrics in the units a
// reader compares (kB, %, "7.4×", "3 min 12 s"). A value that was never measured (NaN, or
// a size of 0) prints as "—", so neither "nan" nor a fake zero reaches the page.
#pragma once

#include <cstdint>
#include <string>

namespace lathe::search {

// &, <, >, " and ' as entities: safe in element text and in quoted attribute values.
std::string html_escape(const std::string& text);

// Decimal units, as docs/stored-size.md counts bytes: "980 B", "12.3 kB", "4.56 MB".
std::string format_bytes(double bytes);
// A fraction as a percentage: 0.98312 -> "98.31 %".
std::string format_percent(double fraction, int decimals = 2);
// How many times smaller than the base: "7.4×" ("—" when either size is unknown).
std::string format_ratio(std::int64_t base_bytes, std::int64_t bytes);
// "0.84 s", "42.0 s", "3 min 12 s", "2 h 05 min".
std::string format_duration(double seconds);
// Thousands separated by commas: 1234567 -> "1,234,567".
std::string format_count(std::int64_t value);
// `significant` digits, "—" for NaN, "inf" / "-inf" spelled out.
std::string format_number(double value, int significant = 4);
// `decimals` after the point, "—" for a non-finite value.
std::string format_fixed(double value, int decimals);

}  // namespace lathe::search

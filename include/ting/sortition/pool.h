#pragma once
// The inputs of a selection: the quotas (categories.csv) and the pool of volunteers
// (people.csv), in the CSV format of the Sortition Foundation's sortition-algorithms.
//
// categories.csv: header `feature,value,min,max` (or the old `category,name,min,max`), optional
// `min_flex,max_flex`. people.csv: an id column, one column per feature, any other columns.
// Values match case-insensitively (ASCII and the Latin-1 letters of UTF-8, so Å/å, Ä/ä, Ö/ö).
// Every error names the file and line: "people.csv:12: unknown value 'X' for feature 'kon'".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/result.h"

namespace ting::sortition {

struct Quota {
  int feature = 0;          // index into Categories::features
  std::string value;        // as written in categories.csv
  int min = 0;
  int max = 0;
  int min_flex = 0;         // a relaxation may lower min down to min_flex (default 0)
  int max_flex = -1;        // ... and raise max up to max_flex (-1: no bound given)
  int line = 0;             // line in categories.csv
};

struct Categories {
  std::string file;                   // for error messages
  std::vector<std::string> features;  // in order of first appearance
  std::vector<Quota> quotas;          // file order; quotas of one feature need not be adjacent
  bool has_flex = false;

  // Index of the quota of feature f whose value matches (case-insensitively), or -1.
  int FindValue(int feature, std::string_view value) const;
};

struct Person {
  std::string id;
  std::vector<int> quota;      // per feature: index into Categories::quotas
  std::vector<std::string> feature_text;  // per feature: the value as written (for digests)
  std::vector<std::string> address;       // the address columns, as written (trimmed)
  int household = -1;          // index of a multi-person household, or -1 (alone)
  int line = 0;                // line in people.csv
};

struct Pool {
  std::string file;
  std::vector<Person> people;  // sorted by id (bytewise), so results never depend on row order
  int num_households = 0;      // households with two or more people
};

// Case-folds ASCII and the UTF-8 Latin-1 supplement letters (À-Þ -> à-þ).
std::string FoldCase(std::string_view s);

// Splits CSV text into rows of fields (RFC 4180 quoting, CRLF or LF, optional UTF-8 BOM).
// Each row keeps its starting line number. Empty lines are skipped.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, const std::string& file);

Result<Categories> ParseCategories(std::string_view text, const std::string& file);
Result<Pool> ParsePeople(std::string_view text, const std::string& file, const Categories& categories,
                         const std::string& id_column, const std::vector<std::string>& address_columns);

// Errors that no relaxation should paper over, each naming file:line: per feature the quotas
// cannot sum to panel_size (sum of min > size or sum of max < size), min > max, or a value
// nobody in the pool has while its min is > 0. Shortfalls that a relaxation can fix (fewer
// people with a value than its min) are left to the selection (Error::Infeasible).
Status CheckQuotas(const Categories& categories, const Pool& pool, int panel_size);

// SHA-256 over the canonical inputs (see docs/selection.md, "inputs digest").
std::string InputsDigest(const Categories& categories, const Pool& pool, int panel_size,
                         const std::string& id_column, const std::vector<std::string>& address_columns);

}  // namespace ting::sortition

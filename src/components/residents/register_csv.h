#pragma once
// Reading a register of residents from CSV: a municipality's extract, a housing company's
// tenant list, a school's class list. UTF-8 with or without a byte-order mark; ';' (what Excel
// writes in Sweden) or ',' separated, told apart by the header line; fields may be quoted
// ("a ""quoted"" name", a quoted field may hold the separator or a line break).
// Columns, in any order, named in the header: person_id, name, district (required columns);
// birth_date (YYYY-MM-DD), household, email, phone, language (optional). A file with any bad row
// is refused whole: every problem is listed with its line (1-based, the header is line 1) and
// column.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ting::components {

struct RegisterRow {
  int line = 0;  // where it starts in the file
  std::string person_id, name, district, birth_date, household, email, phone, language;
};

struct RegisterProblem {
  int line = 0;
  std::string column;  // "" for the row as a whole
  std::string error;   // a catalogue key: residents.problem.*
};

struct RegisterFile {
  std::vector<RegisterRow> rows;
  std::vector<RegisterProblem> problems;  // empty when every row is good
  std::vector<std::string> columns;       // the optional columns the file has
};

// Parses and checks a whole file. today ("YYYY-MM-DD") bounds birth dates.
RegisterFile ReadRegisterCsv(std::string_view text, const std::string& today);

}  // namespace ting::components

#include "register_csv.h"

#include <algorithm>
#include <array>
#include <set>

#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/components/residents.h"  // NormalisePersonId

namespace ting::components {

namespace {

constexpr size_t kMaxField = 500;

// The records of a CSV text: fields, and the line each record starts on. A quoted field may
// hold the separator, line breaks and doubled quotes. unclosed is the line of a quote never
// closed (0 when none).
struct Record {
  int line;
  std::vector<std::string> fields;
};

std::vector<Record> Records(std::string_view text, char sep, int& unclosed) {
  std::vector<Record> out;
  int line = 1;
  size_t i = 0;
  unclosed = 0;
  while (i < text.size()) {
    Record r{line, {}};
    std::string field;
    bool quoted = false, was_quoted = false;
    int quote_line = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          field += c;
        }
        continue;
      }
      if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
        quote_line = line;
      } else if (c == sep) {
        r.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        continue;
      } else if (c == '\n') {
        ++line;
        ++i;
        break;
      } else {
        field += c;
      }
    }
    if (quoted) unclosed = quote_line;
    r.fields.push_back(std::move(field));
    bool blank = r.fields.size() == 1 && Trim(r.fields[0]).empty();
    if (!blank) out.push_back(std::move(r));
  }
  return out;
}

// A birth date: a calendar day, from 1880 on.
bool ValidDate(const std::string& d) { return IsCalendarDate(d) && d >= "1880"; }

bool ValidLanguage(const std::string& code) {
  if (code.size() < 2 || code.size() > 8) return false;
  return std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

}  // namespace

std::string NormalisePersonId(std::string_view id) {
  std::string out;
  for (char c : Trim(id)) {
    if (c == ' ' || c == '-' || c == '+') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

RegisterFile ReadRegisterCsv(std::string_view text, const std::string& today) {
  RegisterFile file;
  auto problem = [&](int line, std::string column, const char* key) { file.problems.push_back({line, std::move(column), key}); };
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  if (size_t bad = FirstInvalidUtf8Line(text)) {
    problem(static_cast<int>(bad), "", TING_KEY("residents.problem.not_utf8"));
    return file;
  }
  std::string_view header_line = text.substr(0, text.find('\n'));
  char sep = std::count(header_line.begin(), header_line.end(), ';') > std::count(header_line.begin(), header_line.end(), ',') ? ';' : ',';
  int unclosed = 0;
  std::vector<Record> records = Records(text, sep, unclosed);
  if (unclosed) problem(unclosed, "", TING_KEY("residents.problem.unclosed_quote"));
  if (records.empty()) {
    problem(1, "", TING_KEY("residents.problem.empty"));
    return file;
  }
  // The header names the columns.
  const std::vector<std::string> known = {"person_id", "name", "district", "birth_date", "household", "email", "phone", "language"};
  std::vector<int> at(known.size(), -1);
  const Record& header = records.front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = AsciiLower(Trim(header.fields[i]));
    auto k = std::find(known.begin(), known.end(), name);
    if (k == known.end()) {
      problem(header.line, std::string(Trim(header.fields[i])), TING_KEY("residents.problem.unknown_column"));
      continue;
    }
    if (at[k - known.begin()] >= 0) problem(header.line, name, TING_KEY("residents.problem.column_twice"));
    at[k - known.begin()] = static_cast<int>(i);
  }
  for (size_t k = 0; k < 3; ++k)
    if (at[k] < 0) problem(header.line, known[k], TING_KEY("residents.problem.missing_column"));
  for (size_t k = 3; k < known.size(); ++k)
    if (at[k] >= 0) file.columns.push_back(known[k]);
  if (!file.problems.empty()) return file;

  std::set<std::string> seen;
  for (size_t r = 1; r < records.size(); ++r) {
    const Record& rec = records[r];
    if (rec.fields.size() != header.fields.size()) {
      problem(rec.line, "", TING_KEY("residents.problem.field_count"));
      continue;
    }
    auto get = [&](size_t k) { return at[k] < 0 ? std::string() : std::string(Trim(rec.fields[at[k]])); };
    RegisterRow row;
    row.line = rec.line;
    row.person_id = get(0);
    row.name = get(1);
    row.district = get(2);
    row.birth_date = get(3);
    row.household = get(4);
    row.email = get(5);
    row.phone = get(6);
    row.language = AsciiLower(get(7));
    for (size_t k = 0; k < known.size(); ++k)
      if (get(k).size() > kMaxField) problem(rec.line, known[k], TING_KEY("residents.problem.too_long"));
    std::string id = NormalisePersonId(row.person_id);
    if (id.empty()) {
      problem(rec.line, "person_id", TING_KEY("residents.problem.person_id_missing"));
    } else if (!seen.insert(id).second) {
      problem(rec.line, "person_id", TING_KEY("residents.problem.person_id_twice"));
    }
    if (row.name.empty()) problem(rec.line, "name", TING_KEY("residents.problem.name_missing"));
    if (!row.birth_date.empty() && (!ValidDate(row.birth_date) || row.birth_date > today))
      problem(rec.line, "birth_date", TING_KEY("residents.problem.birth_date"));
    if (!row.email.empty() && (row.email.find('@') == std::string::npos || row.email.find(' ') != std::string::npos))
      problem(rec.line, "email", TING_KEY("residents.problem.email"));
    if (!row.language.empty() && !ValidLanguage(row.language)) problem(rec.line, "language", TING_KEY("residents.problem.language"));
    file.rows.push_back(std::move(row));
  }
  if (!file.problems.empty()) file.rows.clear();
  return file;
}

}  // namespace ting::components

#include "ting/sortition/pool.h"

#include <algorithm>
#include <map>
#include <set>

#include "ting/base/digest.h"
#include "ting/base/strings.h"

namespace ting::sortition {
namespace {

Error At(const std::string& file, int line, const std::string& message) {
  return Error::Invalid(file + ":" + std::to_string(line) + ": " + message);
}

std::optional<int> ParseCount(std::string_view s) {
  auto v = ParseInt64(Trim(s));
  if (!v || *v < 0 || *v > 1000000000) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace

std::string FoldCase(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < out.size()) {
      unsigned char d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

Result<std::vector<CsvRow>> ParseCsv(std::string_view text, const std::string& file) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (size_t bad = FirstInvalidUtf8Line(text)) return At(file, static_cast<int>(bad), "not valid UTF-8 text (save the file as UTF-8)");
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false, field_started = false, row_has_content = false;
  auto end_field = [&] {
    row.fields.push_back(field);
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    if (row_has_content) rows.push_back(std::move(row));
    row = CsvRow();
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = field_started = row_has_content = true;
    } else if (c == ',') {
      end_field();
      row_has_content = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // handled by the '\n'
    } else if (c == '\n' || c == '\r') {
      end_row();
      row.line = ++line;
    } else {
      field += c;
      field_started = true;
      if (c != ' ' && c != '\t') row_has_content = true;
    }
  }
  if (in_quotes) return At(file, row.line, "unterminated quoted field");
  end_row();
  return rows;
}

int Categories::FindValue(int feature, std::string_view value) const {
  std::string folded = FoldCase(Trim(value));
  for (size_t q = 0; q < quotas.size(); ++q) {
    if (quotas[q].feature == feature && FoldCase(quotas[q].value) == folded) return static_cast<int>(q);
  }
  return -1;
}

Result<Categories> ParseCategories(std::string_view text, const std::string& file) {
  TING_ASSIGN_OR_RETURN(auto rows, ParseCsv(text, file));
  if (rows.empty()) return At(file, 1, "empty file; expected header feature,value,min,max");
  std::map<std::string, int> col;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) col[AsciiLower(Trim(rows[0].fields[i]))] = static_cast<int>(i);
  auto pick = [&](const char* a, const char* b) { return col.count(a) ? col[a] : (col.count(b) ? col[b] : -1); };
  const int c_feature = pick("feature", "category");
  const int c_value = pick("value", "name");
  const int c_min = pick("min", "min");
  const int c_max = pick("max", "max");
  const int c_min_flex = pick("min_flex", "min_flex");
  const int c_max_flex = pick("max_flex", "max_flex");
  if (c_feature < 0 || c_value < 0 || c_min < 0 || c_max < 0) {
    return At(file, rows[0].line, "header must be feature,value,min,max (or category,name,min,max)");
  }
  if ((c_min_flex < 0) != (c_max_flex < 0)) {
    return At(file, rows[0].line, "min_flex and max_flex must be given together");
  }
  Categories cats;
  cats.file = file;
  cats.has_flex = c_min_flex >= 0;
  std::set<std::pair<int, std::string>> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r].fields;
    const int line = rows[r].line;
    auto field = [&](int c) -> std::string_view {
      return c >= 0 && c < static_cast<int>(f.size()) ? Trim(f[c]) : std::string_view();
    };
    std::string feature(field(c_feature)), value(field(c_value));
    if (feature.empty() || value.empty()) return At(file, line, "feature and value must not be empty");
    Quota q;
    auto mn = ParseCount(field(c_min)), mx = ParseCount(field(c_max));
    if (!mn || !mx) return At(file, line, "min and max must be non-negative integers");
    q.min = *mn;
    q.max = *mx;
    if (q.min > q.max) return At(file, line, "min " + std::to_string(q.min) + " > max " + std::to_string(q.max));
    if (cats.has_flex) {
      auto fmn = ParseCount(field(c_min_flex)), fmx = ParseCount(field(c_max_flex));
      if (!fmn || !fmx) return At(file, line, "min_flex and max_flex must be non-negative integers");
      if (*fmn > q.min || *fmx < q.max) {
        return At(file, line, "need min_flex <= min <= max <= max_flex");
      }
      q.min_flex = *fmn;
      q.max_flex = *fmx;
    }
    auto it = std::find_if(cats.features.begin(), cats.features.end(),
                           [&](const std::string& s) { return FoldCase(s) == FoldCase(feature); });
    if (it == cats.features.end()) {
      cats.features.push_back(feature);
      it = cats.features.end() - 1;
    }
    q.feature = static_cast<int>(it - cats.features.begin());
    if (!seen.insert({q.feature, FoldCase(value)}).second) {
      return At(file, line, "duplicate value '" + value + "' for feature '" + feature + "'");
    }
    q.value = value;
    q.line = line;
    cats.quotas.push_back(std::move(q));
  }
  if (cats.quotas.empty()) return At(file, rows[0].line, "no quotas");
  return cats;
}

Result<Pool> ParsePeople(std::string_view text, const std::string& file, const Categories& cats,
                         const std::string& id_column, const std::vector<std::string>& address_columns) {
  TING_ASSIGN_OR_RETURN(auto rows, ParseCsv(text, file));
  if (rows.empty()) return At(file, 1, "empty file; expected a header row");
  const auto& header = rows[0].fields;
  auto find_column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (FoldCase(Trim(header[i])) == FoldCase(Trim(name))) return static_cast<int>(i);
    }
    return -1;
  };
  const int c_id = find_column(id_column);
  if (c_id < 0) return At(file, rows[0].line, "no id column '" + id_column + "' in the header");
  std::vector<int> c_feature;
  for (const auto& f : cats.features) {
    int c = find_column(f);
    if (c < 0) return At(file, rows[0].line, "no column for feature '" + f + "' (from " + cats.file + ")");
    c_feature.push_back(c);
  }
  std::vector<int> c_address;
  for (const auto& a : address_columns) {
    int c = find_column(a);
    if (c < 0) return At(file, rows[0].line, "no address column '" + a + "' in the header");
    c_address.push_back(c);
  }
  Pool pool;
  pool.file = file;
  std::map<std::string, int> id_line;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r].fields;
    const int line = rows[r].line;
    if (f.size() != header.size()) {
      return At(file, line, "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(f.size()));
    }
    Person p;
    p.id = std::string(Trim(f[c_id]));
    p.line = line;
    if (p.id.empty()) return At(file, line, "empty id");
    auto [it, inserted] = id_line.emplace(p.id, line);
    if (!inserted) return At(file, line, "duplicate id '" + p.id + "' (first on line " + std::to_string(it->second) + ")");
    for (size_t k = 0; k < cats.features.size(); ++k) {
      std::string value(Trim(f[c_feature[k]]));
      int q = cats.FindValue(static_cast<int>(k), value);
      if (q < 0) {
        return At(file, line, "unknown value '" + value + "' for feature '" + cats.features[k] + "' (not in " +
                                  cats.file + ")");
      }
      p.quota.push_back(q);
      p.feature_text.push_back(value);
    }
    for (int c : c_address) p.address.emplace_back(Trim(f[c]));
    pool.people.push_back(std::move(p));
  }
  std::sort(pool.people.begin(), pool.people.end(), [](const Person& a, const Person& b) { return a.id < b.id; });
  if (!address_columns.empty()) {
    std::map<std::vector<std::string>, std::vector<int>> by_address;
    for (size_t i = 0; i < pool.people.size(); ++i) {
      std::vector<std::string> key;
      for (const auto& a : pool.people[i].address) key.push_back(FoldCase(a));
      by_address[key].push_back(static_cast<int>(i));
    }
    // Households numbered in order of their first member (by id), independent of map order.
    std::vector<std::vector<int>> households;
    for (auto& [key, members] : by_address) {
      if (members.size() > 1) households.push_back(members);
    }
    std::sort(households.begin(), households.end());
    for (size_t h = 0; h < households.size(); ++h) {
      for (int i : households[h]) pool.people[i].household = static_cast<int>(h);
    }
    pool.num_households = static_cast<int>(households.size());
  }
  return pool;
}

Status CheckQuotas(const Categories& cats, const Pool& pool, int panel_size) {
  if (panel_size <= 0) return Error::Invalid("panel size must be positive");
  if (panel_size > static_cast<int>(pool.people.size())) {
    return Error::Invalid("panel size " + std::to_string(panel_size) + " exceeds the pool (" +
                          std::to_string(pool.people.size()) + " people in " + pool.file + ")");
  }
  std::vector<int> have(cats.quotas.size(), 0);
  for (const auto& p : pool.people)
    for (int q : p.quota) ++have[q];
  for (size_t f = 0; f < cats.features.size(); ++f) {
    long sum_min = 0, sum_max = 0;
    int first_line = 0;
    for (const auto& q : cats.quotas) {
      if (q.feature != static_cast<int>(f)) continue;
      if (!first_line) first_line = q.line;
      sum_min += q.min;
      sum_max += q.max;
    }
    if (sum_min > panel_size || sum_max < panel_size) {
      return At(cats.file, first_line,
                "quotas of feature '" + cats.features[f] + "' cannot sum to the panel size " +
                    std::to_string(panel_size) + " (mins sum to " + std::to_string(sum_min) + ", maxes to " +
                    std::to_string(sum_max) + ")");
    }
  }
  for (size_t q = 0; q < cats.quotas.size(); ++q) {
    const auto& quota = cats.quotas[q];
    if (have[q] == 0 && quota.min > 0) {
      return At(cats.file, quota.line,
                "nobody in " + pool.file + " has value '" + quota.value + "' of feature '" +
                    cats.features[quota.feature] + "', but its min is " + std::to_string(quota.min));
    }
  }
  return Status::Ok();
}

std::string InputsDigest(const Categories& cats, const Pool& pool, int panel_size, const std::string& id_column,
                         const std::vector<std::string>& address_columns) {
  // Canonical text, one record per line, fields separated by a TAB (CSV quoting removed,
  // surrounding blanks trimmed); see docs/selection.md.
  Sha256 h;
  h.Update("ting-sortition-inputs-v1\n");
  h.Update("panel_size\t" + std::to_string(panel_size) + "\n");
  h.Update("id_column\t" + id_column + "\n");
  h.Update("address_columns\t" + Join(address_columns, "\t") + "\n");
  for (const auto& q : cats.quotas) {
    h.Update("quota\t" + cats.features[q.feature] + "\t" + q.value + "\t" + std::to_string(q.min) + "\t" +
             std::to_string(q.max) + "\t" + std::to_string(q.min_flex) + "\t" + std::to_string(q.max_flex) + "\n");
  }
  for (const auto& p : pool.people) {  // sorted by id
    std::string line = "person\t" + p.id;
    for (size_t k = 0; k < p.quota.size(); ++k) line += "\t" + cats.quotas[p.quota[k]].value;
    for (const auto& a : p.address) line += "\t" + a;
    h.Update(line + "\n");
  }
  return h.FinishHex();
}

}  // namespace ting::sortition

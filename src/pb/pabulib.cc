#include "ting/pb/pabulib.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "ting/base/strings.h"

namespace ting::pb {
namespace {

constexpr int kMaxDecimals = 9;
constexpr int64_t kMaxMantissa = 1000000000000000000LL;  // 1e18: leaves room in int64
// Limits after scaling to a common exponent: kMaxMoney, kMaxPoints, kMaxTotalCost (election.h).

int64_t Pow10(int e) {
  int64_t r = 1;
  while (e-- > 0) r *= 10;
  return r;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsNone(std::string_view s) { return EqualsNoCase(s, "none"); }

// A non-negative decimal "123", "123.45" or "123,45" as mantissa * 10^-decimals, trailing
// fractional zeros dropped. False on anything else or when it does not fit.
bool ParseDecimal(std::string_view s, int64_t* mantissa, int* decimals) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  size_t dot = s.find_first_of(".,");
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return false;
  if (dot != std::string_view::npos && frac_part.empty() && int_part.empty()) return false;
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  if (frac_part.size() > static_cast<size_t>(kMaxDecimals)) return false;
  int64_t v = 0;
  for (std::string_view part : {int_part, frac_part}) {
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      if (v > (kMaxMantissa - 9) / 10) return false;
      v = v * 10 + (c - '0');
    }
  }
  // Digits after the dot that were all zeros still have to be digits.
  if (dot != std::string_view::npos) {
    for (char c : s.substr(dot + 1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  *mantissa = v;
  *decimals = static_cast<int>(frac_part.size());
  return true;
}

// Splits one line into fields at ';', honouring double quotes ("a;b" and "" for a quote).
// Unescaped fields are views into `line`; escaped ones live in `scratch`.
class RowSplitter {
 public:
  // Returns false on an unterminated quote.
  bool Split(std::string_view line, std::vector<std::string_view>* out) {
    out->clear();
    used_ = 0;
    size_t i = 0, n = line.size();
    while (true) {
      // Skip leading blanks to find an opening quote.
      size_t j = i;
      while (j < n && (line[j] == ' ' || line[j] == '\t')) ++j;
      if (j < n && line[j] == '"') {
        size_t k = j + 1;
        bool escaped = false;
        while (true) {
          if (k >= n) return false;
          if (line[k] == '"') {
            if (k + 1 < n && line[k + 1] == '"') {
              escaped = true;
              k += 2;
              continue;
            }
            break;
          }
          ++k;
        }
        std::string_view inner = line.substr(j + 1, k - j - 1);
        if (escaped) {
          if (used_ == scratch_.size()) scratch_.emplace_back();
          std::string& s = scratch_[used_++];
          s.clear();
          for (size_t p = 0; p < inner.size(); ++p) {
            s.push_back(inner[p]);
            if (inner[p] == '"') ++p;  // skip the doubled quote
          }
          out->push_back(s);
        } else {
          out->push_back(inner);
        }
        // Anything after the closing quote up to the separator is ignored if blank.
        size_t sep = line.find(';', k + 1);
        if (sep == std::string_view::npos) return true;
        i = sep + 1;
        continue;
      }
      size_t sep = line.find(';', i);
      if (sep == std::string_view::npos) {
        out->push_back(line.substr(i));
        return true;
      }
      out->push_back(line.substr(i, sep - i));
      i = sep + 1;
    }
  }

 private:
  std::deque<std::string> scratch_;  // a deque: growing it keeps earlier fields' views valid
  size_t used_ = 0;
};

enum class Section { kNone, kMeta, kProjects, kVotes };

class Parser {
 public:
  Parser(std::string_view content, const std::string& source) : content_(content), source_(source) {}

  Result<Election> Run();

 private:
  Error At(size_t line, const std::string& what) const {
    return Error::Invalid(source_ + ":" + std::to_string(line) + ": " + what);
  }
  Status MetaRow(size_t line);
  Status ProjectRow(size_t line);
  Status VoteRow(size_t line);
  Status StartVotes(size_t line);
  Status Finish();

  std::string_view content_;
  const std::string& source_;
  Election e_;
  RowSplitter splitter_;
  std::vector<std::string_view> fields_;

  // Costs as read: mantissa and decimals, scaled to a common exponent at the end.
  std::vector<std::pair<int64_t, int>> raw_costs_;
  std::vector<size_t> project_lines_;
  int64_t budget_mantissa_ = 0;
  int budget_decimals_ = 0;
  size_t budget_line_ = 0, vote_type_line_ = 0;
  bool have_budget_ = false, have_vote_type_ = false;
  int cost_column_ = -1, name_column_ = -1;
  int vote_column_ = -1, points_column_ = -1;
  std::unordered_map<std::string_view, int32_t> project_index_;
  std::vector<uint32_t> seen_in_ballot_;  // voter index + 1 that last listed each project
  std::vector<std::string_view> ids_, points_;
};

Status Parser::MetaRow(size_t line) {
  if (fields_.size() < 2) return At(line, "META row needs 'key;value'");
  std::string key(TrimBlanks(fields_[0]));
  std::string value(TrimBlanks(fields_[1]));
  for (size_t i = 2; i < fields_.size(); ++i) {  // unquoted ';' inside a value
    value += ';';
    value += fields_[i];
  }
  value = std::string(TrimBlanks(value));
  if (key == "budget") {
    if (!ParseDecimal(value, &budget_mantissa_, &budget_decimals_)) {
      return At(line, "budget '" + value + "' is not a non-negative decimal number");
    }
    have_budget_ = true;
    budget_line_ = line;
  } else if (key == "vote_type") {
    if (value == "approval" || value == "choose-1") {
      e_.vote_type = VoteType::kApproval;
    } else if (value == "cumulative") {
      e_.vote_type = VoteType::kCumulative;
    } else if (value == "scoring") {
      e_.vote_type = VoteType::kScoring;
    } else if (value == "ordinal") {
      e_.vote_type = VoteType::kOrdinal;
    } else {
      return At(line, "unknown vote_type '" + value +
                          "' (expected approval, choose-1, cumulative, scoring or ordinal)");
    }
    have_vote_type_ = true;
    vote_type_line_ = line;
  }
  e_.meta.emplace_back(std::move(key), std::move(value));
  return Status::Ok();
}

Status Parser::ProjectRow(size_t line) {
  if (fields_.size() > e_.project_columns.size()) {
    return At(line, "project row has " + std::to_string(fields_.size()) + " fields, header has " +
                        std::to_string(e_.project_columns.size()));
  }
  Project p;
  p.id = std::string(TrimBlanks(fields_[0]));
  if (p.id.empty()) return At(line, "project without an id");
  p.fields.reserve(fields_.size());
  for (auto f : fields_) p.fields.emplace_back(TrimBlanks(f));
  std::string_view cost = cost_column_ < static_cast<int>(fields_.size())
                              ? TrimBlanks(fields_[cost_column_]) : std::string_view();
  int64_t mantissa = 0;
  int decimals = 0;
  if (cost.empty() || IsNone(cost)) return At(line, "project '" + p.id + "' has no cost");
  if (!ParseDecimal(cost, &mantissa, &decimals)) {
    return At(line, "project '" + p.id + "': cost '" + std::string(cost) +
                        "' is not a non-negative decimal number");
  }
  if (name_column_ >= 0 && name_column_ < static_cast<int>(fields_.size())) {
    p.name = std::string(TrimBlanks(fields_[name_column_]));
  }
  for (const auto& q : e_.projects) {
    if (q.id == p.id) return At(line, "duplicate project id '" + p.id + "'");
  }
  raw_costs_.emplace_back(mantissa, decimals);
  project_lines_.push_back(line);
  e_.projects.push_back(std::move(p));
  return Status::Ok();
}

Status Parser::StartVotes(size_t line) {
  project_index_.clear();
  project_index_.reserve(e_.projects.size() * 2);
  for (size_t i = 0; i < e_.projects.size(); ++i) {
    project_index_.emplace(e_.projects[i].id, static_cast<int32_t>(i));
  }
  seen_in_ballot_.assign(e_.projects.size(), 0);
  vote_column_ = points_column_ = -1;
  for (size_t i = 0; i < e_.vote_columns.size(); ++i) {
    if (e_.vote_columns[i] == "vote") vote_column_ = static_cast<int>(i);
    if (e_.vote_columns[i] == "points") points_column_ = static_cast<int>(i);
  }
  if (vote_column_ < 0) return At(line, "VOTES header has no 'vote' column");
  if (!have_vote_type_) return At(line, "META has no vote_type before VOTES");
  return Status::Ok();
}

void SplitCommas(std::string_view s, std::vector<std::string_view>* out) {
  out->clear();
  if (TrimBlanks(s).empty() || IsNone(TrimBlanks(s))) return;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(',', start);
    std::string_view part = TrimBlanks(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    out->push_back(part);
    if (pos == std::string_view::npos) return;
    start = pos + 1;
  }
}

Status Parser::VoteRow(size_t line) {
  const size_t ncol = e_.vote_columns.size();
  if (fields_.size() > ncol) {
    return At(line, "vote row has " + std::to_string(fields_.size()) + " fields, header has " +
                        std::to_string(ncol));
  }
  const uint32_t voter = static_cast<uint32_t>(e_.NumVoters()) + 1;
  std::string_view vote = vote_column_ < static_cast<int>(fields_.size()) ? fields_[vote_column_]
                                                                         : std::string_view();
  SplitCommas(vote, &ids_);
  const bool has_points = e_.HasPoints();
  if (has_points) {
    std::string_view pts = points_column_ >= 0 && points_column_ < static_cast<int>(fields_.size())
                               ? fields_[points_column_] : std::string_view();
    SplitCommas(pts, &points_);
    if (points_.size() != ids_.size()) {
      return At(line, "ballot lists " + std::to_string(ids_.size()) + " projects but " +
                          std::to_string(points_.size()) + " points");
    }
  }
  for (size_t i = 0; i < ids_.size(); ++i) {
    std::string_view id = ids_[i];
    if (id.empty()) {
      // A trailing comma ("1,2,") is tolerated as pabutools does; an empty id among points is not.
      if (has_points) return At(line, "empty project id in vote");
      continue;
    }
    auto it = project_index_.find(id);
    if (it == project_index_.end()) {
      return At(line, "vote for unknown project '" + std::string(id) + "'");
    }
    int32_t p = it->second;
    if (seen_in_ballot_[p] == voter) {
      return At(line, "project '" + std::string(id) + "' appears twice in one ballot");
    }
    seen_in_ballot_[p] = voter;
    e_.ballot_projects.push_back(p);
    if (has_points) {
      int64_t mantissa = 0;
      int decimals = 0;
      if (!ParseDecimal(points_[i], &mantissa, &decimals)) {
        return At(line, "points '" + std::string(points_[i]) + "' for project '" +
                            std::string(id) + "' are not a non-negative number");
      }
      if (decimals > e_.points_decimals) {
        int64_t f = Pow10(decimals - e_.points_decimals);
        for (auto& v : e_.ballot_points) {
          if (v > kMaxPoints / f) return At(line, "points too large at this precision");
          v *= f;
        }
        e_.points_decimals = decimals;
      }
      int64_t f = Pow10(e_.points_decimals - decimals);
      if (mantissa > kMaxPoints / f) return At(line, "points '" + std::string(points_[i]) + "' too large");
      e_.ballot_points.push_back(mantissa * f);
    }
  }
  e_.ballot_offsets.push_back(static_cast<uint32_t>(e_.ballot_projects.size()));
  for (size_t c = 0; c < ncol; ++c) {
    if (static_cast<int>(c) == vote_column_ || static_cast<int>(c) == points_column_) continue;
    e_.extra_values.emplace_back(c < fields_.size() ? TrimBlanks(fields_[c]) : std::string_view());
  }
  return Status::Ok();
}

Status Parser::Finish() {
  if (!have_budget_) return At(1, "META has no budget");
  if (!have_vote_type_) return At(1, "META has no vote_type");
  int d = budget_decimals_;
  for (const auto& c : raw_costs_) d = std::max(d, c.second);
  e_.money_decimals = d;
  auto scale = [&](int64_t m, int dec, int64_t* out) {
    int64_t f = Pow10(d - dec);
    if (m > kMaxMoney / f) return false;
    *out = m * f;
    return true;
  };
  if (!scale(budget_mantissa_, budget_decimals_, &e_.budget)) {
    return At(budget_line_, "budget too large (limit 1e15 units)");
  }
  for (size_t i = 0; i < e_.projects.size(); ++i) {
    if (!scale(raw_costs_[i].first, raw_costs_[i].second, &e_.projects[i].cost)) {
      return At(project_lines_[i], "cost of project '" + e_.projects[i].id + "' too large (limit 1e15 units)");
    }
  }
  __int128 total = 0;
  for (const auto& p : e_.projects) total += p.cost;
  if (total > kMaxTotalCost) return At(project_lines_.empty() ? 1 : project_lines_[0], "costs add up to too much");
  return Status::Ok();
}

Result<Election> Parser::Run() {
  std::string_view rest = content_;
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  Section section = Section::kNone;
  bool expect_header = false;
  bool seen_projects = false, seen_votes = false;
  size_t line_no = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return At(line_no, "NUL byte in file");
    if (!splitter_.Split(line, &fields_)) return At(line_no, "unterminated quoted field");
    if (fields_.empty() || (fields_.size() == 1 && TrimBlanks(fields_[0]).empty())) continue;
    std::string_view first = TrimBlanks(fields_[0]);
    if (!expect_header && fields_.size() == 1 &&
        (EqualsNoCase(first, "meta") || EqualsNoCase(first, "projects") ||
         EqualsNoCase(first, "votes"))) {
      if (EqualsNoCase(first, "meta")) {
        if (section != Section::kNone) return At(line_no, "META must be the first section");
        section = Section::kMeta;
      } else if (EqualsNoCase(first, "projects")) {
        if (section != Section::kMeta) return At(line_no, "PROJECTS must follow META");
        section = Section::kProjects;
        seen_projects = true;
      } else {
        if (section != Section::kProjects) return At(line_no, "VOTES must follow PROJECTS");
        section = Section::kVotes;
        seen_votes = true;
      }
      expect_header = true;
      continue;
    }
    if (expect_header) {
      expect_header = false;
      std::vector<std::string> header;
      for (auto f : fields_) header.emplace_back(TrimBlanks(f));
      if (section != Section::kMeta) {
        for (size_t i = 0; i < header.size(); ++i) {
          for (size_t k = 0; k < i; ++k) {
            if (header[i] == header[k]) return At(line_no, "column '" + header[i] + "' appears twice in the header");
          }
        }
      }
      if (section == Section::kProjects) {
        e_.project_columns = header;
        cost_column_ = name_column_ = -1;
        for (size_t i = 0; i < header.size(); ++i) {
          if (header[i] == "cost") cost_column_ = static_cast<int>(i);
          if (header[i] == "name") name_column_ = static_cast<int>(i);
        }
        if (cost_column_ < 0) return At(line_no, "PROJECTS header has no 'cost' column");
      } else if (section == Section::kVotes) {
        e_.vote_columns = header;
        TING_RETURN_IF_ERROR(StartVotes(line_no));
      }
      // The META header ("key;value") carries nothing.
      continue;
    }
    switch (section) {
      case Section::kNone:
        return At(line_no, "data before the META section");
      case Section::kMeta:
        TING_RETURN_IF_ERROR(MetaRow(line_no));
        break;
      case Section::kProjects:
        TING_RETURN_IF_ERROR(ProjectRow(line_no));
        break;
      case Section::kVotes:
        TING_RETURN_IF_ERROR(VoteRow(line_no));
        break;
    }
  }
  if (section == Section::kNone) return At(line_no == 0 ? 1 : line_no, "no META section");
  if (!seen_projects) return At(line_no, "no PROJECTS section");
  if (!seen_votes) return At(line_no, "no VOTES section");
  if (expect_header) return At(line_no, "section header line missing");
  TING_RETURN_IF_ERROR(Finish());
  return std::move(e_);
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return false;
  if (s.find_first_of(";\"\n\r") != std::string_view::npos) return true;
  return s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t';
}

void AppendField(std::string* out, std::string_view s) {
  if (!NeedsQuotes(s)) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendRow(std::string* out, const std::vector<std::string_view>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(';');
    AppendField(out, fields[i]);
  }
  out->push_back('\n');
}

}  // namespace

Result<Election> ParsePabulib(std::string_view content, const std::string& source_name) {
  if (size_t bad = FirstInvalidUtf8Line(content))
    return Error::Invalid(source_name + ":" + std::to_string(bad) + ": not valid UTF-8 text (save the file as UTF-8)");
  Parser parser(content, source_name);
  return parser.Run();
}

Result<Election> ReadPabulibFile(const std::string& path) {
  TING_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  return ParsePabulib(content, path);
}

std::string WritePabulib(const Election& e) {
  std::string out;
  out.reserve(64 * e.NumVoters() + 4096);
  std::vector<std::string_view> row;
  out += "META\nkey;value\n";
  bool has_budget = false, has_type = false;
  std::string budget = FormatDecimal(e.budget, e.money_decimals);
  for (const auto& [k, v] : e.meta) {
    has_budget |= k == "budget";
    has_type |= k == "vote_type";
    row = {k, v};
    AppendRow(&out, row);
  }
  if (!has_type) {
    row = {"vote_type", VoteTypeName(e.vote_type)};
    AppendRow(&out, row);
  }
  if (!has_budget) {
    row = {"budget", budget};
    AppendRow(&out, row);
  }
  out += "PROJECTS\n";
  std::vector<std::string> columns = e.project_columns;
  if (columns.empty()) columns = {"project_id", "cost", "name"};
  row.assign(columns.begin(), columns.end());
  AppendRow(&out, row);
  std::vector<std::string> generated;
  for (const auto& p : e.projects) {
    generated.assign(columns.size(), "");
    row.clear();
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string* raw = c < p.fields.size() ? &p.fields[c] : nullptr;
      if (c == 0 || columns[c] == "project_id") {
        generated[c] = p.id;
      } else if (columns[c] == "cost") {
        int64_t m = 0;
        int d = 0;
        // Keep the written spelling ("4000.0") when it still says the same amount.
        if (raw && ParseDecimal(*raw, &m, &d) && d <= e.money_decimals &&
            m <= kMaxMoney / Pow10(e.money_decimals - d) && m * Pow10(e.money_decimals - d) == p.cost) {
          generated[c] = *raw;
        } else {
          generated[c] = FormatDecimal(p.cost, e.money_decimals);
        }
      } else if (columns[c] == "name" && (!raw || *raw != p.name)) {
        generated[c] = p.name;
      } else if (raw) {
        generated[c] = *raw;
      }
      row.push_back(generated[c]);
    }
    // Drop trailing columns the file itself left out.
    size_t keep = std::max(p.fields.size(), size_t{2});
    if (!p.fields.empty() && keep < row.size()) row.resize(keep);
    AppendRow(&out, row);
  }
  out += "VOTES\n";
  std::vector<std::string> vcolumns = e.vote_columns;
  if (vcolumns.empty()) {
    vcolumns = {"voter_id", "vote"};
    if (e.HasPoints()) vcolumns.push_back("points");
  }
  row.assign(vcolumns.begin(), vcolumns.end());
  AppendRow(&out, row);
  const size_t nextra = e.NumExtraColumns();
  const bool generated_ids = e.vote_columns.empty();
  std::string vote, points, voter_id;
  for (size_t v = 0; v < e.NumVoters(); ++v) {
    vote.clear();
    points.clear();
    for (uint32_t k = e.ballot_offsets[v]; k < e.ballot_offsets[v + 1]; ++k) {
      if (k != e.ballot_offsets[v]) {
        vote += ',';
        points += ',';
      }
      vote += e.projects[e.ballot_projects[k]].id;
      if (e.HasPoints()) points += FormatDecimal(e.ballot_points[k], e.points_decimals);
    }
    row.clear();
    size_t extra = 0;
    for (const auto& c : vcolumns) {
      if (c == "vote") {
        row.push_back(vote);
      } else if (c == "points") {
        row.push_back(points);
      } else if (generated_ids) {
        voter_id = std::to_string(v + 1);
        row.push_back(voter_id);
      } else {
        size_t idx = v * nextra + extra++;
        row.push_back(idx < e.extra_values.size() ? std::string_view(e.extra_values[idx])
                                                  : std::string_view());
      }
    }
    AppendRow(&out, row);
  }
  return out;
}

}  // namespace ting::pb

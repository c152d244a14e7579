#include "common/tables/csv.h"

namespace ntmis {

void CsvReader::Feed(absl::string_view data) {
  if (pos_ > 0 && pos_ * 2 >= buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(data.data(), data.size());
}

CsvReader::Result CsvReader::Next(CsvRecord* out) {
  while (true) {
    const size_t n = buffer_.size();
    size_t i = pos_;
    if (i >= n) return finished_ ? Result::kEnd : Result::kNeedMore;
    // Skip blank lines, counting them: rows are numbered by their line.
    if (buffer_[i] == '\n') {
      ++lines_;
      pos_ = i + 1;
      continue;
    }
    if (buffer_[i] == '\r') {
      if (i + 1 >= n && !finished_)
        return Result::kNeedMore;  // \r\n is one line end
      if (i + 1 >= n || buffer_[i + 1] != '\n') ++lines_;
      pos_ = i + 1;
      continue;
    }
    const size_t start = i;
    out->fields.clear();
    out->error.clear();
    std::string field;
    bool complete = false;
    while (true) {
      field.clear();
      if (i < n && buffer_[i] == '"') {
        // Quoted field.
        ++i;
        bool closed = false;
        while (i < n) {
          char c = buffer_[i];
          if (c == '"') {
            if (i + 1 < n && buffer_[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            if (i + 1 >= n && !finished_) break;  // need to see what follows
            closed = true;
            ++i;
            break;
          }
          field.push_back(c);
          ++i;
        }
        if (!closed) {
          if (!finished_) return Result::kNeedMore;
          if (out->error.empty()) out->error = "unterminated quoted field";
        }
        // After the closing quote: separator, line end, or end of data.
        size_t junk_start = i;
        while (i < n && buffer_[i] != ',' && buffer_[i] != '\n' &&
               buffer_[i] != '\r')
          ++i;
        if (i > junk_start && out->error.empty())
          out->error = "characters after a closing quote";
        if (i >= n && !finished_) return Result::kNeedMore;
        field.append(buffer_, junk_start, i - junk_start);
      } else {
        size_t start = i;
        while (i < n && buffer_[i] != ',' && buffer_[i] != '\n' &&
               buffer_[i] != '\r')
          ++i;
        if (i >= n && !finished_) return Result::kNeedMore;
        field.assign(buffer_, start, i - start);
        if (field.find('"') != std::string::npos && out->error.empty())
          out->error = "quote inside an unquoted field";
      }
      out->fields.push_back(std::move(field));
      if (i < n && buffer_[i] == ',') {
        ++i;
        continue;
      }
      // End of record: \n, \r\n, \r or end of data.
      if (i < n && buffer_[i] == '\r') {
        if (i + 1 >= n && !finished_) return Result::kNeedMore;
        ++i;
        if (i < n && buffer_[i] == '\n') ++i;
      } else if (i < n) {
        ++i;
      }
      complete = true;
      break;
    }
    if (!complete) return Result::kNeedMore;
    pos_ = i;
    out->row = lines_ + 1;
    for (size_t k = start; k < i; ++k) {
      if (buffer_[k] == '\n' ||
          (buffer_[k] == '\r' && (k + 1 >= n || buffer_[k + 1] != '\n')))
        ++lines_;
    }
    return Result::kRecord;
  }
}

void AppendCsvField(std::string* out, absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out->append(field.data(), field.size());
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvLine(std::string* out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out->push_back('\n');
}

}  // namespace ntmis

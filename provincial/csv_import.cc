#include "provincial/csv_import.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace ntmis::provincial {
namespace {
constexpr size_t kDetectBytes = 64 << 10;
}  // namespace

void RowProblems::Add(std::string column, std::string value, std::string rule) {
  v1::ImportProblem p;
  p.set_row(row_);
  p.set_column(std::move(column));
  p.set_value(std::move(value));
  p.set_rule(std::move(rule));
  problems_.push_back(std::move(p));
}

CsvImport::CsvImport(Store& store, RowHandler& handler, ImportOptions options)
    : store_(store), handler_(handler), options_(options) {}

void CsvImport::Report(v1::ImportProblem problem) {
  report_.set_problems_total(report_.problems_total() + 1);
  if (static_cast<size_t>(report_.problems_size()) < options_.max_reported_problems)
    *report_.add_problems() = std::move(problem);
}

absl::Status CsvImport::Feed(absl::string_view data) { return Decode(data, false); }

absl::Status CsvImport::Decode(absl::string_view data, bool last) {
  if (fatal_) return absl::OkStatus();
  if (decoder_ == nullptr) {
    undetected_.append(data.data(), data.size());
    if (undetected_.size() < kDetectBytes && !last) return absl::OkStatus();
    Encoding encoding = DetectEncoding(undetected_, last);
    decoder_ = std::make_unique<Utf8Decoder>(encoding);
    report_.set_encoding(EncodingName(encoding));
    std::string held = std::move(undetected_);
    return Decode(held, last);
  }
  std::string text;
  absl::Status decoded = decoder_->Decode(data, last, &text);
  reader_.Feed(text);
  if (last) reader_.Finish();
  RETURN_IF_ERROR(Drain());
  if (!decoded.ok()) {
    RowProblems p(report_.rows_read() + 2);
    p.Add("", "", absl::StrCat("file encoding: ", decoded.message()));
    for (auto& problem : p.problems()) Report(std::move(problem));
    fatal_ = true;
  }
  return absl::OkStatus();
}

absl::Status CsvImport::Drain() {
  CsvRecord record;
  while (!fatal_ && reader_.Next(&record) == CsvReader::Result::kRecord) {
    RETURN_IF_ERROR(ProcessRecord(record));
  }
  return absl::OkStatus();
}

absl::Status CsvImport::ProcessRecord(const CsvRecord& record) {
  RowProblems problems(record.row);
  if (!header_seen_) {
    header_seen_ = true;
    const auto& expected = handler_.columns();
    for (size_t i = 0; i < record.fields.size(); ++i) {
      std::string name(absl::StripAsciiWhitespace(record.fields[i]));
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
        problems.Add(name, name, absl::StrCat("unknown column; the template has: ",
                                              absl::StrJoin(expected, ",")));
      } else if (!index_.emplace(name, i).second) {
        problems.Add(name, name, "column appears twice");
      }
    }
    for (const auto& name : expected) {
      if (!index_.contains(name))
        problems.Add(name, "", "required column is missing from the header");
    }
    if (!problems.empty()) fatal_ = true;
  } else {
    report_.set_rows_read(report_.rows_read() + 1);
    bool utf8 = true;
    for (const auto& f : record.fields) utf8 = utf8 && IsValidUtf8(f);
    if (!record.error.empty()) {
      problems.Add("", "", absl::StrCat("CSV quoting: ", record.error));
    } else if (!utf8) {
      problems.Add("", "", absl::StrCat("row is not valid ",
                                        report_.encoding(), " text"));
    } else if (record.fields.size() != index_.size()) {
      problems.Add("", absl::StrCat(record.fields.size(), " fields"),
                   absl::StrCat("every row has ", index_.size(),
                                " fields, like the header"));
    } else if (absl::Status begun = BeginBatch(); !begun.ok()) {
      return begun;
    } else if (handler_.Stage(record.fields, index_, problems)) {
      report_.set_rows_valid(report_.rows_valid() + 1);
      if (++staged_ >= options_.batch_rows) RETURN_IF_ERROR(FlushBatch());
    }
  }
  for (auto& p : problems.problems()) Report(std::move(p));
  return absl::OkStatus();
}

absl::Status CsvImport::BeginBatch() {
  if (batch_txn_) return absl::OkStatus();
  ASSIGN_OR_RETURN(sql::Transaction txn, options_.dry_run
                                             ? sql::Transaction::BeginRead(store_.db())
                                             : sql::Transaction::Begin(store_.db()));
  batch_txn_.emplace(std::move(txn));
  return absl::OkStatus();
}

absl::Status CsvImport::FlushBatch() {
  absl::Status status = absl::OkStatus();
  if (options_.dry_run || staged_ == 0) {
    handler_.Discard();
  } else {
    status = handler_.Flush(store_);
    if (status.ok()) status = batch_txn_->Commit();
    if (status.ok()) {
      report_.set_rows_applied(report_.rows_applied() + staged_);
    } else {
      handler_.Discard();
    }
  }
  batch_txn_.reset();  // rolls back whatever did not commit
  staged_ = 0;
  return status;
}

absl::StatusOr<v1::ImportReport> CsvImport::Finish() {
  RETURN_IF_ERROR(Decode("", true));
  if (!header_seen_ && !fatal_) {
    RowProblems p(1);
    p.Add("", "", "the file is empty; the first line must be the template header");
    for (auto& problem : p.problems()) Report(std::move(problem));
    fatal_ = true;
  }
  if (fatal_) {
    handler_.Discard();
    staged_ = 0;
  }
  RETURN_IF_ERROR(FlushBatch());

  return report_;
}

}  // namespace ntmis::provincial

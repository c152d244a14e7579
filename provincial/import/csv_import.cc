#include "provincial/import/csv_import.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"

namespace ntmis::provincial {

CsvImport::CsvImport(Store& store, RowHandler& handler, ImportOptions options)
    : store_(store),
      handler_(handler),
      options_(options),
      reader_(handler.columns()),
      writer_([this] { WriterLoop(); }) {
  for (size_t c = 0; c < handler.columns().size(); ++c) index_.push_back(c);
}

CsvImport::~CsvImport() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    abort_ = true;  // no-op after Finish(); otherwise nothing more is committed
    queue_.clear();
  }
  if (writer_.joinable()) writer_.join();
}

void CsvImport::Report(v1::ImportProblem problem) {
  report_.set_problems_total(report_.problems_total() + 1);
  if (static_cast<size_t>(report_.problems_size()) <
      options_.max_reported_problems) {
    LabelProblem(handler_.columns(), &problem);
    *report_.add_problems() = std::move(problem);
  }
}

absl::Status CsvImport::Feed(absl::string_view data) {
  if (fatal_) return absl::OkStatus();
  reader_.Feed(data);
  return Drain();
}

absl::Status CsvImport::Drain() {
  TableRow row;
  RowProblems problems(0);
  while (!fatal_) {
    const TableReader::Result got = reader_.Next(&row, &problems);
    if (got == TableReader::Result::kNeedMore ||
        got == TableReader::Result::kEnd)
      break;
    if (got == TableReader::Result::kRefused) fatal_ = true;
    if (got == TableReader::Result::kRow) {
      problems = RowProblems(row.row);
      if (handler_.Prepare(row.fields, index_, problems)) {
        report_.set_rows_valid(report_.rows_valid() + 1);
        if (++prepared_ >= HandoffRows())
          RETURN_IF_ERROR(HandOff(/*force=*/true));
      }
    }
    for (auto& p : problems.problems()) Report(std::move(p));
  }
  report_.set_rows_read(reader_.rows_read());
  report_.set_encoding(reader_.encoding());
  return HandOff(/*force=*/false);
}

absl::Status CsvImport::HandOff(bool force) {
  if (prepared_ == 0 || (!force && prepared_ < HandoffRows())) {
    absl::MutexLock lock(&mu_);
    return writer_status_;
  }
  std::unique_ptr<PreparedRows> rows = handler_.TakePrepared();
  prepared_ = 0;
  absl::MutexLock lock(&mu_);
  auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() < QueueChunks() || !writer_status_.ok();
  };
  mu_.Await(absl::Condition(&room));
  if (!writer_status_.ok()) return writer_status_;
  queue_.push_back(std::move(rows));
  return absl::OkStatus();
}

void CsvImport::WriterLoop() {
  while (true) {
    std::unique_ptr<PreparedRows> rows;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || closed_;
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) break;  // closed and drained
      rows = std::move(queue_.front());
      queue_.pop_front();
    }
    absl::Status status = WriteChunk(*rows);
    if (!status.ok()) {
      batch_txn_.reset();
      absl::MutexLock lock(&mu_);
      writer_status_ = status;
      queue_.clear();
      return;
    }
  }
  bool abort;
  {
    absl::MutexLock lock(&mu_);
    abort = abort_;
  }
  if (abort || (options_.all_or_nothing && !writer_problems_.empty())) {
    batch_txn_.reset();
    return;
  }
  absl::Status status = EndBatch();
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    writer_status_ = status;
  }
}

absl::Status CsvImport::WriteChunk(PreparedRows& rows) {
  if (!batch_txn_) {
    ASSIGN_OR_RETURN(sql::Transaction txn,
                     sql::Transaction::Begin(store_.db()));
    batch_txn_.emplace(std::move(txn));
    batch_handed_ = 0;
    batch_size_ = 0;
    RETURN_IF_ERROR(handler_.BeginBatch(store_));
  }
  ASSIGN_OR_RETURN(uint64_t written,
                   handler_.Write(store_, rows, &writer_problems_));
  batch_handed_ += rows.size();
  batch_size_ += written;
  if (batch_handed_ >= BatchRows()) return EndBatch();
  return absl::OkStatus();
}

absl::Status CsvImport::EndBatch() {
  if (!batch_txn_) return absl::OkStatus();
  RETURN_IF_ERROR(handler_.EndBatch(store_));
  if (!options_.dry_run) {
    RETURN_IF_ERROR(batch_txn_->Commit());
    written_ += batch_size_;
  }
  batch_txn_.reset();  // a dry run rolls back here
  batch_handed_ = 0;
  batch_size_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<v1::ImportReport> CsvImport::Finish() {
  reader_.Finish();
  absl::Status status = fatal_ ? absl::OkStatus() : Drain();
  if (status.ok() && !fatal_) status = HandOff(/*force=*/true);
  {
    absl::MutexLock lock(&mu_);
    if (fatal_) {  // a broken file: nothing more is written
      queue_.clear();
      abort_ = true;
    }
    if (options_.all_or_nothing && report_.problems_total() > 0) abort_ = true;
    closed_ = true;
  }
  writer_.join();
  RETURN_IF_ERROR(status);
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(writer_status_);
  }
  // After a fatal problem (bad header, undecodable bytes), batches committed
  // before it stay, whole; the open one was rolled back.
  uint64_t refused = writer_problems_.size();
  for (auto& p : writer_problems_) Report(std::move(p));
  std::sort(report_.mutable_problems()->begin(),
            report_.mutable_problems()->end(),
            [](const v1::ImportProblem& a, const v1::ImportProblem& b) {
              return a.row() < b.row();
            });
  report_.set_rows_valid(report_.rows_valid() -
                         std::min(report_.rows_valid(), refused));
  report_.set_rows_applied(written_);
  handler_.Describe(&report_);
  return report_;
}

}  // namespace ntmis::provincial

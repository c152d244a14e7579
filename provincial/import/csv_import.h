// The driver every provincial CSV import shares: the file is read by the
// one table reader (common/tables/table_reader.h: encodings, header, quoting,
// control characters, limits), each row is checked by the template's
// handler, every problem is reported the one way (row, column and its
// label, value, rule), and rows are committed in batches so that a killed
// process leaves the database as it was before or after a committed batch,
// never half a row.
//
// Two stages run at once: the caller's thread decodes, parses and checks rows
// (RowHandler::Prepare, no database); a writer thread writes prepared rows in
// batch transactions (RowHandler::Write). A dry run does the same work and
// rolls every batch back, so it finds exactly what a real import would.
#ifndef NTMIS_PROVINCIAL_IMPORT_CSV_IMPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_CSV_IMPORT_H_

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/tables/table_reader.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/problems.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// Rows a handler prepared, handed from the parsing stage to the writer.
class PreparedRows {
 public:
  virtual ~PreparedRows() = default;
  virtual size_t size() const = 0;
};

// What one kind of import does with rows.
class RowHandler {
 public:
  virtual ~RowHandler() = default;
  // The template's columns, in order.
  virtual const std::vector<TableColumn>& columns() const = 0;

  // Parsing stage. Checks one row's fields (read and checked by the table
  // reader, in columns() order; positions in `index`) without the database;
  // keeps it and returns true, or adds every problem of the row.
  virtual bool Prepare(const std::vector<std::string>& fields,
                       const ColumnIndex& index, RowProblems& problems) = 0;
  // Parsing stage. Hands over the rows kept since the last call.
  virtual std::unique_ptr<PreparedRows> TakePrepared() = 0;
  // True if TakePrepared should see a whole batch at once (at most
  // ImportOptions::batch_rows rows), so that the handler can order the
  // batch's writes; false for small hand-offs that keep the writer busy
  // from the first rows.
  virtual bool HandsOverBatches() const { return false; }

  // Writer stage, inside the batch transaction: writes the rows, adding a
  // problem for each row the database refuses (e.g. an ID already stored);
  // returns how many were written.
  virtual absl::StatusOr<uint64_t> Write(
      Store& store, PreparedRows& rows,
      std::vector<v1::ImportProblem>* problems) = 0;
  // Writer stage: start and end of each batch transaction.
  virtual absl::Status BeginBatch(Store& store) { return absl::OkStatus(); }
  virtual absl::Status EndBatch(Store& store) { return absl::OkStatus(); }
  // After the last batch: adds what this kind of import has to say.
  virtual void Describe(v1::ImportReport* report) const {}
};

struct ImportOptions {
  bool dry_run = false;
  // Nothing is applied if any row has a problem: the whole file is one
  // transaction (batch_rows is ignored), rolled back at the end if the
  // report is not clean.
  bool all_or_nothing = false;
  // Rows per committed transaction. Large: each commit writes every page the
  // batch touched, and ID-hash index inserts touch pages all over the index.
  size_t batch_rows = 100000;
  size_t handoff_rows = 1000;  // rows per hand-off to the writer
  size_t max_reported_problems = 10000;
};

// Not thread-safe; one per import. The Store and handler must outlive it
// and be used by nothing else until Finish() returns.
class CsvImport {
 public:
  CsvImport(Store& store, RowHandler& handler, ImportOptions options);
  ~CsvImport();

  // The next bytes of the file. A problem with the file itself (bad header,
  // undecodable bytes) ends up in the report; a database error is returned.
  absl::Status Feed(absl::string_view data);
  // End of file: processes the rest, waits for the writer, returns the report.
  absl::StatusOr<v1::ImportReport> Finish();

 private:
  absl::Status Drain();
  absl::Status HandOff(bool force);
  void Report(v1::ImportProblem problem);
  // Hand-offs never straddle a batch: a batch is whole hand-offs.
  size_t HandoffRows() const {
    const size_t rows = handler_.HandsOverBatches() ? options_.batch_rows
                                                    : options_.handoff_rows;
    return std::max<size_t>(1, std::min(rows, BatchRows()));
  }
  // Hand-offs waiting for the writer: a few small ones, or one batch.
  size_t QueueChunks() const { return handler_.HandsOverBatches() ? 1 : 8; }
  size_t BatchRows() const {
    return options_.all_or_nothing ? SIZE_MAX : options_.batch_rows;
  }

  void WriterLoop();
  absl::Status WriteChunk(PreparedRows& rows);
  absl::Status EndBatch();

  Store& store_;
  RowHandler& handler_;
  const ImportOptions options_;

  // Parsing stage (caller's thread).
  TableReader reader_;
  ColumnIndex index_;  // the reader hands fields over in template order
  bool fatal_ = false;
  size_t prepared_ = 0;
  v1::ImportReport report_;

  // Hand-off queue.
  absl::Mutex mu_;
  std::deque<std::unique_ptr<PreparedRows>> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool abort_ ABSL_GUARDED_BY(mu_) =
      false;  // roll back the open batch at close
  absl::Status writer_status_ ABSL_GUARDED_BY(mu_);

  // Writer stage (writer thread; read by Finish after join).
  std::optional<sql::Transaction> batch_txn_;
  size_t batch_handed_ = 0;  // rows handed to the open batch
  size_t batch_size_ = 0;    // of which written
  uint64_t written_ = 0;
  std::vector<v1::ImportProblem> writer_problems_;
  std::thread writer_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_CSV_IMPORT_H_

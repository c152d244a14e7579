// Checkpoints SQLite WAL files on a thread of its own, so that a connection
// committing batches never stalls on a checkpoint (copying the WAL into the
// database and the two syncs around it, a large part of a small sync's time
// when it lands in the commit path).
//
// Its thread runs at nice 10: it yields to the threads applying batches
// and answering queries. Thread-safe. It must outlive every connection it
// watches.
#ifndef NTMIS_COMMON_SQL_WAL_CHECKPOINTER_H_
#define NTMIS_COMMON_SQL_WAL_CHECKPOINTER_H_

#include <list>
#include <set>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"

namespace ntmis::sql {

class WalCheckpointer {
 public:
  WalCheckpointer();
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Replaces `writer`'s automatic checkpoints: once a commit leaves at least
  // `pages` pages in the WAL, the file is checkpointed here (PASSIVE: never
  // waits for readers or writers); should the WAL still reach 4 × `pages`
  // (ingest faster than checkpoints), the committing connection checkpoints
  // it itself, as SQLite would, so the WAL stays bounded.
  void Watch(Database& writer, int pages) ABSL_LOCKS_EXCLUDED(mu_);

  // Checkpoints done here (for tests).
  int checkpoints() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Watched {
    WalCheckpointer* owner;
    std::string path;
    int pages;
  };
  static int OnCommit(void* watched, sqlite3* db, const char* name, int pages);
  void Request(const std::string& path) ABSL_LOCKS_EXCLUDED(mu_);
  void Run();

  mutable absl::Mutex mu_;
  std::list<Watched> watched_
      ABSL_GUARDED_BY(mu_);  // stable addresses for the hooks
  std::set<std::string> pending_ ABSL_GUARDED_BY(mu_);  // paths asked for
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace ntmis::sql

#endif  // NTMIS_COMMON_SQL_WAL_CHECKPOINTER_H_

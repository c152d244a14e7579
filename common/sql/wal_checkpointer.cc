#include "common/sql/wal_checkpointer.h"

#include <sqlite3.h>

#include <cstdio>
#include <map>

#include "common/base/thread_priority.h"

namespace ntmis::sql {

WalCheckpointer::WalCheckpointer() : thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void WalCheckpointer::Watch(Database& writer, int pages) {
  Watched* watched = nullptr;
  {
    absl::MutexLock lock(&mu_);
    // A file watched again (a new connection to it) shares its entry, so
    // that watching each import's connection keeps one entry per file.
    for (Watched& w : watched_)
      if (w.path == writer.path() && w.pages == pages) watched = &w;
    if (watched == nullptr) {
      watched_.push_back({this, writer.path(), pages});
      watched = &watched_.back();
    }
  }
  sqlite3_wal_hook(writer.handle(), &WalCheckpointer::OnCommit, watched);
}

int WalCheckpointer::OnCommit(void* context, sqlite3* db, const char* name,
                              int pages) {
  const auto* watched = static_cast<const Watched*>(context);
  if (pages >= 4 * watched->pages) {
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
  } else if (pages >= watched->pages) {
    watched->owner->Request(watched->path);
  }
  return SQLITE_OK;
}

void WalCheckpointer::Request(const std::string& path) {
  absl::MutexLock lock(&mu_);
  pending_.insert(path);
}

int WalCheckpointer::checkpoints() const {
  absl::MutexLock lock(&mu_);
  return checkpoints_;
}

void WalCheckpointer::Run() {
  LowerThisThreadPriority();  // below the threads applying batches and
                              // answering queries
  // One connection per file, opened on its first checkpoint.
  std::map<std::string, Database> connections;
  auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || !pending_.empty();
  };
  while (true) {
    std::string path;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&work));
      if (stop_) return;
      path = *pending_.begin();
      pending_.erase(pending_.begin());
    }
    auto it = connections.find(path);
    if (it == connections.end()) {
      OpenOptions options;
      options.create = false;
      options.cache_size = -1024;  // a checkpoint reads the WAL, not the tree
      auto db = Database::Open(path, options);
      if (!db.ok()) {
        std::fprintf(stderr, "checkpoint of %s: %s\n", path.c_str(),
                     std::string(db.status().message()).c_str());
        continue;
      }
      it = connections.emplace(path, std::move(*db)).first;
    }
    const int rc =
        sqlite3_wal_checkpoint_v2(it->second.handle(), nullptr,
                                  SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      std::fprintf(stderr, "checkpoint of %s: %s\n", path.c_str(),
                   sqlite3_errmsg(it->second.handle()));
    }
    absl::MutexLock lock(&mu_);
    ++checkpoints_;
  }
}

}  // namespace ntmis::sql

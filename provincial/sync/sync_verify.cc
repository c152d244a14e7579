#include "provincial/sync/sync_verify.h"

#include <algorithm>
#include <ctime>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "provincial/core/meta_keys.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"
#include "provincial/sync/hello.h"
#include "provincial/sync/sync_run.h"

namespace ntmis::provincial {
namespace {

// Calls `row(number, hash)` for each effective record in [from, to), in
// number order; the whole table when both are empty.
template <typename Fn>
absl::Status ScanEffective(Store& store, const std::string& from,
                           const std::string& to, Fn&& row) {
  v1::TeacherRecord record;
  std::string bytes;
  return ForEachEffectiveRecord(
      store, from, to, [&](const std::string& number, absl::string_view blob) {
        if (!record.ParseFromArray(blob.data(), static_cast<int>(blob.size())))
          return absl::DataLossError(
              absl::StrCat("stored record of ", number, " is unreadable"));
        // Hash what the national node stores: the record as it re-serializes
        // it.
        bytes.clear();
        record.SerializeToString(&bytes);
        row(number, RecordHash(number, bytes));
        return absl::OkStatus();
      });
}

absl::StatusOr<DigestMap> NationalDigests(NationalChannel& client) {
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::Digests digests;
  RETURN_IF_ERROR(
      FromGrpcStatus(client.stub().GetDigests(&context, {}, &digests)));
  DigestMap out;
  for (const auto& b : digests.buckets())
    out[b.bucket()] = {b.teachers(), b.hash()};
  return out;
}

std::vector<std::string> Mismatched(const DigestMap& local,
                                    const DigestMap& national,
                                    uint64_t* buckets) {
  std::vector<std::string> out;
  auto l = local.begin();
  auto n = national.begin();
  *buckets = 0;
  while (l != local.end() || n != national.end()) {
    ++*buckets;
    if (n == national.end() || (l != local.end() && l->first < n->first)) {
      out.push_back((l++)->first);
    } else if (l == local.end() || n->first < l->first) {
      out.push_back((n++)->first);
    } else {
      if (l->second != n->second) out.push_back(l->first);
      ++l;
      ++n;
    }
  }
  return out;
}

// The teachers of `buckets` whose records differ between the two sides.
absl::Status Differences(NationalChannel& client, Store& store,
                         const std::vector<std::string>& buckets,
                         std::vector<std::string>* differing) {
  v1::BucketEntriesRequest request;
  for (const std::string& b : buckets) request.add_buckets(b);
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::BucketEntries entries;
  RETURN_IF_ERROR(FromGrpcStatus(
      client.stub().GetBucketEntries(&context, request, &entries)));
  absl::flat_hash_map<std::string, uint64_t> national;
  for (const auto& e : entries.entries())
    national[e.teacher_number()] = e.hash();
  for (const std::string& b : buckets) {
    RETURN_IF_ERROR(ScanEffective(
        store, b, BucketEnd(b), [&](const std::string& number, uint64_t hash) {
          auto it = national.find(number);
          if (it == national.end() || it->second != hash) {
            differing->push_back(number);
          }
          if (it != national.end()) national.erase(it);
        }));
  }
  // Held nationally but not effective here: re-queued, they go as tombstones.
  for (const auto& [number, hash] : national) differing->push_back(number);
  return absl::OkStatus();
}

// Sends the hello (which carries the last verify outcome) and returns the
// national cursor.
absl::StatusOr<v1::Cursor> Hello(NationalChannel& client, Store& store) {
  ASSIGN_OR_RETURN(v1::GetCursorRequest hello, SyncHello(store));
  v1::Cursor cursor;
  grpc::ClientContext context;
  client.SetDeadline(&context);
  RETURN_IF_ERROR(
      FromGrpcStatus(client.stub().GetCursor(&context, hello, &cursor)));
  return cursor;
}

absl::Status RealignCursor(NationalChannel& client, Store& store,
                           uint64_t* realigned_from) {
  ASSIGN_OR_RETURN(uint64_t end, store.OutboxEnd());
  ASSIGN_OR_RETURN(v1::Cursor cursor, Hello(client, store));
  if (end >= cursor.applied_seq()) return absl::OkStatus();
  *realigned_from = cursor.applied_seq();
  grpc::ClientContext context;
  client.SetDeadline(&context);
  v1::RealignRequest request;
  request.set_outbox_end(end);
  return FromGrpcStatus(client.stub().Realign(&context, request, &cursor));
}

}  // namespace

absl::StatusOr<DigestMap> LocalDigests(Store& store) {
  DigestMap digests;
  RETURN_IF_ERROR(ScanEffective(
      store, "", "", [&](const std::string& number, uint64_t hash) {
        digests[std::string(DigestBucket(number))].Add(hash);
      }));
  return digests;
}

absl::StatusOr<VerifyReport> VerifyAndRepair(NationalChannel& client,
                                             Store& store) {
  VerifyReport report;
  // A province restored from a backup is behind the national cursor: its
  // new outbox entries must not be taken for ones already applied.
  RETURN_IF_ERROR(RealignCursor(client, store, &report.realigned_from));
  // Bring the national node up to the outbox first, so the comparison sees
  // only real drift.
  ASSIGN_OR_RETURN(SyncReport before, RunSync(client, store));
  ASSIGN_OR_RETURN(DigestMap local, LocalDigests(store));
  ASSIGN_OR_RETURN(DigestMap national, NationalDigests(client));
  std::vector<std::string> mismatched =
      Mismatched(local, national, &report.buckets);
  report.mismatched_buckets = mismatched.size();

  std::vector<std::string> differing;
  constexpr size_t kBucketsPerCall = 64;  // = the national node's limit
  for (size_t i = 0; i < mismatched.size(); i += kBucketsPerCall) {
    std::vector<std::string> chunk(
        mismatched.begin() + i,
        mismatched.begin() + std::min(mismatched.size(), i + kBucketsPerCall));
    RETURN_IF_ERROR(Differences(client, store, chunk, &differing));
  }
  std::sort(differing.begin(), differing.end());
  report.requeued = differing.size();
  if (!differing.empty()) RETURN_IF_ERROR(RequeueForSync(store, differing));
  ASSIGN_OR_RETURN(report.sync, RunSync(client, store));
  report.sync.sent += before.sent;
  report.sync.applied += before.applied;

  ASSIGN_OR_RETURN(DigestMap after, NationalDigests(client));
  uint64_t buckets_after = 0;
  report.mismatched_after = Mismatched(local, after, &buckets_after).size();
  report.agreed = report.mismatched_after == 0;
  // Recorded here and told to the national node at once (and with every
  // later sync), for its province health view.
  RETURN_IF_ERROR(
      store.SetMeta(meta::kVerifiedUnix, absl::StrCat(std::time(nullptr))));
  RETURN_IF_ERROR(store.SetMeta(meta::kVerifyDiffering,
                                absl::StrCat(report.mismatched_after)));
  RETURN_IF_ERROR(Hello(client, store).status());
  return report;
}

absl::StatusOr<VerifyReport> VerifyOnce(const v1::ProvincialConfig& config,
                                        SyncOptions options) {
  return UnderSyncLock(config, std::move(options), VerifyAndRepair);
}

}  // namespace ntmis::provincial

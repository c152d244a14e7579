// A province node that misbehaves — garbage on the wire, oversize
// messages, a cursor from the future, a silent stream, malformed digest
// requests — gets a precise error, is audited, and changes nothing.
#include <grpcpp/generic/generic_stub.h>

#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/pki/tls.h"
#include "common/sql/sqlite.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(20);
}

// Audit rows matching `where`, waiting up to 5 s for them: a cancelled
// stream ends at the client before the handler has written its audit entry.
int64_t AuditRows(Federation& f, const std::string& where) {
  f.FlushAudits();
  sql::Database db =
      ValueOrDie(sql::Database::Open(f.dir().File("national/national.db")));
  const std::string sql =
      absl::StrCat("SELECT COUNT(*) FROM audit WHERE ", where);
  int64_t n = 0;
  for (int i = 0; i < 50 && (n = ValueOrDie(db.QueryInt(sql))) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return n;
}

uint64_t Cursor(Federation& f) {
  return ValueOrDie(
             ValueOrDie(f.national().store().Province("44", true))->State())
      .applied_seq;
}

// A well-formed push of `n` teachers, seq 1..n.
v1::PushBatch Batch(uint64_t first, int n) {
  v1::PushBatch batch;
  for (int i = 0; i < n; ++i) {
    v1::Change* c = batch.add_changes();
    c->set_seq(first + i);
    *c->mutable_record() = SampleRecord(44, first + i);
    c->set_teacher_number(c->record().teacher_number());
  }
  return batch;
}

// Sends raw bytes as the one message of a Push stream.
grpc::Status PushRaw(const std::shared_ptr<grpc::Channel>& channel,
                     const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(Soon());
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, "/ntmis.v1.NationalSync/Push", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer buffer(&slice, 1);
  call->Write(buffer, reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  // Read whatever the node says (its refusal) until the stream ends.
  grpc::ByteBuffer reply;
  do {
    call->Read(&reply, reinterpret_cast<void*>(5));
    cq.Next(&tag, &ok);
  } while (ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  // Drain until the Finish tag comes back.
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

TEST_CASE("Garbage on the push stream is refused and audited", "[bad-peer]") {
  Federation f;
  auto channel = f.ChannelAs(f.pki().For(PeerIdentity::Province("44")));
  grpc::Status status =
      PushRaw(channel, std::string("\xff\xff\xff\xff garbage \x01\x02", 16));
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message().find("not a ntmis.v1.PushBatch") !=
        std::string::npos);
  CHECK(Cursor(f) == 0);
  CHECK(AuditRows(f, "action = 'sync.push' AND result = 'INVALID_ARGUMENT'") ==
        1);
}

TEST_CASE("An oversize message is refused before it is read", "[bad-peer]") {
  Federation f;
  // A channel without the client-side limit, to get the bytes to the server.
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  auto creds = ValueOrDie(
      MakeChannelCredentials(f.pki().For(PeerIdentity::Province("44"))));
  auto channel = grpc::CreateCustomChannel(f.national_address(), creds, args);
  auto stub = v1::NationalSync::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(Soon());
  auto stream = stub->Push(&context);
  v1::PushBatch batch = Batch(1, 1);
  batch.mutable_changes(0)->mutable_record()->set_name(
      std::string(kMaxMessageBytes + 1, 'x'));
  stream->Write(batch);
  stream->WritesDone();
  v1::PushAck ack;
  CHECK_FALSE(stream->Read(&ack));
  grpc::Status status = stream->Finish();
  // gRPC refuses the message (RESOURCE_EXHAUSTED); under load the handler,
  // seeing the stream end without its end marker, may be first to answer.
  INFO(status.error_code() << ": " << status.error_message());
  CHECK((status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         status.error_code() == grpc::StatusCode::CANCELLED ||
         status.error_code() == grpc::StatusCode::INVALID_ARGUMENT));
  CHECK(Cursor(f) == 0);
  // The stream still works for the next, well-formed push.
  grpc::ClientContext again;
  again.set_deadline(Soon());
  auto ok_stream = f.SyncStub(PeerIdentity::Province("44"))->Push(&again);
  ok_stream->Write(Batch(1, 3));
  v1::PushBatch end;
  end.set_end_of_stream(true);
  ok_stream->Write(end);
  ok_stream->WritesDone();
  REQUIRE(ok_stream->Read(&ack));
  CHECK(ok_stream->Finish().ok());
  CHECK(Cursor(f) == 3);
}

TEST_CASE("A cursor from the future is refused and writes nothing",
          "[bad-peer]") {
  Federation f;
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  {
    grpc::ClientContext context;
    context.set_deadline(Soon());
    auto stream = stub->Push(&context);
    stream->Write(Batch(1, 5));
    v1::PushAck ack;
    REQUIRE(stream->Read(&ack));
    stream->Write(Batch(50, 5));  // seq 6..49 never sent
    // The refusal comes as a last message (the stream is still open).
    REQUIRE(stream->Read(&ack));
    CHECK(ack.error_code() ==
          static_cast<uint32_t>(absl::StatusCode::kFailedPrecondition));
    CHECK(ack.error_message().find("applied up to seq 5") != std::string::npos);
    stream->WritesDone();
    CHECK_FALSE(stream->Read(&ack));
    CHECK_FALSE(stream->Finish().ok());
  }
  CHECK(Cursor(f) == 5);
  CHECK(AuditRows(
            f, "action = 'sync.push' AND result = 'FAILED_PRECONDITION'") == 1);
  // Realign only ever moves the cursor back.
  grpc::ClientContext context;
  context.set_deadline(Soon());
  v1::RealignRequest realign;
  realign.set_outbox_end(9);
  v1::Cursor cursor;
  grpc::Status status = stub->Realign(&context, realign, &cursor);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(Cursor(f) == 5);
  CHECK(AuditRows(
            f, "action = 'sync.realign' AND result = 'FAILED_PRECONDITION'") ==
        1);
}

TEST_CASE("A silent push stream is closed after the idle limit", "[bad-peer]") {
  Federation f;  // push_idle_seconds = 2
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  auto stream = stub->Push(&context);
  const auto start = std::chrono::steady_clock::now();
  v1::PushAck ack;
  REQUIRE(stream->Read(&ack));  // no batch sent; the node gives up and says why
  CHECK(ack.error_code() ==
        static_cast<uint32_t>(absl::StatusCode::kDeadlineExceeded));
  CHECK_FALSE(stream->Read(&ack));
  grpc::Status status = stream->Finish();
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited < std::chrono::seconds(15));
  CHECK_FALSE(status.ok());
  CHECK(AuditRows(f, "action = 'sync.push' AND result = 'DEADLINE_EXCEEDED'") ==
        1);
}

TEST_CASE("Malformed digest requests are refused", "[bad-peer]") {
  Federation f;
  auto stub = f.SyncStub(PeerIdentity::Province("44"));
  v1::BucketEntriesRequest request;
  request.add_buckets("44'; DROP");
  grpc::ClientContext context;
  context.set_deadline(Soon());
  v1::BucketEntries entries;
  grpc::Status status = stub->GetBucketEntries(&context, request, &entries);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message().find("is not 8 digits") != std::string::npos);
  v1::BucketEntriesRequest many;
  for (int i = 0; i < 65; ++i) many.add_buckets(absl::StrCat(44000000 + i));
  grpc::ClientContext again;
  again.set_deadline(Soon());
  status = stub->GetBucketEntries(&again, many, &entries);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  // An operator certificate cannot read a province's digests.
  auto as_operator = f.SyncStub(PeerIdentity::Operator("ops"));
  grpc::ClientContext third;
  third.set_deadline(Soon());
  v1::Digests digests;
  status = as_operator->GetDigests(&third, {}, &digests);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(AuditRows(f,
                  "action = 'sync.digests' AND result = 'PERMISSION_DENIED'") ==
        1);
}

}  // namespace
}  // namespace ntmis::testing

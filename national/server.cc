#include "national/server.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/tls.h"

namespace ntmis::national {

absl::StatusOr<std::unique_ptr<NationalServer>> NationalServer::Start(
    const v1::NationalConfig& config) {
  if (config.listen().empty()) return absl::InvalidArgumentError("listen is not set");
  if (config.data_dir().empty()) return absl::InvalidArgumentError("data_dir is not set");
  ASSIGN_OR_RETURN(auto creds, MakeServerCredentials(config.tls(), ClientCertPolicy::kRequire));
  std::unique_ptr<NationalServer> s(new NationalServer());
  ASSIGN_OR_RETURN(s->store_, NationalStore::Open(config.data_dir()));
  s->sync_ = std::make_unique<SyncService>(
      *s->store_, config.max_batch_changes() > 0 ? config.max_batch_changes() : 20000);
  s->query_ = std::make_unique<QueryService>(*s->store_);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen(), creds, &s->port_);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.RegisterService(s->sync_.get());
  builder.RegisterService(s->query_.get());
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0)
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen()));
  return s;
}

void NationalServer::Shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
}

NationalServer::~NationalServer() { Shutdown(std::chrono::milliseconds(0)); }

}  // namespace ntmis::national

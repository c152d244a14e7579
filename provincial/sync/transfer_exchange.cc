#include "provincial/sync/transfer_exchange.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/crypto/envelope.h"
#include "common/rpc/grpc_status.h"
#include "provincial/core/careers.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

absl::Status ExchangeTransfers(NationalChannel& channel, Store& store) {
  const v1::ProvincialConfig* config = channel.config();
  if (config == nullptr) return absl::OkStatus();
  v1::TransferMail out;
  int64_t last_sent = 0;
  {
    ASSIGN_OR_RETURN(
        sql::Statement q,
        store.db().Prepare("SELECT id, message FROM transfer_mail_out "
                           "ORDER BY id LIMIT 100"));
    RETURN_IF_ERROR(q.ForEachRow([&] {
      last_sent = q.ColumnInt(0);
      out.add_messages()->ParseFromString(std::string(q.ColumnBlob(1)));
    }));
  }
  ASSIGN_OR_RETURN(int64_t stored,
                   store.GetMetaInt(meta::kTransferMailStored, 0));
  out.set_stored_through(static_cast<uint64_t>(stored));
  grpc::ClientContext context;
  channel.SetDeadline(&context);
  v1::TransferMail in;
  grpc::Status status = channel.stub().ExchangeTransfers(&context, out, &in);
  if (!status.ok()) return FromGrpcStatus(status);
  if (last_sent > 0) {
    ASSIGN_OR_RETURN(
        sql::Statement sent,
        store.db().Prepare("DELETE FROM transfer_mail_out WHERE id <= ?"));
    RETURN_IF_ERROR(sent.BindAll(last_sent).Run());
  }
  if (in.messages_size() == 0) return absl::OkStatus();

  IdKeys keys;
  ASSIGN_OR_RETURN(keys.hash_key, crypto::ReadKeyFile(config->id_hash_key()));
  ASSIGN_OR_RETURN(keys.seal_key, crypto::ReadKeyFile(config->pii_key()));
  store.set_seal_key(
      keys.seal_key);  // the teacher file's entries are stored sealed
  Careers careers(store, keys, CareerSettingsFrom(config->careers()));
  auto open_sealed = [config](const std::string& sealed) {
    return OpenSealed(config->tls().cert(), config->tls().key(), sealed);
  };
  for (const v1::TransferMessage& m : in.messages()) {
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
    absl::Status applied = careers.ReceiveTransferMessage(m, open_sealed);
    if (!applied.ok())
      return absl::Status(
          applied.code(),
          absl::StrCat("transfer message ", m.seq(), " (case ",
                       m.receiving_case(), " of province ",
                       m.receiving_province(), "): ", applied.message()));
    RETURN_IF_ERROR(
        store.SetMeta(meta::kTransferMailStored, absl::StrCat(m.seq())));
    RETURN_IF_ERROR(txn.Commit());
  }
  return absl::OkStatus();
}

}  // namespace ntmis::provincial

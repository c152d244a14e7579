#include "common/audit/audit_entry.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"

namespace ntmis {

std::string AuditChainHash(absl::string_view prev, int64_t id, int64_t at,
                           const AuditEntry& e) {
  // Length-prefixed fields, so no two entries serialize alike.
  std::string data;
  auto add = [&data](absl::string_view part) {
    absl::StrAppend(&data, static_cast<uint64_t>(part.size()), ":", part, ";");
  };
  add(prev);
  add(absl::StrCat(id));
  add(absl::StrCat(at));
  add(e.actor);
  add(e.action);
  add(e.target);
  add(e.result);
  add(e.detail);
  return crypto::Sha256(data);
}

std::string AuditResultLabel(absl::string_view result) {
  static const auto* results =
      new absl::flat_hash_map<std::string, std::string>{
          {"ok", "成功"},
          {"INVALID_ARGUMENT", "输入有误"},
          {"FAILED_PRECONDITION", "条件不符"},
          {"PERMISSION_DENIED", "无权限"},
          {"UNAUTHENTICATED", "未通过身份验证"},
          {"NOT_FOUND", "未找到"},
          {"ALREADY_EXISTS", "已存在"},
          {"RESOURCE_EXHAUSTED", "超出限额"},
          {"ABORTED", "已中止"},
          {"UNAVAILABLE", "暂不可用"},
          {"DEADLINE_EXCEEDED", "超时"},
          {"CANCELLED", "已取消"},
          {"INTERNAL", "内部错误"},
          {"DATA_LOSS", "数据损坏"},
          {"UNKNOWN", "未知错误"},
      };
  auto it = results->find(result);
  return it == results->end() ? std::string(result) : it->second;
}

void ToProto(const StoredAuditEntry& e, const std::string& action_label,
             v1::AuditRecord* r) {
  r->set_id(e.id);
  r->set_at_unix(e.at_unix);
  r->set_actor(e.entry.actor);
  r->set_action(e.entry.action);
  r->set_target(e.entry.target);
  r->set_result(e.entry.result);
  r->set_detail(e.entry.detail);
  r->set_action_label(action_label);
  r->set_result_label(AuditResultLabel(e.entry.result));
}

}  // namespace ntmis
